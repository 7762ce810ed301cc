"""The forms of the health exam's section pages, and how their cleaned values are kept in
Section.data (labels, ISO dates) and read back for a 暂存."""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Model
from django.utils import timezone

from exam.models import (
    EducationRecord,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    SupplementaryInfo,
    TitleCertificate,
)
from exam.uploads import JPG, PDF, PNG, StagedUploadsMixin, UploadField
from people.models import EducationLevel, Ethnicity, PoliticalStatus

PHONE_MESSAGE = "请输入11位手机号码。"
DATE_MESSAGE = "请输入正确的日期，如 2020-07-01。"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today() -> datetime.date:
    return timezone.localdate()


# --- forms ---------------------------------------------------------------------------------


class ChineseMessagesMixin:
    """Chinese 'required' / 'invalid' messages naming the field; `draft=True` (暂存) makes
    every field optional, so only what was typed is checked."""

    past_dates: tuple[str, ...] = ()

    def __init__(self, *args, draft: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft
        for field in self.fields.values():
            verb = "请选择" if isinstance(field, forms.ChoiceField) else "请填写"
            if isinstance(field, UploadField):
                continue
            field.error_messages["required"] = f"{verb}{field.label}。"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = DATE_MESSAGE
                field.widget = _date_widget()
                field.widget.is_required = field.required
            if isinstance(field, (forms.ModelChoiceField, forms.ChoiceField)):
                field.error_messages["invalid_choice"] = f"请选择有效的{field.label}。"
            if draft:
                field.required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.past_dates:
            value = cleaned.get(name)
            if value and value > _today():
                self.add_error(name, f"{self.fields[name].label}不能晚于今天。")
        return cleaned


class BasicForm(ChineseMessagesMixin, forms.Form):
    phone = forms.CharField(
        label="手机号码",
        max_length=11,
        validators=[RegexValidator(r"^1[3-9]\d{9}$", PHONE_MESSAGE)],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric"}),
        error_messages={"max_length": PHONE_MESSAGE},
    )
    ethnicity = forms.ModelChoiceField(
        label="民族", queryset=Ethnicity.objects.all(), empty_label="请选择"
    )
    political_status = forms.ModelChoiceField(
        label="政治面貌", queryset=PoliticalStatus.objects.all(), empty_label="请选择"
    )
    work_started_on = forms.DateField(label="参加工作时间", help_text="以单位人事档案为准。")

    past_dates = ("work_started_on",)

    def __init__(self, *args, birth_date: datetime.date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date

    def clean(self):
        cleaned = super().clean()
        started = cleaned.get("work_started_on")
        if started and self.birth_date and started.year - self.birth_date.year < 14:
            self.add_error("work_started_on", "参加工作时间与出生日期不符，请核对。")
        return cleaned


class MaterialForm(ChineseMessagesMixin, StagedUploadsMixin, forms.ModelForm):
    """A material's own fields and its image. The image is required by 保存 unless one is
    already saved (then a new file replaces it, none keeps it)."""

    image = UploadField(label="证书图片", required=False, kinds=(JPG, PNG, PDF))
    image_required = True

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_current_image = bool(self.instance.pk and self.instance.image)

    def image_is_required(self, cleaned: dict[str, Any]) -> bool:
        return self.image_required

    def clean(self):
        cleaned = super().clean()
        if (
            not self.draft
            and not self.has_current_image
            and not cleaned.get("image")
            and "image" not in self.errors
            and self.image_is_required(cleaned)
        ):
            self.add_error("image", f"请上传{self.fields['image'].label}。")
        return cleaned


class EducationLevelField(forms.ModelChoiceField):
    def label_from_instance(self, obj: EducationLevel) -> str:
        return obj.exam_label or obj.name


class EducationForm(MaterialForm):
    level = EducationLevelField(
        label="学历层次",
        queryset=EducationLevel.objects.filter(kind=EducationLevel.Kind.CATEGORY)
        .exclude(exam_label="")
        .order_by("code"),
        empty_label="请选择",
    )
    past_dates = ("graduation_date", "enrollment_date")

    class Meta:
        model = EducationRecord
        fields = [
            "level",
            "school",
            "major",
            "major_type",
            "study_form",
            "duration_years",
            "enrollment_date",
            "graduation_date",
            "diploma_no",
            "certification_report_no",
        ]
        labels = {"certification_report_no": "学历认证报告编号（选填）"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].label = "毕业证书图片"
        self.fields["duration_years"].error_messages["invalid"] = "请填写学制年数，如 3 或 4。"
        self.fields["duration_years"].widget.attrs.update({"min": "1", "max": "9", "step": "0.5"})

    def clean(self):
        cleaned = super().clean()
        enrolled, graduated = cleaned.get("enrollment_date"), cleaned.get("graduation_date")
        if enrolled and graduated and graduated <= enrolled:
            self.add_error("graduation_date", "毕业时间应晚于入学时间。")
        years = cleaned.get("duration_years")
        if years is not None and not (Decimal("1") <= years <= Decimal("9")):
            self.add_error("duration_years", "学制应在1至9年之间。")
        return cleaned


class TitleForm(MaterialForm):
    past_dates = ("issued_on",)

    class Meta:
        model = TitleCertificate
        fields = ["title_name", "title_level", "certificate_no", "issued_on", "issuing_authority"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].label = "职称证书图片"
        self.fields["title_level"].choices = with_blank(TitleCertificate.TitleLevel.choices)


PHYSICIAN_CATEGORIES = [(c, c) for c in ("临床", "中医", "口腔", "公共卫生")]
PHYSICIAN_LEVELS = [(c, c) for c in ("执业医师", "执业助理医师")]


def with_blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "请选择"), *choices]


class PhysicianQualificationForm(MaterialForm):
    category = forms.ChoiceField(label="类别", choices=with_blank(PHYSICIAN_CATEGORIES))
    level = forms.ChoiceField(label="级别", choices=with_blank(PHYSICIAN_LEVELS))
    past_dates = ("issued_on",)

    class Meta:
        model = PhysicianQualification
        fields = ["certificate_no", "category", "level", "issued_on"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].label = "医师资格证书图片"


class PhysicianLicenseForm(MaterialForm):
    category = forms.ChoiceField(label="执业类别", choices=with_blank(PHYSICIAN_CATEGORIES))
    past_dates = ("issued_on",)

    class Meta:
        model = PhysicianLicense
        fields = ["certificate_no", "category", "scope", "practice_institution", "issued_on"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].label = "医师执业证书图片"


class NurseLicenseForm(MaterialForm):
    past_dates = ("issued_on",)

    class Meta:
        model = NurseLicense
        fields = ["certificate_no", "practice_institution", "issued_on", "valid_until"]
        labels = {"valid_until": "有效期至（选填）"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].label = "护士执业证书图片"

    def clean(self):
        cleaned = super().clean()
        issued, until = cleaned.get("issued_on"), cleaned.get("valid_until")
        if issued and until and until <= issued:
            self.add_error("valid_until", "有效期应晚于发证日期。")
        return cleaned


YES_NO = [("1", "是"), ("0", "否")]


class SupplementaryForm(MaterialForm):
    covid_frontline = forms.TypedChoiceField(
        label="是否为抗击新冠肺炎疫情一线人员",
        choices=YES_NO,
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    past_dates = ("work_started_on",)

    class Meta:
        model = SupplementaryInfo
        fields = ["covid_frontline", "work_started_on", "years_in_specialty", "note"]
        labels = {"note": "其他说明（选填）"}
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_started_on"].required = not self.draft
        self.fields["years_in_specialty"].required = not self.draft
        self.fields["years_in_specialty"].widget.attrs.update({"min": "0", "max": "60"})
        self.fields["years_in_specialty"].error_messages["invalid"] = "请填写整数年数。"
        self.fields["image"].label = "证明材料"
        self.fields["image"].help_text = (
            "抗击新冠肺炎疫情一线人员须上传单位出具的证明；其他情况可不上传。"
            + self.fields["image"].help_text
        )

    def image_is_required(self, cleaned: dict[str, Any]) -> bool:
        return bool(cleaned.get("covid_frontline"))

    def clean(self):
        cleaned = super().clean()
        years = cleaned.get("years_in_specialty")
        if years is not None and years > 60:
            self.add_error("years_in_specialty", "从事本专业工作年限不能超过60年。")
        return cleaned


# --- stored values -------------------------------------------------------------------------


def _display(field: forms.Field, value: Any) -> Any:
    """A cleaned value as Section.data keeps it: labels, ISO dates, plain numbers."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Model):
        return (
            field.label_from_instance(value)
            if hasattr(field, "label_from_instance")
            else str(value)
        )
    choices = getattr(field, "choices", None)
    if choices is not None:
        return dict((str(k), v) for k, v in choices).get(str(value), value)
    return value


def stored_data(form: forms.BaseForm) -> dict[str, Any]:
    return {
        name: _display(field, form.cleaned_data.get(name))
        for name, field in form.fields.items()
        if not isinstance(field, UploadField)
    }


def refill(form_class: type[forms.BaseForm], data: dict[str, Any]) -> dict[str, Any]:
    """Initial values from Section.data (a 暂存): labels back to choice keys."""
    initial: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        value = data.get(name)
        if value in (None, ""):
            continue
        if isinstance(field, forms.ModelChoiceField):
            match = next(
                (o for o in field.queryset if value in {str(o), field.label_from_instance(o)}),
                None,
            )
            if match is not None:
                initial[name] = match.pk
            continue
        choices = getattr(field, "choices", None)
        if choices is not None:
            by_label = {str(v): k for k, v in choices}
            initial[name] = by_label.get(str(value), value)
            continue
        initial[name] = value
    return initial
