"""消息 about applications: the events of exam and review described as people.notices
Notices (people stores them; it does not know what an application is). Every function runs
inside the producing service's transaction and is called right after its audit row."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from core.models import AuditLogEntry
from exam.models import Application, Recommender, Section
from exam.sections import section_label, sections_for
from people.models import Institution, NotificationKind
from people.notice_services import notices_create
from people.notices import Notice

K = NotificationKind


def application_link(application_id: int) -> str:
    return reverse("apply:overview", args=[application_id])


def _notice(application: Application, kind: str, key: str, **params: str) -> Notice:
    return Notice(
        candidate_id=application.candidate_id,
        kind=kind,
        key=key,
        params=params,
        application_id=application.pk,
        subject=application.project.name,
        link=application_link(application.pk),
    )


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def notify_submitted(*, application: Application, entry: AuditLogEntry, again: bool) -> None:
    """提交 / 重新提交 (exam.services)."""
    notices_create(
        notices=[
            _notice(
                application,
                K.SUBMITTED,
                f"submitted:{entry.pk}",
                verb="重新提交" if again else "提交",
                when=_local(entry.created_at),
                institution=application.current_institution.name,
            )
        ]
    )


def sections_to_change(application: Application) -> str:
    """The sections the candidate may edit after 允许修改 (those not locked), in page order."""
    open_codes = set(
        Section.objects.filter(application=application)
        .exclude(status=Section.Status.LOCKED)
        .values_list("code", flat=True)
    )
    kind = application.project.kind
    labels = [d.label for d in sections_for(kind, application.track) if d.code in open_codes] or [
        section_label(kind, code) for code in sorted(open_codes)
    ]
    return "、".join(labels) or "（未指定）"


def notify_decided(
    *,
    application: Application,
    decision: str,
    institution: Institution,
    remark: str,
    entry: AuditLogEntry,
) -> None:
    """A tier's decision that the candidate must know (review.services.tier_review_decide):
    退回修改, 审核不通过, and the top tier's 审核通过 (终审). A lower tier's approval is told
    when it is reported (notify_reported): until then the reviewer may still take it back."""
    params = {"institution": institution.name, "remark": remark or "（无）"}
    if decision == "return":
        kind = K.RETURNED
        params["sections"] = sections_to_change(application)
    elif decision == "reject":
        kind = K.REJECTED
    elif decision == "approve" and application.status == Application.Status.APPROVED:
        kind = K.APPROVED
    else:
        return
    notices_create(notices=[_notice(application, kind, f"{kind}:{entry.pk}", **params)])


def notify_reported(
    *, application_ids: Iterable[int], review_ids: dict[int, int], institution: Institution
) -> None:
    """材料上报: each application approved at `institution` goes up (review.services
    .institution_report). One query for the candidates and projects, then notices_create's
    bulk INSERTs. The key is the tier review reported (reported once in its life)."""
    parent = institution.parent
    rows = Application.objects.filter(pk__in=list(application_ids)).values_list(
        "pk", "candidate_id", "project__name"
    )
    notices_create(
        notices=[
            Notice(
                candidate_id=candidate_id,
                kind=K.TIER_APPROVED,
                key=f"{K.TIER_APPROVED}:{review_ids[pk]}",
                params={
                    "institution": institution.name,
                    "parent": parent.name if parent else "上级",
                },
                application_id=pk,
                subject=project_name,
                link=application_link(pk),
            )
            for pk, candidate_id, project_name in rows.iterator()
        ]
    )


def _teacher_notice(teacher: Recommender, kind: str, key: str) -> Notice:
    application = teacher.application
    return Notice(
        candidate_id=application.candidate_id,
        kind=kind,
        key=key,
        params={"teacher": f"{teacher.get_role_display()}{teacher.name}"},
        application_id=application.pk,
        subject=application.project.name,
        link=reverse("apply:section", args=[application.pk, "recommendation"]),
    )


def notify_teacher_signed(*, teacher: Recommender) -> None:
    """exam.recommender_services.recommender_sign (a teacher signs once in a row's life)."""
    notices_create(
        notices=[_teacher_notice(teacher, K.TEACHER_SIGNED, f"{K.TEACHER_SIGNED}:{teacher.pk}")]
    )


def link_expired_key(teacher: Recommender) -> str:
    # One QR link: the teacher and the moment it was generated (a new QR code is a new link).
    assert teacher.invited_at is not None
    return f"{K.TEACHER_LINK_EXPIRED}:{teacher.pk}:{int(teacher.invited_at.timestamp())}"


def notify_links_expired(*, teachers: Iterable[Recommender]) -> int:
    """Teachers whose QR link expired unused (exam.notice_checks). Returns the new messages."""
    return len(
        notices_create(
            notices=[
                _teacher_notice(t, K.TEACHER_LINK_EXPIRED, link_expired_key(t)) for t in teachers
            ]
        )
    )
