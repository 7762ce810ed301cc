"""The forms of the TCM section pages (学习经历 has its own module, study.py)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError

from exam.material_writes import candidate_profile_save_from_section
from exam.models import Application, CaseRecord, TcmCategory
from exam.services import application_change_entry_county
from exam.site.sections.tcm.base import (
    TcmSectionForm,
    choice_field,
    date_field,
    required_error,
    section_order,
    text_field,
    textarea_field,
)
from exam.site.sections.tcm.divisions import county_bureau_for, division_tree
from exam.site.tcm_start import ChainedSelect
from exam.tcm_lists import (
    CASE_FIELDS,
    CONTRACT,
    DISEASE_CATEGORIES,
    EXPERTISE_CERTIFICATE,
    EXPERTISE_PROOF,
    EXTERNAL,
    EXTERNAL_MEDICINE,
    FIVE_YEAR_PROOF,
    HEALTH_STATUSES,
    MASTER_CERTIFICATE,
    METHODS_FALLBACK,
    NO,
    NOTARIZATION,
    OTHER_PROOF,
    PATIENT_RECOMMENDATIONS,
    PHOTO,
    PRACTICE_PROOF,
    PRACTICE_PROOFS,
    PROOF_CERTIFICATE,
    PROOF_FIVE_YEARS,
    PROOF_PATIENTS,
    RURAL_DOCTOR_LICENSE,
    STUDY_NOTES,
    TECHNIQUES,
    TITLE_CERTIFICATE,
    TWO_YEAR_PROOF,
    YES,
    YES_NO,
)
from people.models import Division, Ethnicity, Gender, Institution, PoliticalStatus


class PlaceForm(TcmSectionForm):
    """跟师 / 实践: the place (行政区划 + 详细地址 + 名称) and the period. The county of the
    place is where 现场确认 and the first review happen: choosing another one moves the
    application there (only before it is submitted)."""

    place_word = "跟师学习"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tree = division_tree()
        provinces = [("", "请选择省份")] + self.tree.provinces
        cities = [("", "请选择市州")] + self.tree.cities
        counties = [("", "请选择区县")] + self.tree.counties
        # Widgets first: setting a field's choices passes them on to its widget.
        self.fields["division_city"].widget = ChainedSelect(
            parents={c: self.tree.parents.get(c, "") for c, _ in self.tree.cities},
            parent_field="division_province",
        )
        self.fields["division"].widget = ChainedSelect(
            parents={c: self.tree.parents.get(c, "") for c, _ in self.tree.counties},
            parent_field="division_city",
        )
        self.fields["division_province"].choices = provinces
        self.fields["division_city"].choices = cities
        self.fields["division"].choices = counties
        self.new_county: Institution | None = None

    def initial_from(self, data):
        initial = super().initial_from(data)
        code = data.get("division") or self.application.entry_institution.division_id or ""
        initial["division"] = code
        if code:
            county = Division.objects.filter(code=code).select_related("parent").first()
            if county and county.parent:
                initial["division_city"] = county.parent_id
                parent = county.parent
                initial["division_province"] = (
                    parent.code if parent.level == Division.Level.PROVINCE else parent.parent_id
                )
        return initial

    def clean_section(self, cleaned):
        code = cleaned.get("division")
        if code:
            city, province = cleaned.get("division_city"), cleaned.get("division_province")
            parent = self.tree.parents.get(code, "")
            if city and parent != city:
                self.add_error("division", "所选区县不属于所选市州，请重新选择。")
            elif province and self.tree.parents.get(city or parent, "") != province:
                self.add_error("division", "所选区县不属于所选省份，请重新选择。")
            else:
                self._check_county(code)
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        today = datetime.date.today()
        if started and started > today:
            self.add_error("started_on", f"{self.place_word}开始时间不能晚于今天。")
        if started and ended and ended < started:
            self.add_error("ended_on", "结束时间不能早于开始时间。")

    def _check_county(self, code: str) -> None:
        current = self.application.entry_institution
        if current.division_id == code:
            return
        bureau = county_bureau_for(code)
        if bureau is None:
            self.add_error(
                "division",
                "该区县暂无可办理现场确认的卫生健康局，请选择其他区县或咨询当地卫生健康部门。",
            )
            return
        if self.application.status not in {
            Application.Status.DRAFT,
            Application.Status.WITHDRAWN,
        }:
            self.add_error(
                "division",
                f"申报已提交，不能变更区县（现场确认和初审机构为{current.name}）。",
            )
            return
        self.new_county = bureau

    def to_data(self, cleaned):
        data = super().to_data(cleaned)
        data["division_name"] = self.tree.names.get(cleaned.get("division") or "", "")
        return data

    def write_extra(self, cleaned, *, draft):
        if self.new_county is not None and "division" not in self.errors:
            application_change_entry_county(
                actor=self.candidate.user, application=self.application, county=self.new_county
            )


def _place_fields(word: str, place: str) -> dict[str, forms.Field]:
    return {
        "division_province": choice_field(f"{word}地点所在省份", [], required=False),
        "division_city": choice_field(f"{word}地点所在市州", [], required=False),
        "division": forms.ChoiceField(
            label=f"{word}地点所在区县",
            error_messages={
                "required": "请选择区县。",
                "invalid_choice": "请选择有效的区县。",
            },
            help_text="选择的区县即为现场确认和初审的地点（该区县卫生健康局）。",
        ),
        "address": text_field("详细地址", max_length=255, help_text="精确到门牌号。"),
        "place_name": text_field(place, help_text="医疗机构名称。"),
    }


# --- 基本信息 ------------------------------------------------------------------------------


class BasicForm(TcmSectionForm):
    data_keys = (
        "ethnicity",
        "political_status",
        "health_status",
        "occupation",
        "work_unit",
        "home_address",
        "mailing_address",
        "postal_code",
        "household_registration",
    )
    all_slots = (PHOTO,)

    ethnicity = choice_field("民族", [])
    political_status = choice_field("政治面貌", [])
    health_status = choice_field("健康状态", [("", "请选择")] + [(s, s) for s in HEALTH_STATUSES])
    occupation = text_field("现从事主要职业", max_length=64)
    work_unit = text_field("工作单位", required=False)
    no_work_unit = forms.BooleanField(label="无工作单位", required=False)
    home_address = text_field("家庭住址", max_length=255)
    mailing_address = text_field("通讯地址", max_length=255)
    postal_code = forms.RegexField(
        label="邮编",
        regex=r"^\d{6}$",
        error_messages={"required": "请填写邮编。", "invalid": "邮编应为6位数字。"},
    )
    household_registration = text_field("户籍所在地", max_length=255)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ethnicity"].choices = [("", "请选择")] + [
            (n, n) for n in Ethnicity.objects.values_list("name", flat=True)
        ]
        self.fields["political_status"].choices = [("", "请选择")] + [
            (n, n) for n in PoliticalStatus.objects.values_list("name", flat=True)
        ]

    def initial_from(self, data):
        initial = super().initial_from(data)
        candidate = self.application.candidate
        if not data.get("ethnicity") and candidate.ethnicity_id:
            initial["ethnicity"] = candidate.ethnicity.name
        if not data.get("political_status") and candidate.political_status_id:
            initial["political_status"] = candidate.political_status.name
        if data.get("work_unit") == "无":
            initial["work_unit"], initial["no_work_unit"] = "", True
        return initial

    def clean_section(self, cleaned):
        if cleaned.get("no_work_unit"):
            cleaned["work_unit"] = "无"
        elif not cleaned.get("work_unit") and "work_unit" not in self.errors:
            self.add_error("work_unit", required_error("请填写工作单位；没有工作单位请勾选“无”。"))

    def write_extra(self, cleaned, *, draft):
        # Also the candidate's, where reviewers' 基础信息, lists and exports read them.
        names = {k: cleaned.get(k) or "" for k in ("ethnicity", "political_status")}
        candidate_profile_save_from_section(
            actor=self.candidate.user,
            application=self.application,
            ethnicity=Ethnicity.objects.filter(name=names["ethnicity"]).first(),
            political_status=PoliticalStatus.objects.filter(name=names["political_status"]).first(),
        )

    def to_data(self, cleaned):
        candidate = self.application.candidate
        return {
            "name": candidate.name,
            "gender": candidate.get_gender_display(),
            "birth_date": candidate.birth_date.isoformat() if candidate.birth_date else "",
        } | super().to_data(cleaned)


# --- 跟师经历 ------------------------------------------------------------------------------


class ApprenticeshipForm(PlaceForm):
    data_keys = (
        "division",
        "address",
        "place_name",
        "started_on",
        "ended_on",
        "experience",
        "has_certificate",
    )
    all_slots = (
        MASTER_CERTIFICATE,
        TWO_YEAR_PROOF,
        FIVE_YEAR_PROOF,
        STUDY_NOTES,
        CONTRACT,
        NOTARIZATION,
    )
    locals().update(_place_fields("跟师学习", "学习地点名称"))
    started_on = date_field("跟师学习开始时间")
    ended_on = date_field("跟师学习结束时间")
    experience = textarea_field("跟师学习医术及实践经历")
    has_certificate = choice_field(
        "是否具有《传统医学师承出师证书》", YES_NO, widget=forms.RadioSelect
    )

    def initial_from(self, data):
        initial = super().initial_from(data)
        if isinstance(data.get("has_certificate"), bool):
            initial["has_certificate"] = YES if data["has_certificate"] else NO
        return initial

    def active_slots(self, cleaned):
        common = (STUDY_NOTES, CONTRACT, NOTARIZATION)
        has = cleaned.get("has_certificate")
        if has == YES:
            return (MASTER_CERTIFICATE, TWO_YEAR_PROOF, *common)
        if has == NO:
            return (FIVE_YEAR_PROOF, *common)
        return common

    def to_data(self, cleaned):
        data = super().to_data(cleaned)
        has = cleaned.get("has_certificate")
        data["has_certificate"] = True if has == YES else False if has == NO else ""
        return section_order(data, "apprenticeship")


# --- 实践经历 ------------------------------------------------------------------------------


class PracticeForm(PlaceForm):
    place_word = "医术实践"
    data_keys = (
        "division",
        "address",
        "place_name",
        "started_on",
        "ended_on",
        "experience",
        "origin",
        "proof_type",
        "proof_issuer",
    )
    all_slots = (
        PRACTICE_PROOF,
        PATIENT_RECOMMENDATIONS,
        EXPERTISE_CERTIFICATE,
        RURAL_DOCTOR_LICENSE,
    )
    locals().update(_place_fields("医术实践", "实践地点名称"))
    started_on = date_field("医术实践开始时间")
    ended_on = date_field(
        "医术实践结束时间", required=False, help_text="仍在实践的，请留空（视为至今）。"
    )
    experience = textarea_field("医术实践经历")
    origin = textarea_field("医术渊源")
    proof_type = choice_field(
        "实践经历证明", [(p, p) for p in PRACTICE_PROOFS], widget=forms.RadioSelect
    )
    proof_issuer = text_field("证明单位名称", required=False)

    def active_slots(self, cleaned):
        return {
            PROOF_FIVE_YEARS: (PRACTICE_PROOF,),
            PROOF_PATIENTS: (PATIENT_RECOMMENDATIONS,),
            PROOF_CERTIFICATE: (EXPERTISE_CERTIFICATE, RURAL_DOCTOR_LICENSE),
        }.get(cleaned.get("proof_type"), ())

    def required_slots(self, cleaned):
        # Either certificate will do: checked in clean_section.
        slots = self.active_slots(cleaned)
        return () if cleaned.get("proof_type") == PROOF_CERTIFICATE else slots

    def clean_section(self, cleaned):
        super().clean_section(cleaned)
        proof = cleaned.get("proof_type")
        if proof == PROOF_FIVE_YEARS and not cleaned.get("proof_issuer"):
            self.add_error("proof_issuer", required_error("请填写证明单位名称。"))
        if proof == PROOF_CERTIFICATE:
            have = self.file_count(EXPERTISE_CERTIFICATE, cleaned) + self.file_count(
                RURAL_DOCTOR_LICENSE, cleaned
            )
            if not have and EXPERTISE_CERTIFICATE.field not in self.errors:
                self.add_error(
                    EXPERTISE_CERTIFICATE.field,
                    required_error("请上传《传统医学医术确有专长证书》或《乡村医生执业证书》。"),
                )

    def to_data(self, cleaned):
        data = super().to_data(cleaned)
        if data.get("proof_type") != PROOF_FIVE_YEARS:
            data["proof_issuer"] = ""
        return section_order(data, "practice")


# --- 中医药技术方法 --------------------------------------------------------------------------


def method_names() -> list[str]:
    names = list(
        TcmCategory.objects.filter(category_type=TcmCategory.CategoryType.TECHNIQUE).values_list(
            "name", flat=True
        )
    )
    return names or list(METHODS_FALLBACK)


class TechniqueForm(TcmSectionForm):
    data_keys = ("disease_category", "method", "technique", "external_medicine", "patients_served")

    disease_category = text_field(
        "病症分类",
        max_length=64,
        widget=forms.TextInput(attrs={"list": "disease-categories", "autocomplete": "off"}),
        help_text="输入文字可快速搜索，请从列表中选择。",
    )
    method = choice_field("中医药技术方法", [], widget=forms.RadioSelect)
    technique = choice_field(
        "医疗技术",
        [("", "请选择")] + [(group, [(n, n) for n in names]) for group, names in TECHNIQUES],
    )
    external_medicine = choice_field(
        "外用药",
        [(v, v) for v in EXTERNAL_MEDICINE],
        widget=forms.RadioSelect,
        required=False,
    )
    patients_served = forms.IntegerField(
        label="近五年服务人数",
        min_value=0,
        max_value=10_000_000,
        error_messages={
            "required": "请填写近五年服务人数。",
            "invalid": "近五年服务人数应为整数。",
            "min_value": "近五年服务人数不能为负数。",
            "max_value": "近五年服务人数过大，请核实。",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(n, n) for n in method_names()]

    def clean_section(self, cleaned):
        disease = cleaned.get("disease_category")
        if disease and disease not in DISEASE_CATEGORIES:
            self.add_error("disease_category", "请从列表中选择病症分类。")
        if EXTERNAL in (cleaned.get("method") or "") and not cleaned.get("external_medicine"):
            self.add_error(
                "external_medicine", required_error("选择外治技术时，请选择有无外用药。")
            )

    def to_data(self, cleaned):
        data = super().to_data(cleaned)
        if EXTERNAL not in (data.get("method") or ""):
            data.pop("external_medicine", None)
        return data


# --- 医术专长及医案 ----------------------------------------------------------------------------


class ExpertiseForm(TcmSectionForm):
    data_keys = ("content", "indications", "safety", "effectiveness", "risks")
    all_slots = (EXPERTISE_PROOF,)

    content = textarea_field("医术基本内容及特点")
    indications = textarea_field("适应症或使用范围")
    safety = textarea_field("安全性")
    effectiveness = textarea_field("有效性")
    risks = textarea_field("医术潜在的风险性")


class CaseRecordForm(forms.ModelForm):
    class Meta:
        model = CaseRecord
        fields = CASE_FIELDS
        widgets = {
            "patient_gender": forms.RadioSelect,
            "chief_complaint": forms.Textarea(attrs={"rows": 3}),
            "history": forms.Textarea(attrs={"rows": 4}),
            "syndrome_analysis": forms.Textarea(attrs={"rows": 4}),
            "diagnosis": forms.Textarea(attrs={"rows": 2}),
            "treatment": forms.Textarea(attrs={"rows": 4}),
            "analysis": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label
            field.required = True
            field.error_messages["required"] = f"请填写{label}。"
            field.error_messages["invalid"] = f"{label}格式不正确。"
        self.fields["patient_gender"].choices = list(Gender.choices)
        self.fields["patient_gender"].error_messages["required"] = "请选择性别。"
        self.fields["patient_gender"].error_messages["invalid_choice"] = "请选择性别。"
        self.fields["patient_age"].min_value = 0
        self.fields["patient_age"].widget.attrs.update({"min": 0, "max": 150})
        self.fields["phone"].widget.attrs["inputmode"] = "tel"

    def clean_patient_age(self):
        age = self.cleaned_data.get("patient_age")
        if age is not None and age > 150:
            raise ValidationError("年龄应在0至150之间。")
        return age


# --- 资历证明 ------------------------------------------------------------------------------


class CredentialsForm(TcmSectionForm):
    """Optional; an uploaded file makes its 发证时间 and 发证机构 required."""

    data_keys = (
        "title_certificate",
        "title_issued_on",
        "title_issuer",
        "other_proof",
        "other_issued_on",
        "other_issuer",
    )
    all_slots = (TITLE_CERTIFICATE, OTHER_PROOF)

    title_certificate = text_field("卫生类职称证名称", required=False, max_length=64)
    title_issued_on = date_field("卫生类职称证发证时间", required=False)
    title_issuer = text_field("卫生类职称证发证机构", required=False)
    other_proof = text_field("其他证明材料名称", required=False, max_length=64)
    other_issued_on = date_field("其他证明材料发证时间", required=False)
    other_issuer = text_field("其他证明材料发证机构", required=False)

    def required_slots(self, cleaned):
        return ()

    def clean_section(self, cleaned):
        for slot, prefix in ((TITLE_CERTIFICATE, "title"), (OTHER_PROOF, "other")):
            has_file = bool(self.file_count(slot, cleaned)) or slot.field in self.errors
            if has_file:
                for key, what in (
                    (f"{prefix}_issued_on", "发证时间"),
                    (f"{prefix}_issuer", "发证机构"),
                ):
                    if not cleaned.get(key) and key not in self.errors:
                        self.add_error(key, required_error(f"已上传{slot.label}，请填写{what}。"))
            else:
                typed = [k for k in (f"{prefix}_issued_on", f"{prefix}_issuer") if cleaned.get(k)]
                name_key = "title_certificate" if prefix == "title" else "other_proof"
                if typed or cleaned.get(name_key):
                    self.add_error(
                        slot.field,
                        required_error(f"请上传{slot.label}，或清空其名称、发证时间和发证机构。"),
                    )
            issued = cleaned.get(f"{prefix}_issued_on")
            if issued and issued > datetime.date.today():
                self.add_error(f"{prefix}_issued_on", "发证时间不能晚于今天。")
