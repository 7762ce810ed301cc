"""Candidate-side writes of the health exam's 证明材料 (学历, 职称, 资格证, 执业证, 补充信息)
and of the 基础信息 that also lives on the Candidate row.

These run inside `exam.services.section_save` (as its `write` callback), so they share its
transaction, its owner check and its locked-section / submitted-application refusals; each
function still checks that the actor owns the application, so it cannot be misused alone.

A material a reviewer has already 核验 (核验通过 / 核验不通过) goes back to 待核验 when the
candidate changes it: the reviewers must look again. That reset is logged.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model

from core.audit import log_action
from core.errors import ServiceError
from exam.audit_actions import LOG_MATERIAL_RESET_BY_CANDIDATE
from exam.duplicates.files import fingerprint_on_commit
from exam.models import Application, EducationRecord, Material, VerificationStatus
from exam.uploads import attach_upload, delete_files_on_commit
from people.audit_actions import entry_data
from people.models import Candidate, Ethnicity, PoliticalStatus

MAX_EDUCATION_RECORDS = 5


def _require_owner(actor: AbstractBaseUser, application: Application) -> None:
    if not actor.is_authenticated or application.candidate.user_id != actor.pk:
        raise ServiceError("只能操作本人的申报。")


def _value_key(value: Any) -> Any:
    """A comparable form of a field value (model instances by pk)."""
    return value.pk if isinstance(value, Model) else value


def _reset_verification(*, actor: AbstractBaseUser, material: Material, what: str) -> None:
    """核验通过 / 核验不通过 → 待核验, with who and when cleared (the FSM field is protected,
    and no transition leads back: a plain UPDATE, like the reviewers' batch service)."""
    previous = material.get_verification_status_display()
    type(material).objects.filter(pk=material.pk).update(
        verification_status=VerificationStatus.PENDING,
        verification_remark="",
        verified_by=None,
        verified_at=None,
    )
    log_action(
        action=LOG_MATERIAL_RESET_BY_CANDIDATE,
        actor=actor,
        subject=material.application,
        data=entry_data(
            institution=material.application.current_institution,
            from_state=material.verification_status,
            to_state=VerificationStatus.PENDING,
            remark=f"{material.LABEL}（{what}）：考生修改了已{previous}的材料，恢复为待核验。",
        ),
    )


def material_save_from_candidate(
    *,
    actor: AbstractBaseUser,
    application: Application,
    material: Material,
    values: dict[str, Any],
    image: Any = None,
) -> Material:
    """Create or change one material of the application from the candidate's form.

    `values` are the model fields the form edits; `image` is what UploadField cleaned (a
    StagedUpload replaces the file, anything else keeps the current one). A change to a
    material already 核验 sends it back to 待核验."""
    _require_owner(actor, application)
    if material.pk is not None and material.application_id != application.pk:
        raise ServiceError("只能修改本人申报中的材料。")
    material.application = application
    is_new = material.pk is None
    changed = False
    for name, value in values.items():
        if _value_key(getattr(material, name, None)) != _value_key(value):
            setattr(material, name, value)
            changed = True
    new_file = attach_upload(material.image, image, stem=material._meta.model_name)
    changed = changed or new_file
    if not is_new and not changed:
        return material
    material.save()
    if new_file:
        fingerprint_on_commit(material)  # 查重, once this commits
    if not is_new and material.verification_status != VerificationStatus.PENDING:
        _reset_verification(actor=actor, material=material, what=_describe(material))
        material.refresh_from_db()
    return material


def material_delete_from_candidate(
    *, actor: AbstractBaseUser, application: Application, material: Material
) -> None:
    """Remove one material from the candidate's own application; its file once that commits."""
    _require_owner(actor, application)
    if material.application_id != application.pk:
        raise ServiceError("只能删除本人申报中的材料。")
    image = material.image
    material.delete()
    delete_files_on_commit([image])


def education_record_add_check(*, application: Application) -> None:
    """At most five 学历 (a refusal the page shows before the form and the save re-checks)."""
    if EducationRecord.objects.filter(application=application).count() >= MAX_EDUCATION_RECORDS:
        raise ServiceError(f"学历信息最多填写{MAX_EDUCATION_RECORDS}条，请删除或修改已有的学历。")


def highest_education_record(records: list[EducationRecord]) -> EducationRecord | None:
    """The highest 学历: the lowest GB/T 4658 category code (10 研究生 … 40 中专), the latest
    graduation among equals. Derived, never typed: the reviewers' 学历层级 filter reads it."""
    if not records:
        return None
    return min(records, key=lambda r: (r.level_id, -r.graduation_date.toordinal()))


def education_highest_update(*, application: Application) -> EducationRecord | None:
    """Recompute Application.highest_education (the 学历层级 the reviewers filter on) from the
    records, after an add, change or delete."""
    records = list(EducationRecord.objects.filter(application=application).select_related("level"))
    highest = highest_education_record(records)
    label = (highest.level.exam_label or highest.level.name) if highest else ""
    Application.objects.filter(pk=application.pk).update(highest_education=label)
    application.highest_education = label
    return highest


def candidate_profile_save_from_section(
    *,
    actor: AbstractBaseUser,
    application: Application,
    ethnicity: Ethnicity | None,
    political_status: PoliticalStatus | None,
) -> None:
    """基础信息's 民族 and 政治面貌 also belong to the candidate (the reviewers' lists and the
    next application read them there). A value left empty (暂存) changes nothing."""
    _require_owner(actor, application)
    changes = {
        name: value
        for name, value in (("ethnicity", ethnicity), ("political_status", political_status))
        if value is not None
    }
    if not changes:
        return
    Candidate.objects.filter(pk=application.candidate_id).update(**changes)
    for name, value in changes.items():
        setattr(application.candidate, name, value)


def _describe(material: Material) -> str:
    for name in ("school", "certificate_no", "title_name"):
        value = getattr(material, name, "")
        if value:
            return str(value)
    return f"#{material.pk}"
