"""Section pages of the TCM-expertise application (seed 000 §4.3), except 推荐信息.

Every page has 保存 (complete only when everything required is there and valid; otherwise the
page comes back with the errors and nothing is changed) and 暂存 (keep what was typed, the
section stays 去完善). In a 暂存, a value that is malformed (not merely missing) is not
stored: the value saved before is kept and a warning names the field, and the page is shown
again so the candidate can correct it.

Section.data keys are those of exam.sections.TCM_SECTION_FIELDS / TCM_ITEM_FIELDS; the
attachment kinds and labels are those devtools.demo.tcm.build_tcm_content creates, so the
demo data and the reviewers' detail page read the same rows. A kind that needs several files
(notes pages, 10 patient recommendations) keeps one Attachment row per file: one is added per
submit ("上传并继续添加"), each can be removed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from exam.material_writes import candidate_profile_save_from_section
from exam.models import Application, Attachment, CaseRecord, ExamKind, Section, TcmCategory
from exam.recommendation import practice_needs_supervisor
from exam.services import application_change_entry_county
from exam.site.registry import (
    after_save,
    file_url,
    render_section,
    save_section,
    section_page,
    section_url,
)
from exam.site.sections.pieces import check_pieces
from exam.site.tcm_start import ChainedSelect
from exam.uploads import (
    JPG,
    PDF,
    PNG,
    StagedUploadsMixin,
    UploadField,
    attach_upload,
    content_type_of,
)
from people.models import Division, Ethnicity, Gender, Institution, PoliticalStatus
from people.tiers import Tier

TCM = ExamKind.TCM_EXPERTISE
TEMPLATE = "exam/site/tcm/section.html"

# --- fixed lists --------------------------------------------------------------------------

# 病症分类: no table of it exists in the project. These are common disease names of
# GB/T 16751.1-1997《中医临床诊疗术语 疾病部分》 (the ones the demo data uses among them),
# grouped loosely by department; the candidate picks one, typing to search.
DISEASE_CATEGORIES: tuple[str, ...] = (
    # 内科
    "感冒", "咳嗽", "哮病", "喘证", "肺胀", "心悸", "胸痹", "不寐", "多寐", "健忘",
    "头痛", "眩晕", "中风", "痫病", "郁病", "胃脘痛", "痞满", "呕吐", "呃逆", "噎膈",
    "腹痛", "泄泻", "痢疾", "便秘", "胁痛", "黄疸", "积聚", "鼓胀", "水肿", "淋证",
    "癃闭", "消渴", "汗证", "内伤发热", "虚劳", "痹证", "痿证", "颤证", "腰痛", "面瘫",
    # 外科、皮肤科
    "疮疡", "乳癖", "瘰疬", "湿疮", "瘾疹", "蛇串疮", "白疕", "粉刺", "痔", "烧伤",
    # 骨伤科
    "项痹", "肩凝症", "膝痹", "腰腿痛", "骨折", "脱位", "伤筋", "骨痹",
    # 妇科
    "月经不调", "痛经", "闭经", "崩漏", "带下病", "不孕症", "妊娠恶阻", "产后缺乳",
    "绝经前后诸证",
    # 儿科
    "小儿积滞", "小儿厌食", "小儿泄泻", "小儿咳嗽", "小儿遗尿", "小儿惊风", "疳证",
    # 五官科
    "鼻渊", "鼻鼽", "喉痹", "乳蛾", "口疮", "牙痛", "耳鸣耳聋", "目赤", "针眼",
)  # fmt: skip

# 中医药技术方法: the 考核类别 of 国家卫生计生委令第15号 (table TcmCategory, loaded from
# fixtures/reference/tcm_categories.csv); these are its rows, used when the table is empty.
METHODS_FALLBACK: tuple[str, ...] = ("内服方药", "外治技术", "内服方药和外治技术")
EXTERNAL = "外治技术"
EXTERNAL_MEDICINE = ("无外用药", "使用外用药")

# 医疗技术 (single choice), grouped by 中医药技术方法; the demo data's techniques among them.
TECHNIQUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("内服方药", ("中药内服（辨证组方）", "中药内服（经验方）", "膏方", "丸散剂")),
    (
        "外治技术",
        (
            "针刺", "艾灸", "推拿", "小儿推拿", "正骨", "拔罐", "刮痧", "穴位贴敷",
            "穴位埋线", "中药熏洗", "中药熏蒸", "中药外敷", "刺络放血", "火针", "耳穴压豆",
            "小针刀", "中药灌肠",
        ),
    ),
)  # fmt: skip
TECHNIQUE_NAMES = {name for _, names in TECHNIQUES for name in names}

HEALTH_STATUSES = ("健康", "良好", "一般", "较差")
EDUCATIONS = ("研究生", "本科", "大专", "中专", "高中", "其他")

# 实践经历证明, three to choose from (seed 000 §4.3.3), as the demo data stores them.
PROOF_FIVE_YEARS = "多年实践人员从事中医医术实践活动近五年证明"
PROOF_PATIENTS = "患者推荐证明（10份）"
PROOF_CERTIFICATE = "《传统医学医术确有专长证书》或《乡村医生执业证书》"
PRACTICE_PROOFS = (PROOF_FIVE_YEARS, PROOF_PATIENTS, PROOF_CERTIFICATE)

YES, NO = "yes", "no"
YES_NO = [(YES, "是"), (NO, "否")]


# --- attachment slots ---------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One kind of attachment of a section: how many files it needs and which formats."""

    kind: str
    label: str
    multiple: bool = False
    image_only: bool = False
    help: str = ""
    pieces: int = 0  # more than one piece needed: PDFs count their pages (pieces.py)

    @property
    def field(self) -> str:
        return f"file_{self.kind}"


PHOTO = Slot("photo", "证件照", image_only=True, help="近期免冠证件照。")
MASTER_CERTIFICATE = Slot("master_certificate", "《传统医学师承出师证书》")
TWO_YEAR_PROOF = Slot(
    "two_year_proof",
    "继续跟师学习中医满两年的证明材料",
    multiple=True,
    help="每年的临床实践记录等，至少1份，可逐份上传。",
)
FIVE_YEAR_PROOF = Slot(
    "five_year_proof",
    "连续跟师学习中医满五年的证明材料",
    multiple=True,
    help="自跟师学习时间确定之日起连续满五年的临床实践记录等，至少1份，可逐份上传。",
)
STUDY_NOTES = Slot(
    "study_notes", "跟师学习笔记", multiple=True, help="至少1份；多页可逐页上传或合并为一个PDF。"
)
CONTRACT = Slot("contract", "跟师学习合同", multiple=True, help="至少1份；多页可逐页上传。")
NOTARIZATION = Slot("notarization", "跟师合同公证书")
PRACTICE_PROOF = Slot("practice_proof", PROOF_FIVE_YEARS, multiple=True, help="至少1份。")
PATIENT_RECOMMENDATIONS = Slot(
    "patient_recommendations",
    "患者推荐证明（10份）",
    multiple=True,
    help="共需10份患者推荐证明：可逐份上传（每份一个文件），也可合并为一个PDF上传。",
    pieces=10,
)
EXPERTISE_CERTIFICATE = Slot("expertise_certificate", "《传统医学医术确有专长证书》")
RURAL_DOCTOR_LICENSE = Slot("rural_doctor_license", "《乡村医生执业证书》")
EXPERTISE_PROOF = Slot(
    "expertise_proof",
    "医术专长相关证明材料",
    multiple=True,
    help="医术基本内容、适应症、安全性、有效性及潜在风险性的相关证明材料，至少1份。",
)
TITLE_CERTIFICATE = Slot("title_certificate", "卫生类职称证")
OTHER_PROOF = Slot("other_proof", "其他证明材料")
DIPLOMA = Slot("diploma", "学历证书")


def _attachments(application: Application, code: str) -> dict[str, list[Attachment]]:
    found: dict[str, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(
        application=application, section_code=code, recommender__isnull=True
    ).order_by("id"):
        found.setdefault(attachment.kind, []).append(attachment)
    return found


# --- the form all section pages share -----------------------------------------------------


def _date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"请填写{label}。",
            "invalid": f"{label}格式不正确，请按“年-月-日”填写。",
        },
        **kwargs,
    )


def _text(label: str, *, max_length: int = 128, required: bool = True, **kwargs) -> forms.Field:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"请填写{label}。",
            "max_length": f"{label}不能超过{max_length}个字。",
        },
        **kwargs,
    )


def _textarea(label: str, *, required: bool = True, max_length: int = 5000) -> forms.Field:
    return _text(
        label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _choice(label: str, choices, *, widget=None, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=widget or forms.Select,
        error_messages={"required": f"请选择{label}。", "invalid_choice": f"请选择有效的{label}。"},
    )


def _required(message: str) -> ValidationError:
    return ValidationError(message, code="required")


class TcmSectionForm(StagedUploadsMixin, forms.Form):
    """Fields are declared as required as they are for 保存; `clean_section` adds conditional
    requirements with code "required". Attachment slots are UploadFields named `file_<kind>`.

    `data_keys` are what is stored in Section.data, in order; `to_data` turns cleaned values
    into JSON values."""

    data_keys: tuple[str, ...] = ()
    all_slots: tuple[Slot, ...] = ()

    def __init__(
        self,
        *args,
        application: Application,
        section: Section,
        removed: set[int] | None = None,
        **kwargs,
    ) -> None:
        self.application = application
        self.section = section
        self.stored = dict(section.data or {})
        if not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(self.stored)
        super().__init__(*args, candidate=application.candidate, **kwargs)
        self.existing = _attachments(application, section.code)
        self.removed = removed or set()
        for slot in self.all_slots:
            self.fields[slot.field] = UploadField(
                label=slot.label,
                required=False,
                kinds=(JPG, PNG) if slot.image_only else (JPG, PNG, PDF),
            )
            field = self.fields[slot.field]
            field.candidate = self.candidate
            field.slot = slot
            # The field stays optional (files already saved count); the mark says it is not.
            field.marked_required = slot in self.required_slots({})
            if slot.help:
                field.help_text = f"{slot.help}{field.help_text}"

    # --- hooks ---------------------------------------------------------------------------

    def initial_from(self, data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k in self.base_fields and not isinstance(v, list)}

    def active_slots(self, cleaned: dict[str, Any]) -> tuple[Slot, ...]:
        """The slots that belong to the section, given what was typed (a complete save
        removes the files of the others)."""
        return self.all_slots

    def required_slots(self, cleaned: dict[str, Any]) -> tuple[Slot, ...]:
        """The slots that must hold a file, given what was typed."""
        return self.active_slots(cleaned)

    def clean_section(self, cleaned: dict[str, Any]) -> None:
        """Conditional requirements and cross-field rules."""

    def to_data(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        return {key: _json(cleaned.get(key)) for key in self.data_keys}

    # --- validation ----------------------------------------------------------------------

    def kept(self, slot: Slot) -> list[Attachment]:
        return [a for a in self.existing.get(slot.kind, []) if a.pk not in self.removed]

    def file_count(self, slot: Slot, cleaned: dict[str, Any]) -> int:
        new = 1 if cleaned.get(slot.field) else 0
        if not slot.multiple:
            return 1 if new or self.kept(slot) else 0
        return len(self.kept(slot)) + new

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_section(cleaned)
        for slot in self.required_slots(cleaned):
            if slot.field not in self.errors and not self.file_count(slot, cleaned):
                self.add_error(slot.field, _required(f"请上传{slot.label}。"))
            elif slot.field not in self.errors:
                check_pieces(self, slot, cleaned)
        return cleaned

    def malformed(self) -> list[str]:
        """Labels of the fields whose error is more than a missing value."""
        labels = []
        for name, errors in self.errors.as_data().items():
            if name == "__all__":
                continue
            if any(e.code != "required" for e in errors):
                labels.append(str(self.fields[name].label))
        return labels

    def draft_data(self) -> dict[str, Any]:
        """What a 暂存 keeps: valid values, empty for missing ones, the stored value for a
        malformed one."""
        errors = self.errors.as_data()
        data = self.to_data(self.cleaned_data)
        bad = {n for n, errs in errors.items() if any(e.code != "required" for e in errs)}
        for key in self.data_keys:
            if key in bad and key in self.stored:
                data[key] = self.stored[key]
        return data

    # --- rows beyond Section.data ----------------------------------------------------------

    def write_files(self, cleaned: dict[str, Any], *, prune: bool) -> None:
        """Remove the files asked for, add the new ones; on a complete save (`prune`) also the
        files of slots no longer needed (e.g. after switching the proof type)."""
        doomed = [a for kind in self.existing.values() for a in kind if a.pk in self.removed]
        if prune:
            active = {s.kind for s in self.active_slots(cleaned)}
            doomed += [
                a
                for slot in self.all_slots
                if slot.kind not in active
                for a in self.existing.get(slot.kind, [])
                if a.pk not in self.removed
            ]
        for slot in self.all_slots:
            value = cleaned.get(slot.field)
            if not value:
                continue
            if not slot.multiple:
                doomed += [a for a in self.kept(slot) if a not in doomed]
            self.add_file(slot, slot.label, value)
        for attachment in doomed:
            attachment.file.delete(save=False)
            attachment.delete()

    def add_file(self, slot: Slot, label: str, value: Any) -> Attachment:
        attachment = Attachment(
            application=self.application,
            section_code=self.section.code,
            kind=slot.kind,
            label=label,
            content_type=content_type_of(value),
        )
        attach_upload(attachment.file, value, stem=slot.kind)
        attachment.size = attachment.file.size
        attachment.save()
        return attachment

    def write_extra(self, cleaned: dict[str, Any], *, draft: bool) -> None:
        """Rows of the page beyond attachments (called in the save transaction)."""

    # --- display -------------------------------------------------------------------------

    def slot_files(self, slot: Slot) -> list[dict[str, Any]]:
        return [
            {
                "id": a.pk,
                "label": a.label,
                "url": file_url(self.application, "attachment", a.pk),
                "is_image": a.is_image,
            }
            for a in self.kept(slot)
        ]


def _json(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None:
        return ""
    return value


def _parse_date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- the request cycle every page shares ----------------------------------------------------


def _removed(request: HttpRequest) -> set[int]:
    value = request.POST.get("remove", "")
    return {int(value)} if value.isdigit() else set()


def handle(
    request: HttpRequest,
    application: Application,
    section: Section,
    form_class: type[TcmSectionForm],
    *,
    context: Callable[[TcmSectionForm], dict[str, Any]] | None = None,
) -> HttpResponse:
    """GET: the form. POST action `save` (保存), `draft` (暂存), `add` (上传并继续添加) or a
    `remove` (删除 one file): every one but 保存 keeps the valid part of what was typed."""
    if request.method != "POST":
        form = form_class(application=application, section=section)
        return _render(request, application, section, form, context)
    action = request.POST.get("action", "save")
    removed = _removed(request)
    form = form_class(
        request.POST,
        request.FILES,
        application=application,
        section=section,
        removed=removed,
    )
    valid = form.is_valid()
    draft = action != "save" or bool(removed)
    if not draft and not valid:
        messages.error(request, "请按提示修改后再保存。")
        return _render(request, application, section, form, context)
    cleaned = dict(form.cleaned_data)
    data = form.to_data(cleaned) if valid else form.draft_data()

    def write() -> None:
        form.write_extra(cleaned, draft=not valid)
        form.write_files(cleaned, prune=valid and not draft)

    if not save_section(request, application, section, data=data, complete=valid, write=write):
        return _render(request, application, section, form, context)
    malformed = form.malformed()
    if malformed:
        messages.warning(
            request, "以下内容有误，未暂存（保留原内容），请改正：" + "、".join(malformed) + "。"
        )
    if malformed or action == "add" or removed:
        return HttpResponseRedirect(section_url(application, section.code))
    return after_save(application)


def _render(request, application, section, form, context) -> HttpResponse:
    extra: dict[str, Any] = {"form": form}
    if context is not None:
        extra |= context(form)
    # What the template shows beside a field rides on the field (templates cannot index dicts).
    for name, field in form.fields.items():
        field.note = extra.get("notes", {}).get(name, "")
        field.group = extra.get("groups", {}).get(name, "")
        slot = getattr(field, "slot", None)
        field.files = form.slot_files(slot) if slot else []
    extra["has_multiple"] = any(s.multiple for s in form.all_slots)
    return render_section(request, application, section, TEMPLATE, extra)


# --- 行政区划 picker ---------------------------------------------------------------------------


@dataclass
class DivisionTree:
    provinces: list[tuple[str, str]]
    cities: list[tuple[str, str]]  # (code, name); a province's own code = its direct counties
    counties: list[tuple[str, str]]
    parents: dict[str, str]  # child code → parent code (as the picker chains them)
    names: dict[str, str]  # county code → full name (湖北省武汉市江岸区)


def division_tree() -> DivisionTree:
    """Province → city → county for the provinces the review tree covers."""
    province_codes = list(
        Institution.objects.filter(tier=Tier.PROVINCE, division__isnull=False).values_list(
            "division_id", flat=True
        )
    )
    prefixes = {code[:2] for code in province_codes}
    rows = [
        d
        for d in Division.objects.filter(code__regex=r"^(" + "|".join(prefixes or {"--"}) + ")")
        .only("code", "name", "level", "parent_id")
        .order_by("code")
    ]
    by_code = {d.code: d for d in rows}
    tree = DivisionTree([], [], [], {}, {})
    direct: set[str] = set()
    for d in rows:
        if d.level == Division.Level.PROVINCE:
            tree.provinces.append((d.code, d.name))
        elif d.level == Division.Level.PREFECTURE:
            tree.cities.append((d.code, d.name))
            tree.parents[d.code] = d.parent_id or ""
        elif d.level == Division.Level.COUNTY and d.parent_id:
            parent = by_code.get(d.parent_id)
            if parent is None:
                continue
            tree.counties.append((d.code, d.name))
            tree.parents[d.code] = d.parent_id
            if parent.level == Division.Level.PROVINCE:
                direct.add(parent.code)
                tree.names[d.code] = f"{parent.name}{d.name}"
            else:
                province = by_code.get(parent.parent_id or "")
                tree.names[d.code] = f"{province.name if province else ''}{parent.name}{d.name}"
    for code in sorted(direct):
        tree.cities.append((code, "省直辖县级行政区划"))
        tree.parents.setdefault(code, code)
    return tree


def county_bureau_for(division_code: str) -> Institution | None:
    return Institution.objects.filter(
        tier=Tier.COUNTY, division_id=division_code, is_active=True
    ).first()


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
        "division_province": _choice(f"{word}地点所在省份", [], required=False),
        "division_city": _choice(f"{word}地点所在市州", [], required=False),
        "division": forms.ChoiceField(
            label=f"{word}地点所在区县",
            error_messages={
                "required": "请选择区县。",
                "invalid_choice": "请选择有效的区县。",
            },
            help_text="选择的区县即为现场确认和初审的地点（该区县卫生健康局）。",
        ),
        "address": _text("详细地址", max_length=255, help_text="精确到门牌号。"),
        "place_name": _text(place, help_text="医疗机构名称。"),
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

    ethnicity = _choice("民族", [])
    political_status = _choice("政治面貌", [])
    health_status = _choice("健康状态", [("", "请选择")] + [(s, s) for s in HEALTH_STATUSES])
    occupation = _text("现从事主要职业", max_length=64)
    work_unit = _text("工作单位", required=False)
    no_work_unit = forms.BooleanField(label="无工作单位", required=False)
    home_address = _text("家庭住址", max_length=255)
    mailing_address = _text("通讯地址", max_length=255)
    postal_code = forms.RegexField(
        label="邮编",
        regex=r"^\d{6}$",
        error_messages={"required": "请填写邮编。", "invalid": "邮编应为6位数字。"},
    )
    household_registration = _text("户籍所在地", max_length=255)

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
            self.add_error("work_unit", _required("请填写工作单位；没有工作单位请勾选“无”。"))

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


@section_page(TCM, "basic")
def basic_page(request, application, section):
    candidate = application.candidate
    facts = [
        ("姓名", candidate.name),
        ("性别", candidate.get_gender_display()),
        ("出生日期", candidate.birth_date.isoformat() if candidate.birth_date else ""),
    ]
    return handle(
        request,
        application,
        section,
        BasicForm,
        context=lambda form: {
            "facts": facts,
            "facts_note": "以上信息来自实名认证，不能修改。",
        },
    )


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
    started_on = _date_field("跟师学习开始时间")
    ended_on = _date_field("跟师学习结束时间")
    experience = _textarea("跟师学习医术及实践经历")
    has_certificate = _choice("是否具有《传统医学师承出师证书》", YES_NO, widget=forms.RadioSelect)

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
        return _order(data, "apprenticeship")


def _order(data: dict[str, Any], code: str) -> dict[str, Any]:
    from exam.sections import TCM_SECTION_FIELDS

    keys = [k for k, _ in TCM_SECTION_FIELDS[code]]
    return {k: data[k] for k in keys if k in data} | {
        k: v for k, v in data.items() if k not in keys
    }


@section_page(TCM, "apprenticeship")
def apprenticeship_page(request, application, section):
    return handle(
        request,
        application,
        section,
        ApprenticeshipForm,
        context=lambda form: {
            "intro": [
                "具有《传统医学师承出师证书》的，需上传出师证书及继续跟师学习中医满两年的证明材料"
                "（每年的临床实践记录等）、跟师学习笔记、跟师学习合同以及跟师合同公证书。",
                "无《传统医学师承出师证书》的，需上传自跟师学习时间确定之日起连续跟师学习中医满五年"
                "的证明材料（临床实践记录等）、跟师学习笔记、跟师学习合同以及跟师合同公证书。",
                "切换是否具有出师证书后，保存时不再需要的附件将被删除。",
            ],
            "notes": {
                MASTER_CERTIFICATE.field: "具有出师证书的需上传。",
                TWO_YEAR_PROOF.field: "具有出师证书的需上传。",
                FIVE_YEAR_PROOF.field: "无出师证书的需上传。",
            },
        },
    )


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
    started_on = _date_field("医术实践开始时间")
    ended_on = _date_field(
        "医术实践结束时间", required=False, help_text="仍在实践的，请留空（视为至今）。"
    )
    experience = _textarea("医术实践经历")
    origin = _textarea("医术渊源")
    proof_type = _choice(
        "实践经历证明", [(p, p) for p in PRACTICE_PROOFS], widget=forms.RadioSelect
    )
    proof_issuer = _text("证明单位名称", required=False)

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
            self.add_error("proof_issuer", _required("请填写证明单位名称。"))
        if proof == PROOF_CERTIFICATE:
            have = self.file_count(EXPERTISE_CERTIFICATE, cleaned) + self.file_count(
                RURAL_DOCTOR_LICENSE, cleaned
            )
            if not have and EXPERTISE_CERTIFICATE.field not in self.errors:
                self.add_error(
                    EXPERTISE_CERTIFICATE.field,
                    _required("请上传《传统医学医术确有专长证书》或《乡村医生执业证书》。"),
                )

    def to_data(self, cleaned):
        data = super().to_data(cleaned)
        if data.get("proof_type") != PROOF_FIVE_YEARS:
            data["proof_issuer"] = ""
        return _order(data, "practice")


def _supervisor_notice(application: Application, data: dict[str, Any]) -> str:
    if practice_needs_supervisor(application, practice=data):
        cutoff = application.project.practice_supervisor_cutoff
        return (
            f"您的医术实践时间全部或部分在《中华人民共和国中医药法》施行"
            f"（{cutoff.year}年{cutoff.month}月{cutoff.day}日）"
            "之后，需要在“推荐信息”中额外添加一名指导老师。"
        )
    return ""


@section_page(TCM, "practice")
def practice_page(request, application, section):
    def context(form):
        data = form.stored
        if form.is_bound and hasattr(form, "cleaned_data"):
            data = form.to_data(form.cleaned_data)
        return {
            "intro": [
                "实践经历证明三选一：选择“近五年证明”需上传证明并填写证明单位名称；选择“患者推荐"
                "证明（10份）”需上传10份患者推荐证明；选择证书需上传《传统医学医术确有专长证书》"
                "或《乡村医生执业证书》。",
                "更换证明类型后，保存时不再需要的附件将被删除。",
            ],
            "notice": _supervisor_notice(application, data),
            "notes": {
                PRACTICE_PROOF.field: "选择“近五年证明”时需上传。",
                "proof_issuer": "选择“近五年证明”时必填。",
                PATIENT_RECOMMENDATIONS.field: "选择“患者推荐证明（10份）”时需上传。",
                EXPERTISE_CERTIFICATE.field: "选择证书时，两种证书上传其一即可。",
                RURAL_DOCTOR_LICENSE.field: "选择证书时，两种证书上传其一即可。",
            },
        }

    response = handle(request, application, section, PracticeForm, context=context)
    if request.method == "POST" and isinstance(response, HttpResponseRedirect):
        section.refresh_from_db()
        notice = _supervisor_notice(application, section.data)
        if notice:
            messages.info(request, notice)
    return response


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

    disease_category = _text(
        "病症分类",
        max_length=64,
        widget=forms.TextInput(attrs={"list": "disease-categories", "autocomplete": "off"}),
        help_text="输入文字可快速搜索，请从列表中选择。",
    )
    method = _choice("中医药技术方法", [], widget=forms.RadioSelect)
    technique = _choice(
        "医疗技术",
        [("", "请选择")] + [(group, [(n, n) for n in names]) for group, names in TECHNIQUES],
    )
    external_medicine = _choice(
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
            self.add_error("external_medicine", _required("选择外治技术时，请选择有无外用药。"))

    def to_data(self, cleaned):
        data = super().to_data(cleaned)
        if EXTERNAL not in (data.get("method") or ""):
            data.pop("external_medicine", None)
        return data


@section_page(TCM, "technique")
def technique_page(request, application, section):
    return handle(
        request,
        application,
        section,
        TechniqueForm,
        context=lambda form: {
            "datalist": ("disease-categories", DISEASE_CATEGORIES),
            "notes": {"external_medicine": "选择外治技术时必选。"},
        },
    )


# --- 学习经历 ------------------------------------------------------------------------------


class StudyForm(TcmSectionForm):
    """学习经历 (each with its 学历证书) and 继续教育经历. A new record is added when all its
    fields (and the diploma) are there; records and diplomas pair up in order."""

    data_keys = ("has_study", "records", "no_study_note", "continuing_education")
    all_slots = ()

    has_study = _choice(
        "是否有学习经历",
        [(YES, "有学习经历"), (NO, "无学习经历")],
        widget=forms.RadioSelect,
    )
    no_study_note = _textarea("无学习经历说明", required=False, max_length=1000)
    rec_school = _text("学校", required=False)
    rec_education = _choice("学历", [("", "请选择")] + [(e, e) for e in EDUCATIONS], required=False)
    rec_major = _text("专业", required=False, max_length=64)
    rec_started_on = _date_field("起始时间", required=False)
    rec_ended_on = _date_field("结束时间", required=False)
    rec_certificate_no = _text("学历证书编号", required=False, max_length=64)
    ce_institution = _text("教育机构", required=False)
    ce_started_on = _date_field("起始时间 ", required=False)
    ce_ended_on = _date_field("结束时间 ", required=False)
    ce_content = _text("学习内容", required=False, max_length=255)

    RECORD_FIELDS = ("school", "education", "major", "started_on", "ended_on", "certificate_no")
    CE_FIELDS = ("institution", "started_on", "ended_on", "content")
    CE_REQUIRED = ("institution", "started_on", "content")

    def __init__(self, *args, removed_record=None, removed_ce=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rec_diploma"] = UploadField(label="学历证书", required=False)
        self.fields["rec_diploma"].candidate = self.candidate
        # With its record (after 学历证书编号), not under the 继续教育经历 fields.
        self.order_fields([name for name in self.fields if not name.startswith("ce_")])
        self.removed_record = removed_record
        self.removed_ce = removed_ce
        records = [r for r in self.stored.get("records") or [] if isinstance(r, dict)]
        diplomas = self.existing.get(DIPLOMA.kind, [])
        self.records = [
            (record, diplomas[i] if i < len(diplomas) else None) for i, record in enumerate(records)
        ]
        self.continuing = [
            c for c in self.stored.get("continuing_education") or [] if isinstance(c, dict)
        ]
        self.new_record: dict[str, Any] | None = None
        self.new_ce: dict[str, Any] | None = None

    def initial_from(self, data):
        initial = super().initial_from(data)
        if isinstance(data.get("has_study"), bool):
            initial["has_study"] = YES if data["has_study"] else NO
        return initial

    def kept_records(self):
        return [r for i, r in enumerate(self.records) if i != self.removed_record]

    def kept_continuing(self):
        return [c for i, c in enumerate(self.continuing) if i != self.removed_ce]

    def clean_section(self, cleaned):
        self._new_record(cleaned)
        self._new_ce(cleaned)
        has = cleaned.get("has_study")
        if has == YES:
            count = len(self.kept_records()) + (1 if self.new_record else 0)
            if not count and not self._record_typed(cleaned):
                self.add_error("rec_school", _required("请添加至少一条学习经历（含学历证书）。"))
            for record, diploma in self.kept_records():
                if diploma is None:
                    self.add_error(
                        None,
                        f"学习经历“{record.get('school', '')}”缺少学历证书，请删除后重新添加。",
                    )
        elif has == NO and not cleaned.get("no_study_note"):
            self.add_error("no_study_note", _required("无学习经历的，请填写说明。"))

    def _record_typed(self, cleaned) -> bool:
        return any(cleaned.get(f"rec_{k}") for k in self.RECORD_FIELDS) or bool(
            cleaned.get("rec_diploma")
        )

    def _new_record(self, cleaned) -> None:
        if not self._record_typed(cleaned):
            return
        if any(f"rec_{k}" in self.errors for k in self.RECORD_FIELDS):
            return
        missing = False
        for key in self.RECORD_FIELDS:
            if not cleaned.get(f"rec_{key}"):
                label = self.fields[f"rec_{key}"].label
                self.add_error(f"rec_{key}", ValidationError(f"请填写{label}。", code="partial"))
                missing = True
        if not cleaned.get("rec_diploma") and "rec_diploma" not in self.errors:
            self.add_error("rec_diploma", ValidationError("请上传学历证书。", code="partial"))
            missing = True
        start, end = cleaned.get("rec_started_on"), cleaned.get("rec_ended_on")
        if start and end and end < start:
            self.add_error("rec_ended_on", "结束时间不能早于起始时间。")
            missing = True
        if not missing:
            self.new_record = {k: _json(cleaned[f"rec_{k}"]) for k in self.RECORD_FIELDS}

    def _new_ce(self, cleaned) -> None:
        if not any(cleaned.get(f"ce_{k}") for k in self.CE_FIELDS):
            return
        if any(f"ce_{k}" in self.errors for k in self.CE_FIELDS):
            return
        missing = False
        for key in self.CE_REQUIRED:
            if not cleaned.get(f"ce_{key}"):
                label = self.fields[f"ce_{key}"].label.strip()
                self.add_error(f"ce_{key}", ValidationError(f"请填写{label}。", code="partial"))
                missing = True
        start, end = cleaned.get("ce_started_on"), cleaned.get("ce_ended_on")
        if start and end and end < start:
            self.add_error("ce_ended_on", "结束时间不能早于起始时间。")
            missing = True
        if not missing:
            self.new_ce = {k: _json(cleaned.get(f"ce_{k}")) for k in self.CE_FIELDS}

    def to_data(self, cleaned):
        has = cleaned.get("has_study")
        # 无学习经历 saved as complete: the records (and their diplomas) go.
        records = [] if has == NO and self.is_valid() else [r for r, _ in self.kept_records()]
        if self.new_record:
            records.append(self.new_record)
        continuing = self.kept_continuing() + ([self.new_ce] if self.new_ce else [])
        data: dict[str, Any] = {
            "has_study": True if has == YES else False if has == NO else "",
            "records": records,
            "no_study_note": cleaned.get("no_study_note") or "",
            "continuing_education": continuing,
        }
        return data

    def draft_data(self):
        data = self.to_data(self.cleaned_data)
        if "has_study" in self.errors and "has_study" in self.stored:
            data["has_study"] = self.stored["has_study"]
        return data

    def write_files(self, cleaned, *, prune):
        doomed = []
        if self.removed_record is not None and self.removed_record < len(self.records):
            diploma = self.records[self.removed_record][1]
            if diploma is not None:
                doomed.append(diploma)
        if prune and cleaned.get("has_study") == NO:
            doomed = [d for _, d in self.records if d is not None]
        if self.new_record:
            label = f"学历证书（{self.new_record['school']}）"
            self.add_file(DIPLOMA, label, cleaned["rec_diploma"])
        for attachment in doomed:
            attachment.file.delete(save=False)
            attachment.delete()

    def record_rows(self) -> list[dict[str, Any]]:
        from exam.sections import TCM_ITEM_FIELDS

        labels = dict(TCM_ITEM_FIELDS["records"])
        return [
            {
                "index": i,
                "text": "，".join(f"{labels[k]}：{record.get(k, '')}" for k in labels),
                "diploma": (
                    {
                        "label": diploma.label,
                        "url": file_url(self.application, "attachment", diploma.pk),
                    }
                    if diploma
                    else None
                ),
            }
            for i, (record, diploma) in enumerate(self.records)
        ]

    def ce_rows(self) -> list[dict[str, Any]]:
        from exam.sections import TCM_ITEM_FIELDS

        labels = dict(TCM_ITEM_FIELDS["continuing_education"])
        return [
            {"index": i, "text": "，".join(f"{labels[k]}：{c.get(k, '')}" for k in labels)}
            for i, c in enumerate(self.continuing)
        ]

    def malformed(self):
        labels = []
        for name, errors in self.errors.as_data().items():
            if name == "__all__":
                continue
            if any(e.code not in {"required"} for e in errors):
                labels.append(str(self.fields[name].label).strip())
        return labels


def _index(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


@section_page(TCM, "study")
def study_page(request, application, section):
    def form_class(*args, **kwargs):
        if args:
            kwargs |= {
                "removed_record": _index(request, "remove_record"),
                "removed_ce": _index(request, "remove_ce"),
            }
        return StudyForm(*args, **kwargs)

    if request.method == "POST" and (
        _index(request, "remove_record") is not None or _index(request, "remove_ce") is not None
    ):
        request.POST = request.POST.copy()
        request.POST["action"] = "add"  # keep what is typed, come back to this page

    return handle(
        request,
        application,
        section,
        form_class,  # type: ignore[arg-type]
        context=lambda form: {
            "intro": [
                "每条学习经历都需上传对应的学历证书；无学习经历的，请选择“无学习经历”并填写说明。",
                "填写下方“新增学习经历”或“新增继续教育经历”后，点击“添加”加入列表。",
            ],
            "records": form.record_rows(),
            "continuing": form.ce_rows(),
            "groups": {"rec_school": "新增学习经历", "ce_institution": "新增继续教育经历"},
            "notes": {"no_study_note": "选择“无学习经历”时必填。"},
            "add_button": "添加",
        },
    )


# --- 医术专长及医案 ----------------------------------------------------------------------------


class ExpertiseForm(TcmSectionForm):
    data_keys = ("content", "indications", "safety", "effectiveness", "risks")
    all_slots = (EXPERTISE_PROOF,)

    content = _textarea("医术基本内容及特点")
    indications = _textarea("适应症或使用范围")
    safety = _textarea("安全性")
    effectiveness = _textarea("有效性")
    risks = _textarea("医术潜在的风险性")


CASE_FIELDS = (
    "patient_name",
    "patient_gender",
    "patient_age",
    "address",
    "phone",
    "chief_complaint",
    "history",
    "syndrome_analysis",
    "diagnosis",
    "treatment",
    "analysis",
)


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


def case_record_complete(record: CaseRecord) -> bool:
    return all(getattr(record, f) not in (None, "") for f in CASE_FIELDS)


def expertise_complete(
    application: Application, section: Section, data: dict[str, Any], overview_ok: bool | None
) -> bool:
    """The overview complete (texts and proof) and every one of the N case records."""
    if overview_ok is None:
        form = ExpertiseForm(
            {k: data.get(k, "") for k in ExpertiseForm.data_keys},
            {},
            application=application,
            section=section,
        )
        overview_ok = form.is_valid()
    needed = application.project.case_record_count
    records = {
        r.number: r for r in application.case_records.filter(number__lte=needed, number__gte=1)
    }
    return overview_ok and all(
        n in records and case_record_complete(records[n]) for n in range(1, needed + 1)
    )


def _case_rows(application: Application) -> list[dict[str, Any]]:
    needed = application.project.case_record_count
    records = {r.number: r for r in application.case_records.all()}
    return [
        {
            "number": n,
            "url": f"{section_url(application, 'expertise')}?record={n}",
            "record": records.get(n),
            "complete": n in records and case_record_complete(records[n]),
        }
        for n in range(1, needed + 1)
    ]


@section_page(TCM, "expertise")
def expertise_page(request, application, section):
    number = request.GET.get("record", "")
    if number:
        return case_record_page(request, application, section, number)
    if request.method != "POST":
        form = ExpertiseForm(application=application, section=section)
        return _render(request, application, section, form, _expertise_context(application))

    action = request.POST.get("action", "save")
    removed = _removed(request)
    form = ExpertiseForm(
        request.POST, request.FILES, application=application, section=section, removed=removed
    )
    valid = form.is_valid()
    draft = action != "save" or bool(removed)
    if not draft and not valid:
        messages.error(request, "请按提示修改后再保存。")
        return _render(request, application, section, form, _expertise_context(application))
    cleaned = dict(form.cleaned_data)
    data = form.to_data(cleaned) if valid else form.draft_data()
    complete = expertise_complete(application, section, data, overview_ok=valid)

    def write() -> None:
        form.write_files(cleaned, prune=False)

    if not save_section(request, application, section, data=data, complete=complete, write=write):
        return _render(request, application, section, form, _expertise_context(application))
    if valid and not complete:
        missing = [str(r["number"]) for r in _case_rows(application) if not r["complete"]]
        messages.info(request, f"还需完成回顾性中医医术实践资料：病案{'、'.join(missing)}。")
    malformed = form.malformed()
    if malformed:
        messages.warning(
            request, "以下内容有误，未暂存（保留原内容），请改正：" + "、".join(malformed) + "。"
        )
    if (action == "save" and not removed) and not malformed:
        return after_save(application)
    if action == "draft" and not malformed:
        return after_save(application)
    return HttpResponseRedirect(section_url(application, section.code))


def _expertise_context(application: Application) -> Callable[[TcmSectionForm], dict[str, Any]]:
    count = application.project.case_record_count
    return lambda form: {
        "intro": [
            f"回顾性中医医术实践资料：所有考生均需填写{count}份病案，每份病案的各项内容均为必填。",
        ],
        "case_rows": _case_rows(application),
    }


def case_record_page(
    request: HttpRequest, application: Application, section: Section, number: str
) -> HttpResponse:
    needed = application.project.case_record_count
    if not number.isdigit() or not 1 <= int(number) <= needed:
        messages.error(request, f"病案序号应为1至{needed}。")
        return HttpResponseRedirect(section_url(application, section.code))
    n = int(number)
    record = application.case_records.filter(number=n).first() or CaseRecord(
        application=application, number=n
    )
    title = f"回顾性中医医术实践资料 · 病案{n}/{needed}"
    if request.method != "POST":
        form = CaseRecordForm(instance=record)
        return _render_case(request, application, section, form, title)
    action = request.POST.get("action", "save")
    form = CaseRecordForm(request.POST, instance=record)
    valid = form.is_valid()
    if action == "save" and not valid:
        messages.error(request, "请按提示修改后再保存。")
        return _render_case(request, application, section, form, title)
    bad = {
        name
        for name, errors in form.errors.as_data().items()
        if any(e.code != "required" for e in errors)
    }
    values: dict[str, Any] = {}
    for name in CASE_FIELDS:
        if name in form.cleaned_data:
            values[name] = form.cleaned_data[name]
        elif name in bad:
            values[name] = getattr(record, name) if record.pk else None
        else:
            values[name] = None
    for name in CASE_FIELDS:
        value = values[name]
        if value is None and name != "patient_age":
            value = ""
        setattr(record, name, value)

    def write() -> None:
        record.save()

    data = dict(section.data or {})
    # The record is saved in `write`; completeness counts it as it will be.
    complete_record = case_record_complete(record)

    def verdict() -> bool:
        others = {
            r.number: r
            for r in application.case_records.filter(number__lte=needed).exclude(number=n)
        }
        overview = ExpertiseForm(
            {k: data.get(k, "") for k in ExpertiseForm.data_keys},
            {},
            application=application,
            section=section,
        ).is_valid()
        return (
            overview
            and complete_record
            and all(
                k in others and case_record_complete(others[k])
                for k in range(1, needed + 1)
                if k != n
            )
        )

    if not save_section(request, application, section, data=data, complete=verdict(), write=write):
        return _render_case(request, application, section, form, title)
    if complete_record:
        messages.success(request, f"病案{n}已保存。")
    else:
        messages.warning(request, f"病案{n}已暂存，尚有内容未填写。")
    if bad:
        labels = [str(form.fields[name].label) for name in CASE_FIELDS if name in bad]
        messages.warning(
            request, "以下内容有误，未暂存（保留原内容），请改正：" + "、".join(labels) + "。"
        )
        return HttpResponseRedirect(f"{section_url(application, section.code)}?record={n}")
    if action == "save" and n < needed:
        return HttpResponseRedirect(f"{section_url(application, section.code)}?record={n + 1}")
    return HttpResponseRedirect(section_url(application, section.code))


def _render_case(request, application, section, form, title) -> HttpResponse:
    return render_section(
        request,
        application,
        section,
        "exam/site/tcm/case_record.html",
        {"form": form, "title": title, "back_url": section_url(application, section.code)},
    )


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

    title_certificate = _text("卫生类职称证名称", required=False, max_length=64)
    title_issued_on = _date_field("卫生类职称证发证时间", required=False)
    title_issuer = _text("卫生类职称证发证机构", required=False)
    other_proof = _text("其他证明材料名称", required=False, max_length=64)
    other_issued_on = _date_field("其他证明材料发证时间", required=False)
    other_issuer = _text("其他证明材料发证机构", required=False)

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
                        self.add_error(key, _required(f"已上传{slot.label}，请填写{what}。"))
            else:
                typed = [k for k in (f"{prefix}_issued_on", f"{prefix}_issuer") if cleaned.get(k)]
                name_key = "title_certificate" if prefix == "title" else "other_proof"
                if typed or cleaned.get(name_key):
                    self.add_error(
                        slot.field,
                        _required(f"请上传{slot.label}，或清空其名称、发证时间和发证机构。"),
                    )
            issued = cleaned.get(f"{prefix}_issued_on")
            if issued and issued > datetime.date.today():
                self.add_error(f"{prefix}_issued_on", "发证时间不能晚于今天。")


@section_page(TCM, "credentials")
def credentials_page(request, application, section):
    return handle(
        request,
        application,
        section,
        CredentialsForm,
        context=lambda form: {
            "intro": ["资历证明为选填项；若上传附件，则需填写发证时间和发证机构。"],
            "groups": {"title_certificate": "卫生类职称证", "other_proof": "其他证明材料"},
        },
    )
