"""Section pages of the health exam (卫生专业技术资格考试): 基础信息, 学历信息 (up to five
records), and one page per optional 证明材料 (专技职称, 医师资格证, 医师执业证, 护士执业证,
补充信息). See exam.site.registry for the contract.

Every page saves through `save_section`; rows beyond Section.data (the materials, the
candidate's 民族 / 政治面貌) are written by exam.material_writes inside the same transaction.
Section.data keeps the values as the reviewers and 查看详情 read them (labels, ISO dates), with
the keys the demo data (devtools/demo/health.py) uses.

Buttons: 保存 (everything required, the section becomes complete), 暂存 (whatever valid was
typed, the section stays 去完善; a material row is only written by 保存), and on the optional
certificate pages 没有此证书 (removes the material, the section counts as filled).
"""

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.validators import RegexValidator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from exam import material_writes
from exam.models import (
    Application,
    EducationRecord,
    ExamKind,
    Material,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    Section,
    SupplementaryInfo,
    TitleCertificate,
    VerificationStatus,
)
from exam.site.registry import (
    after_save,
    file_url,
    render_section,
    save_section,
    section_page,
    section_url,
)
from exam.uploads import JPG, PDF, PNG, StagedUploadsMixin, UploadField
from people.models import EducationLevel, Ethnicity, PoliticalStatus

HEALTH = ExamKind.HEALTH_QUALIFICATION
NOT_APPLICABLE_KEY = "not_applicable"
PHONE_MESSAGE = "请输入11位手机号码。"
DATE_MESSAGE = "请输入正确的日期，如 2020-07-01。"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _is_draft(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "draft"


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
        self.fields["title_level"].choices = _with_blank(TitleCertificate.TitleLevel.choices)


PHYSICIAN_CATEGORIES = [(c, c) for c in ("临床", "中医", "口腔", "公共卫生")]
PHYSICIAN_LEVELS = [(c, c) for c in ("执业医师", "执业助理医师")]


def _with_blank(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "请选择"), *choices]


class PhysicianQualificationForm(MaterialForm):
    category = forms.ChoiceField(label="类别", choices=_with_blank(PHYSICIAN_CATEGORIES))
    level = forms.ChoiceField(label="级别", choices=_with_blank(PHYSICIAN_LEVELS))
    past_dates = ("issued_on",)

    class Meta:
        model = PhysicianQualification
        fields = ["certificate_no", "category", "level", "issued_on"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].label = "医师资格证书图片"


class PhysicianLicenseForm(MaterialForm):
    category = forms.ChoiceField(label="执业类别", choices=_with_blank(PHYSICIAN_CATEGORIES))
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


def _stored_data(form: forms.BaseForm) -> dict[str, Any]:
    return {
        name: _display(field, form.cleaned_data.get(name))
        for name, field in form.fields.items()
        if not isinstance(field, UploadField)
    }


def _refill(form_class: type[forms.BaseForm], data: dict[str, Any]) -> dict[str, Any]:
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


def _current_files(application: Application, material: Material | None) -> dict:
    if material is None or not material.pk or not material.image:
        return {}
    url = file_url(application, material._meta.model_name, material.pk)
    return {"image": ("已保存的文件", url)}


def _fresh(material: Material) -> Material:
    """The row as stored: a ModelForm writes typed values onto its instance while
    validating, and the write must compare against what the database holds."""
    return type(material).objects.select_for_update().get(pk=material.pk)


# --- 基础信息 -------------------------------------------------------------------------------


@section_page(HEALTH, "basic")
def basic(request: HttpRequest, application: Application, section: Section) -> HttpResponse:
    candidate = application.candidate
    draft = _is_draft(request)
    initial = _refill(BasicForm, section.data or {})
    initial.setdefault("phone", candidate.phone)
    if candidate.ethnicity_id:
        initial["ethnicity"] = candidate.ethnicity_id
    if candidate.political_status_id:
        initial["political_status"] = candidate.political_status_id
    form = BasicForm(
        request.POST or None, initial=initial, draft=draft, birth_date=candidate.birth_date
    )
    if request.method == "POST" and form.is_valid():
        typed = _stored_data(form)
        data = {
            "name": candidate.name,
            "gender": candidate.get_gender_display(),
            "birth_date": candidate.birth_date.isoformat() if candidate.birth_date else "",
            "phone": typed["phone"],
            "ethnicity": typed["ethnicity"],
            "political_status": typed["political_status"],
            "work_unit": application.entry_institution.name,
            "work_started_on": typed["work_started_on"],
            "specialty": application.specialty.name if application.specialty else "",
        }

        def write() -> None:
            material_writes.candidate_profile_save_from_section(
                actor=request.user,
                application=application,
                ethnicity=form.cleaned_data.get("ethnicity"),
                political_status=form.cleaned_data.get("political_status"),
            )

        if save_section(request, application, section, data=data, complete=not draft, write=write):
            return after_save(application)
    facts = [
        ("姓名", candidate.name),
        ("性别", candidate.get_gender_display()),
        ("出生日期", candidate.birth_date.isoformat() if candidate.birth_date else ""),
        ("工作单位", application.entry_institution.name),
        ("申报级别", str(application.level or "")),
        ("申报类别(专业)", application.specialty.name if application.specialty else ""),
    ]
    return render_section(
        request,
        application,
        section,
        "exam/site/health/basic.html",
        {"form": form, "facts": facts, "can_draft": True},
    )


# --- 学历信息 -------------------------------------------------------------------------------


def _education_data(records: list[EducationRecord]) -> dict[str, Any]:
    highest = material_writes.highest_education_record(records)
    if highest is None:
        return {"records": 0}
    return {
        "highest_education": highest.level.exam_label or highest.level.name,
        "school": highest.school,
        "major": highest.major,
        "graduated_on": highest.graduation_date.isoformat(),
        "records": len(records),
    }


def _is_complete_record(record: EducationRecord, image: Any = None) -> bool:
    return bool(record.image) or bool(image)


def _education_records(application: Application) -> list[EducationRecord]:
    return list(
        EducationRecord.objects.filter(application=application)
        .select_related("level")
        .order_by("-graduation_date", "pk")
    )


def _own_record(records: list[EducationRecord], raw: str | None) -> EducationRecord | None:
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError as exc:
        raise Http404("没有这条学历。") from exc
    record = next((r for r in records if r.pk == pk), None)
    if record is None:
        raise Http404("没有这条学历。")
    return record


@section_page(HEALTH, "education")
def education(request: HttpRequest, application: Application, section: Section) -> HttpResponse:
    records = _education_records(application)
    source = request.POST if request.method == "POST" else request.GET
    record = _own_record(records, source.get("record"))
    action = request.POST.get("action", "save") if request.method == "POST" else ""

    if action == "delete":
        if record is None:
            raise Http404("没有这条学历。")
        remaining = [r for r in records if r.pk != record.pk]

        def delete() -> None:
            material_writes.material_delete_from_candidate(
                actor=request.user, application=application, material=_fresh(record)
            )
            material_writes.education_highest_update(application=application)

        complete = any(_is_complete_record(r) for r in remaining)
        done = save_section(
            request,
            application,
            section,
            data=_education_data(remaining),
            complete=complete,
            write=delete,
        )
        if done:
            messages.info(request, f"已删除学历：{record.school}。")
        return HttpResponseRedirect(section_url(application, "education"))

    full = record is None and len(records) >= material_writes.MAX_EDUCATION_RECORDS
    if request.method == "POST" and full:
        messages.error(
            request,
            f"学历信息最多填写{material_writes.MAX_EDUCATION_RECORDS}条，请删除或修改已有的学历。",
        )
        return HttpResponseRedirect(section_url(application, "education"))

    draft = _is_draft(request)
    instance = record or EducationRecord(application=application)
    form = None
    if not full:
        form = EducationForm(
            request.POST or None,
            request.FILES or None,
            instance=instance,
            candidate=application.candidate,
            current_files=_current_files(application, record),
            draft=False,
        )
        # 暂存 keeps a record without its certificate image (the record is then incomplete).
        form.draft = draft
    if request.method == "POST" and form is not None and form.is_valid():
        image = form.cleaned_data.get("image")
        values = {name: form.cleaned_data[name] for name in EducationForm.Meta.fields}
        after = [r for r in records if record is None or r.pk != record.pk] + [form.instance]
        complete = any(_is_complete_record(r, image if r is form.instance else None) for r in after)
        data = _education_data(after)

        def write() -> None:
            if record is None:
                material_writes.education_record_add_check(application=application)
            material_writes.material_save_from_candidate(
                actor=request.user,
                application=application,
                material=_fresh(record) if record else EducationRecord(),
                values=values,
                image=image,
            )
            material_writes.education_highest_update(application=application)

        if save_section(request, application, section, data=data, complete=complete, write=write):
            if not complete:
                messages.warning(request, "学历已暂存；上传毕业证书图片后该条学历才算完成。")
            return HttpResponseRedirect(section_url(application, "education"))
    highest = material_writes.highest_education_record(records)
    cards = [
        {
            "record": r,
            "is_highest": highest is not None and r.pk == highest.pk,
            "image_url": file_url(application, "educationrecord", r.pk) if r.image else "",
            "is_image": r.image.name.lower().endswith((".png", ".jpg", ".jpeg")),
            "is_complete": _is_complete_record(r),
            "edit_url": f"{section_url(application, 'education')}?record={r.pk}",
        }
        for r in records
    ]
    return render_section(
        request,
        application,
        section,
        "exam/site/health/education.html",
        {
            "form": form,
            "cards": cards,
            "editing": record,
            "full": full,
            "max_records": material_writes.MAX_EDUCATION_RECORDS,
            "section_url": section_url(application, "education"),
        },
    )


# --- one-material sections -----------------------------------------------------------------

SINGLE_MATERIAL_PAGES: dict[str, tuple[type[Material], type[MaterialForm], bool, str]] = {
    # code: (model, form, offers 没有此证书, intro)
    "title": (TitleCertificate, TitleForm, True, "已取得卫生专业技术职称的，请填写最高的职称。"),
    "physician_qualification": (
        PhysicianQualification,
        PhysicianQualificationForm,
        True,
        "已取得医师资格的，请按《医师资格证书》填写。",
    ),
    "physician_license": (
        PhysicianLicense,
        PhysicianLicenseForm,
        True,
        "已注册执业的医师，请按《医师执业证书》填写。",
    ),
    "nurse_license": (
        NurseLicense,
        NurseLicenseForm,
        True,
        "已注册的护士，请按《护士执业证书》填写。",
    ),
    "supplementary": (
        SupplementaryInfo,
        SupplementaryForm,
        False,
        "请如实填写；抗击新冠肺炎疫情一线人员须上传证明材料。",
    ),
}


def _basic_work_started(application: Application) -> str:
    basic_section = application.sections.filter(code="basic").only("data").first()
    return (basic_section.data or {}).get("work_started_on", "") if basic_section else ""


@section_page(HEALTH, *SINGLE_MATERIAL_PAGES)
def single_material(
    request: HttpRequest, application: Application, section: Section
) -> HttpResponse:
    model, form_class, offers_none, intro = SINGLE_MATERIAL_PAGES[section.code]
    material = model.objects.filter(application=application).order_by("pk").first()
    action = request.POST.get("action", "save") if request.method == "POST" else ""

    if action == "none" and offers_none:

        def remove() -> None:
            if material is not None:
                material_writes.material_delete_from_candidate(
                    actor=request.user, application=application, material=_fresh(material)
                )

        if save_section(
            request,
            application,
            section,
            data={NOT_APPLICABLE_KEY: True},
            complete=True,
            write=remove,
        ):
            return after_save(application)
        return HttpResponseRedirect(section_url(application, section.code))

    draft = _is_draft(request)
    data = section.data or {}
    initial: dict[str, Any] = {}
    if section.status == Section.Status.INCOMPLETE and data and NOT_APPLICABLE_KEY not in data:
        initial = _refill(form_class, data)  # a 暂存 not yet saved
    if model is SupplementaryInfo and material is None:
        initial.setdefault("work_started_on", _basic_work_started(application))
    if model is SupplementaryInfo and material is not None and "covid_frontline" not in initial:
        initial["covid_frontline"] = "1" if material.covid_frontline else "0"
    form = form_class(
        request.POST or None,
        request.FILES or None,
        instance=material or model(application=application),
        initial=initial,
        candidate=application.candidate,
        current_files=_current_files(application, material),
        draft=draft,
    )
    if request.method == "POST" and form.is_valid():
        stored = _stored_data(form)
        if draft:
            # A 暂存 keeps what was typed in the section; the material row waits for 保存.
            if save_section(request, application, section, data=stored, complete=False):
                if form.cleaned_data.get("image") is not None:
                    messages.info(request, "所选图片需点击“保存”后才会随材料保存。")
                return after_save(application)
        else:
            values = {name: form.cleaned_data[name] for name in form_class.Meta.fields}
            image = form.cleaned_data.get("image")

            def write() -> None:
                material_writes.material_save_from_candidate(
                    actor=request.user,
                    application=application,
                    material=_fresh(material) if material else model(),
                    values=values,
                    image=image,
                )

            if save_section(request, application, section, data=stored, complete=True, write=write):
                return after_save(application)
    context = {
        "form": form,
        "material": material,
        "intro": intro,
        "offers_none": offers_none,
        "is_not_applicable": NOT_APPLICABLE_KEY in data,
        "reverts": material is not None
        and material.verification_status != VerificationStatus.PENDING,
        "can_draft": True,
    }
    return render_section(
        request,
        application,
        section,
        "exam/site/health/material.html",
        context,
    )
