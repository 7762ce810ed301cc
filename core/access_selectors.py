"""Reading the access log (个人信息访问记录): the candidate's page, the province's list and its
two 异常访问 rules. The callers check who may read (the candidate site shows a candidate only
their own rows; the province's screens are for provincial staff)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.db.models.functions import TruncHour

from core.models import AuditLogEntry, PersonalDataAccess

Kind = PersonalDataAccess.Kind

# The kinds a candidate's page shows: looks at THEIR application. Exports and imports are
# row sets recorded once per file, without the people in them (README: 个人信息查询记录).
CANDIDATE_KINDS = (Kind.DETAIL, Kind.FILE)

# Audit actions about an application that are no decision on it (异常访问's second rule).
NOT_DECISIONS = ("review.file_rotated",)


def candidate_access_list(*, candidate_id: int) -> QuerySet[PersonalDataAccess]:
    """What the candidate's 个人信息查询记录 lists, newest first: views of their applications'
    detail pages and of their files by reviewers, thumbnails left out (they come with a
    detail page that is listed already). Only the fields the page may show are read: never
    the account or its name."""
    return (
        PersonalDataAccess.objects.filter(candidate_id=candidate_id, kind__in=CANDIDATE_KINDS)
        .exclude(data__has_key="thumb")
        .order_by("-at", "-id")
        .only("id", "at", "kind", "institution_name", "application_id")
    )


def access_alert_per_hour() -> int:
    return int(getattr(settings, "ACCESS_ALERT_PER_HOUR", 60))


@dataclass(frozen=True)
class BusyHour:
    """异常访问 (1): one account that opened more than N applications in one clock hour."""

    user_id: int | None
    username: str
    institution_name: str
    hour: datetime.datetime
    count: int


def busy_hours(
    *, since: datetime.datetime | None = None, limit: int | None = None
) -> list[BusyHour]:
    """Accounts that opened the detail pages of more than settings.ACCESS_ALERT_PER_HOUR
    distinct applications within one clock hour (local time), busiest first."""
    rows = PersonalDataAccess.objects.filter(kind=Kind.DETAIL, user__isnull=False)
    if since is not None:
        rows = rows.filter(at__gte=since)
    grouped = (
        rows.annotate(hour=TruncHour("at"))
        .values("user_id", "username", "institution_name", "hour")
        .annotate(count=Count("application_id", distinct=True))
        .filter(count__gt=access_alert_per_hour())
        .order_by("-count", "-hour")
    )
    if limit is not None:
        grouped = grouped[:limit]
    return [BusyHour(**row) for row in grouped]


def undecided_file_access(
    *, since: datetime.datetime | None = None
) -> QuerySet[PersonalDataAccess]:
    """异常访问 (2): files opened by an account that never made a decision on that
    application. The rule: a file view is unusual when the audit log has no entry by the
    same account about the same application (a decision, a return, a lock, a 核验…),
    before or after it; turning an image (review.file_rotated) is not a decision. Reviewers open files to decide; an account that only looks is the
    one to ask about. Thumbnails are left out: they come with the detail page, which the
    first rule counts; a file opened whole is what this rule is about. Identity photos (no application) are left out: 实名认证 is decided by
    the province on the candidate, and its staff see every photo."""
    from django.contrib.contenttypes.models import ContentType

    # The application's content type without importing exam (layering): its rows are what
    # the audit log's review actions name.
    application_type = ContentType.objects.filter(app_label="exam", model="application")
    decided = AuditLogEntry.objects.filter(
        actor_id=OuterRef("user_id"),
        content_type__in=application_type,
        object_id=OuterRef("application_id"),
    ).exclude(action__in=NOT_DECISIONS)
    rows = PersonalDataAccess.objects.filter(
        kind=Kind.FILE, user__isnull=False, application_id__isnull=False
    ).exclude(data__has_key="thumb")
    if since is not None:
        rows = rows.filter(at__gte=since)
    return rows.filter(~Exists(decided)).order_by("-at", "-id")
