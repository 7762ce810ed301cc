"""The scrub steps of the retention purge (review/purge.py): one function per kind of
personal data, each told what is past its period (`PurgeScope`, from exam/retention.py) and
whether to change anything. A step returns what it found (rows and stored file names) and,
when `execute` is set, clears it in the caller's transaction; it never deletes a file itself
(the purge deletes the names it returns once the rows are committed).

To cover a new kind of personal data, write a step here and add it to `SCRUB_STEPS`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.audit import audit_payloads_scrub
from core.models import AuditLogEntry
from exam.duplicates.models import FileFingerprint, Match, TextFingerprint
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    CaseRecord,
    EligibilityResult,
    ExamProject,
    Recommender,
    RecommenderCode,
    Section,
    StagedUpload,
    TierReview,
)
from exam.retention import PURGED_NAME, PURGED_PHONE_PREFIX, PURGED_TEXT
from people.models import Candidate, IdentityVerification, Notification, SmsMessage
from review.changes import payload_files
from review.models import ReturnSnapshot


@dataclass(frozen=True)
class PurgeScope:
    """What one project's purge may touch on `today` (exam/retention.py decided it).

    `application_ids`: its applications past the application period, not purged yet;
    `signature_application_ids`: its applications past the identity period (their teachers'
    signatures go); `candidate_ids`: its candidates to anonymise (every application of theirs
    past its period, not anonymised yet); `photo_candidate_ids`: its candidates whose ID
    photos and 实名认证 images go (every application past its identity period)."""

    project: ExamProject
    today: datetime.date
    application_ids: tuple[int, ...]
    signature_application_ids: tuple[int, ...]
    candidate_ids: tuple[int, ...]
    photo_candidate_ids: tuple[int, ...]


@dataclass
class Found:
    """What a step found: rows it clears (or deletes) and stored files to delete."""

    rows: int = 0
    files: list[str] = field(default_factory=list)

    def add(self, rows: int = 0, files: Iterable[str] = ()) -> None:
        self.rows += rows
        self.files.extend(name for name in files if name)


Step = Callable[[PurgeScope, bool], Found]


@dataclass(frozen=True)
class ScrubStep:
    label: str  # the kind, as the command's output and the audit entry name it
    run: Step


def _texts(model: type[models.Model], *, keep: Iterable[str] = ()) -> dict[str, str]:
    """Every free-text column of `model` (no choices, not in `keep`) → "" ."""
    kept = set(keep)
    return {
        f.name: ""
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.name not in kept
    }


def _files(rows: models.QuerySet, name: str) -> list[str]:
    return [value for value in rows.exclude(**{name: ""}).values_list(name, flat=True) if value]


# --- applications past the application period ----------------------------------------------


def applications(scope: PurgeScope, execute: bool) -> Found:
    """申报: marked purged (个人信息清除时间), even one with nothing else to clear, so no
    later run or nightly job looks at it again; nothing else of the row changes."""
    rows = Application.objects.filter(pk__in=scope.application_ids, personal_data_purged_at=None)
    found = Found(rows=rows.count())
    if execute:
        rows.update(personal_data_purged_at=timezone.now())
    return found


def sections(scope: PurgeScope, execute: bool) -> Found:
    """申报内容: what the candidate typed in each section (status and locks stay)."""
    rows = Section.objects.filter(application__in=scope.application_ids).exclude(data={})
    found = Found(rows=rows.count())
    if execute:
        rows.update(data={})
    return found


def materials(scope: PurgeScope, execute: bool) -> Found:
    """证明材料: certificate numbers, schools, remarks and the image; 核验 states stay."""
    found = Found()
    for model in MATERIAL_MODELS:
        rows = model.objects.filter(application__in=scope.application_ids)
        found.add(rows=rows.count(), files=_files(rows, "image"))
        if execute:
            rows.update(image="", **_texts(model))
    return found


def attachments(scope: PurgeScope, execute: bool) -> Found:
    """附件: every attached file, with its row."""
    rows = Attachment.objects.filter(application__in=scope.application_ids)
    found = Found(rows=rows.count(), files=_files(rows, "file"))
    if execute:
        rows.delete()
    return found


def case_records(scope: PurgeScope, execute: bool) -> Found:
    """医案: the patient's name, address, phone and every text (the patient's sex and age,
    the record's number stay)."""
    rows = CaseRecord.objects.filter(application__in=scope.application_ids)
    found = Found(rows=rows.count())
    if execute:
        rows.update(**_texts(CaseRecord))
    return found


def teachers(scope: PurgeScope, execute: bool) -> Found:
    """推荐医师/指导老师: name, ID number, evaluation, opinion, signature; the codes' phone
    numbers and the text messages sent for them (role, status and times stay)."""
    rows = Recommender.objects.filter(application__in=scope.application_ids)
    codes = RecommenderCode.objects.filter(recommender__application__in=scope.application_ids)
    messages = SmsMessage.objects.filter(pk__in=codes.exclude(message=None).values("message"))
    found = Found(rows=rows.count(), files=_files(rows, "signature"))
    found.add(rows=codes.count() + messages.count())
    if execute:
        # The messages first: their subquery reads the codes.
        messages.update(phone="", text=PURGED_TEXT)
        codes.update(phone="", salt="", code_hash="")
        rows.update(signature="", **_texts(Recommender))
    return found


def review_remarks(scope: PurgeScope, execute: bool) -> Found:
    """Reviewers' remarks about the application (审核备注, 认定说明); decisions stay."""
    reviews = TierReview.objects.filter(application__in=scope.application_ids).exclude(remark="")
    results = EligibilityResult.objects.filter(application__in=scope.application_ids).exclude(
        override_remark=""
    )
    found = Found(rows=reviews.count() + results.count())
    if execute:
        reviews.update(remark=PURGED_TEXT)
        results.update(override_remark=PURGED_TEXT)
    return found


def return_snapshots(scope: PurgeScope, execute: bool) -> Found:
    """退回修改快照: the application's content as returned and the file copies kept with it
    (round, tier, institution, reviewer and time stay)."""
    rows = ReturnSnapshot.objects.filter(application__in=scope.application_ids)
    found = Found()
    copies: set[str] = set()  # a later round reuses an earlier round's copy of a file
    for snapshot in rows.exclude(payload={"purged": True}).only("pk", "payload"):
        found.rows += 1
        copies.update(f.get("copy", "") for f in payload_files(snapshot.payload))
    found.add(files=sorted(copies))
    if execute:
        rows.update(payload={"purged": True}, remark=PURGED_TEXT)
    return found


def fingerprints(scope: PurgeScope, execute: bool) -> Found:
    """查重: file and text fingerprints (derived from the files and texts) and the matches
    on either side, whose details quote the texts."""
    ids = scope.application_ids
    files = FileFingerprint.objects.filter(application__in=ids)
    texts = TextFingerprint.objects.filter(application__in=ids)
    matches = Match.objects.filter(
        models.Q(application__in=ids) | models.Q(other_application__in=ids)
    )
    found = Found(rows=files.count() + texts.count() + matches.count())
    if execute:
        matches.delete()
        texts.delete()  # their bands with them
        files.delete()
    return found


def application_log(scope: PurgeScope, execute: bool) -> Found:
    """审核日志 rows about the applications: the remark (free text that may quote the
    candidate or the teacher) is replaced; every row stays with its action, actor, time,
    tier and states."""
    rows = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Application),
        object_id__in=scope.application_ids,
    )
    return _log(rows, execute)


def _log(rows: models.QuerySet[AuditLogEntry], execute: bool) -> Found:
    if execute:
        return Found(rows=audit_payloads_scrub(rows=rows, key="remark", text=PURGED_TEXT))
    pending = rows.filter(data__has_key="remark").exclude(data__remark=PURGED_TEXT)
    return Found(rows=pending.count())


# --- identity period: signatures and ID photos -------------------------------------------------


def signatures(scope: PurgeScope, execute: bool) -> Found:
    """老师签名: the hand-drawn signatures (the shorter period)."""
    rows = Recommender.objects.filter(application__in=scope.signature_application_ids)
    found = Found(files=_files(rows, "signature"))
    found.rows = len(found.files)
    if execute:
        rows.exclude(signature="").update(signature="")
    return found


def id_photos(scope: PurgeScope, execute: bool) -> Found:
    """证件照 and the 实名认证 document images (the shorter period)."""
    people = Candidate.objects.filter(pk__in=scope.photo_candidate_ids)
    attempts = IdentityVerification.objects.filter(candidate__in=scope.photo_candidate_ids)
    found = Found(files=_files(people, "photo"))
    found.add(files=_files(attempts, "front_image") + _files(attempts, "back_image"))
    found.rows = (
        people.exclude(photo="").count() + attempts.exclude(front_image="", back_image="").count()
    )
    if execute:
        people.exclude(photo="").update(photo="")
        attempts.update(front_image="", back_image="")
    return found


def notices(scope: PurgeScope, execute: bool) -> Found:
    """消息 to the candidate about these applications (a return's remark, a rejection's
    reason), and about the anonymised candidates themselves (实名认证 decisions), with the text
    messages that carried them: body and SMS text and phone cleared; kind, title and times
    stay (what happened, not what was said)."""
    rows = Notification.objects.filter(
        models.Q(application_id__in=scope.application_ids)
        | models.Q(candidate__in=scope.candidate_ids)
    ).exclude(body=PURGED_TEXT)
    messages = SmsMessage.objects.filter(pk__in=rows.exclude(sms=None).values("sms"))
    found = Found(rows=rows.count() + messages.count())
    if execute:
        # The messages first: their subquery reads the notices' bodies.
        messages.update(phone="", text=PURGED_TEXT)
        rows.update(body=PURGED_TEXT)
    return found


# --- candidates past every period ---------------------------------------------------------------


def candidates(scope: PurgeScope, execute: bool) -> Found:
    """考生: name, ID number, birth date, phone, photo, their 实名认证 attempts and unsaved
    uploads; the login account is closed and renamed. Sex, ethnicity and the registration
    time stay (statistics)."""
    people = Candidate.objects.filter(pk__in=scope.candidate_ids)
    attempts = IdentityVerification.objects.filter(candidate__in=scope.candidate_ids)
    staged = StagedUpload.objects.filter(candidate__in=scope.candidate_ids)
    found = Found(rows=people.count() + attempts.count() + staged.count())
    found.add(files=_files(people, "photo") + _files(staged, "file"))
    found.add(files=_files(attempts, "front_image") + _files(attempts, "back_image"))
    if execute:
        attempts.update(name="", id_number="", reason="", front_image="", back_image="")
        staged.delete()
        for candidate in people.select_related("user"):
            candidate.name = PURGED_NAME
            candidate.id_number = ""
            candidate.birth_date = None
            candidate.phone = f"{PURGED_PHONE_PREFIX}{candidate.pk}"
            candidate.photo = ""
            candidate.save(update_fields=["name", "id_number", "birth_date", "phone", "photo"])
            _close_account(candidate.user, candidate.pk)
    return found


def _close_account(user: User, candidate_id: int) -> None:
    user.username = f"{PURGED_PHONE_PREFIX}{candidate_id}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save(
        update_fields=["username", "first_name", "last_name", "email", "is_active", "password"]
    )


def candidate_log(scope: PurgeScope, execute: bool) -> Found:
    """审核日志 rows about the anonymised candidates: their remarks, as for applications."""
    rows = AuditLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Candidate),
        object_id__in=scope.candidate_ids,
    )
    return _log(rows, execute)


# In order: a step may read rows a later one clears (the signatures before the teachers).
SCRUB_STEPS: tuple[ScrubStep, ...] = (
    ScrubStep("老师签名", signatures),
    ScrubStep("证件照和实名认证图片", id_photos),
    # Before the attachments: deleting one drops its fingerprint too (exam/duplicates/apps.py).
    ScrubStep("查重指纹", fingerprints),
    ScrubStep("申报", applications),
    ScrubStep("申报内容", sections),
    ScrubStep("证明材料", materials),
    ScrubStep("附件", attachments),
    ScrubStep("医案", case_records),
    ScrubStep("推荐医师/指导老师", teachers),
    ScrubStep("审核备注", review_remarks),
    ScrubStep("退回修改快照", return_snapshots),
    ScrubStep("申报的审核日志备注", application_log),
    ScrubStep("消息和短信", notices),
    ScrubStep("考生", candidates),
    ScrubStep("考生的审核日志备注", candidate_log),
)
