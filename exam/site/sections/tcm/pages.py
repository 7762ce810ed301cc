"""The TCM section pages (seed 000 §4.3), except 推荐信息: one request cycle (`handle`) for
every page, and the 医术专长及医案 page with its case records.

Every page has 保存 (complete only when everything required is there and valid; otherwise the
page comes back with the errors and nothing is changed) and 暂存 (keep what was typed, the
section stays 去完善). In a 暂存, a value that is malformed (not merely missing) is not
stored: the value saved before is kept and a warning names the field, and the page is shown
again so the candidate can correct it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from exam.attachment_writes import case_record_save
from exam.completeness.tcm import case_record_complete
from exam.models import Application, CaseRecord, ExamKind, Section
from exam.recommendation import practice_needs_supervisor
from exam.site.registry import (
    after_save,
    render_section,
    save_section,
    section_page,
    section_url,
)
from exam.site.sections.tcm.base import TcmSectionForm
from exam.site.sections.tcm.forms import (
    ApprenticeshipForm,
    BasicForm,
    CaseRecordForm,
    CredentialsForm,
    ExpertiseForm,
    PracticeForm,
    TechniqueForm,
)
from exam.site.sections.tcm.study import StudyForm
from exam.tcm_lists import (
    CASE_FIELDS,
    DISEASE_CATEGORIES,
    EXPERTISE_CERTIFICATE,
    FIVE_YEAR_PROOF,
    MASTER_CERTIFICATE,
    PATIENT_RECOMMENDATIONS,
    PRACTICE_PROOF,
    RURAL_DOCTOR_LICENSE,
    TWO_YEAR_PROOF,
)

TCM = ExamKind.TCM_EXPERTISE
TEMPLATE = "exam/site/tcm/section.html"


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

    if not save_section(request, application, section, data=data, draft=not valid, write=write):
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

    def write() -> None:
        form.write_files(cleaned, prune=False)

    if not save_section(request, application, section, data=data, draft=not valid, write=write):
        return _render(request, application, section, form, _expertise_context(application))
    if valid and section.status != Section.Status.COMPLETE:
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
        case_record_save(actor=request.user, application=application, record=record)

    data = dict(section.data or {})
    complete_record = case_record_complete(record)
    # The section's completeness (overview and every record) is the service's to decide.
    if not save_section(request, application, section, data=data, write=write):
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
