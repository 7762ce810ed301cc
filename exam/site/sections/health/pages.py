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

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

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
from exam.site.sections.health.forms import (
    BasicForm,
    EducationForm,
    MaterialForm,
    NurseLicenseForm,
    PhysicianLicenseForm,
    PhysicianQualificationForm,
    SupplementaryForm,
    TitleForm,
    refill,
    stored_data,
)

HEALTH = ExamKind.HEALTH_QUALIFICATION
NOT_APPLICABLE_KEY = "not_applicable"


def _is_draft(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("action") == "draft"


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
    initial = refill(BasicForm, section.data or {})
    initial.setdefault("phone", candidate.phone)
    if candidate.ethnicity_id:
        initial["ethnicity"] = candidate.ethnicity_id
    if candidate.political_status_id:
        initial["political_status"] = candidate.political_status_id
    form = BasicForm(
        request.POST or None, initial=initial, draft=draft, birth_date=candidate.birth_date
    )
    if request.method == "POST" and form.is_valid():
        typed = stored_data(form)
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

        if save_section(request, application, section, data=data, draft=draft, write=write):
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

        done = save_section(
            request, application, section, data=_education_data(remaining), write=delete
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

        if save_section(request, application, section, data=data, write=write):
            if section.status != Section.Status.COMPLETE:
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
            write=remove,
        ):
            return after_save(application)
        return HttpResponseRedirect(section_url(application, section.code))

    draft = _is_draft(request)
    data = section.data or {}
    initial: dict[str, Any] = {}
    if section.status == Section.Status.INCOMPLETE and data and NOT_APPLICABLE_KEY not in data:
        initial = refill(form_class, data)  # a 暂存 not yet saved
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
        stored = stored_data(form)
        if draft:
            # A 暂存 keeps what was typed in the section; the material row waits for 保存.
            if save_section(request, application, section, data=stored, draft=True):
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

            if save_section(request, application, section, data=stored, write=write):
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
