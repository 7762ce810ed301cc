"""Candidate-side writes of the TCM sections' rows beyond Section.data: attachments (one row
per file) and case records.

Like exam.material_writes, these run inside `exam.services.section_save` (as its `write`
callback), sharing its transaction and its refusals; each still checks that the actor owns
the application. Files of removed attachments go once the transaction commits."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from core.errors import ServiceError
from exam.duplicates.files import fingerprint_on_commit
from exam.duplicates.text_hooks import case_record_saved
from exam.models import Application, Attachment, CaseRecord
from exam.uploads import attach_upload, content_type_of, delete_files_on_commit


def _require_owner(actor: AbstractBaseUser, application: Application) -> None:
    if not actor.is_authenticated or application.candidate.user_id != actor.pk:
        raise ServiceError("只能操作本人的申报。")


def attachment_add(
    *,
    actor: AbstractBaseUser,
    application: Application,
    section_code: str,
    kind: str,
    label: str,
    upload: Any,
) -> Attachment:
    """One file of a section: `upload` is what UploadField cleaned (a StagedUpload)."""
    _require_owner(actor, application)
    attachment = Attachment(
        application=application,
        section_code=section_code,
        kind=kind,
        label=label,
        content_type=content_type_of(upload),
    )
    attach_upload(attachment.file, upload, stem=kind)
    attachment.size = attachment.file.size
    attachment.save()
    fingerprint_on_commit(attachment)  # 查重, once this commits
    return attachment


def attachments_remove(
    *, actor: AbstractBaseUser, application: Application, attachments: list[Attachment]
) -> None:
    """Remove the candidate's own section attachments (a teacher's are the recommender
    services')."""
    _require_owner(actor, application)
    if any(a.application_id != application.pk or a.recommender_id for a in attachments):
        raise ServiceError("只能删除本人申报中的附件。")
    files = [a.file for a in attachments]
    Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    delete_files_on_commit(files)


def case_record_save(
    *, actor: AbstractBaseUser, application: Application, record: CaseRecord
) -> CaseRecord:
    """Create or change one 病案 of the application (numbered 1 … the project's count)."""
    _require_owner(actor, application)
    if record.application_id != application.pk:
        raise ServiceError("只能修改本人申报中的病案。")
    if not 1 <= record.number <= application.project.case_record_count:
        raise ServiceError(f"病案序号应为1至{application.project.case_record_count}。")
    record.save()
    case_record_saved(record)  # 查重 once the save commits
    return record
