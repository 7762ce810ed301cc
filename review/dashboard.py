"""Reads for the admin dashboard (工作台). Each function is one query (plus the selector's
permission lookup), whatever the number of institutions or applications.

Per-status counts at the user's tier go through `review.selectors.application_list`.
The bottleneck table and the daily submissions look below the user's tier, at applications
that have not reached it yet and which the selector therefore hides: they come from
`_pipeline`, which admits only applications whose chain passes through an institution
the user holds 审核 on, and they are returned as counts only, never as rows.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.models import AuditLogEntry
from exam.audit_actions import LOG_APPLICATION_RESUBMITTED, LOG_APPLICATION_SUBMITTED
from exam.models import Application
from exam.models.applications import ReviewStatus
from people.models import Institution
from people.permissions import Perm, institutions_with_perm
from people.tiers import tiers_below
from review.selectors import application_list
from review.workflow import LOG_REVIEW_REPORTED

User = auth_models.User | AnonymousUser

# 待审核 + 暂不审核: what still waits for a decision at a tier.
WAITING_STATUSES = (ReviewStatus.PENDING, ReviewStatus.DEFERRED)
# Applications the candidate has not (or no longer) submitted: at the entry tier they show
# as 待审核 (seed 003 §2.2) but nobody can decide them yet.
NOT_SUBMITTED = (Application.Status.DRAFT, Application.Status.WITHDRAWN)
# Audit log actions counted as the institution's review work (decisions, reopen, 材料上报).
REVIEW_ACTION_PREFIX = "review."
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    total: int
    not_submitted: int  # of which 未提交 / 已撤回 (entry tier only)


@dataclass(frozen=True)
class ChildPending:
    institution: Institution
    pending: int
    deferred: int

    @property
    def total(self) -> int:
        return self.pending + self.deferred


@dataclass(frozen=True)
class DayCount:
    day: datetime.date
    count: int


def dashboard_root(*, user: User) -> Institution | None:
    """The institution a superuser's dashboard shows: the province (top of the tree)."""
    if not (user.is_authenticated and user.is_superuser):
        return None
    return Institution.objects.filter(parent__isnull=True).order_by("path").first()


def status_counts(
    *, user: User, institution: Institution, business: int | None
) -> list[StatusCount]:
    """Applications visible to `user` at `institution`'s tier, per review status there
    (every status listed, zeros included)."""
    tier = institution.tier
    column = f"{tier}_review_status"
    rows = (
        application_list(user=user, business=business, permission=Perm.REVIEW)
        .filter(**{f"{tier}_id": institution.pk})
        .exclude(**{column: ""})
        .order_by()
        .values(column)
        .annotate(
            total=Count("pk"),
            not_submitted=Count("pk", filter=Q(status__in=NOT_SUBMITTED)),
        )
    )
    by_status = {row[column]: row for row in rows}
    return [
        StatusCount(
            status=status.value,
            label=status.label,
            total=by_status.get(status.value, {}).get("total", 0),
            not_submitted=by_status.get(status.value, {}).get("not_submitted", 0),
        )
        for status in ReviewStatus
    ]


def _pipeline(
    *, user: User, institution: Institution, business: int | None
) -> QuerySet[Application]:
    """Applications of the business whose chain passes through `institution`, whether or
    not they have reached its tier; empty unless `user` holds 审核 on it. For aggregates."""
    tier = institution.tier
    allowed = institutions_with_perm(user, Perm.REVIEW).filter(pk=institution.pk).values("pk")
    queryset = Application.objects.filter(
        **{f"{tier}_id": institution.pk, f"{tier}_id__in": allowed}
    )
    return queryset if business is None else queryset.filter(project_id=business)


def _nearest_below(tier: str, field: str, output_field) -> Case:
    """For each application, `field` of the nearest tier below `tier` on its chain, i.e. of
    the child institution through which it came (a unit may hang directly under a city or
    the province)."""
    return Case(
        *(
            When(**{f"{lower}__isnull": False}, then=F(field.format(tier=lower)))
            for lower in reversed(tiers_below(tier))
        ),
        default=None,
        output_field=output_field,
    )


def pending_by_child(
    *, user: User, institution: Institution, business: int | None
) -> list[ChildPending]:
    """待审核 / 暂不审核 counts at each child institution's own tier, for submitted
    applications in `institution`'s subtree: who holds things up. Children with nothing
    waiting are left out; sorted by the number waiting, largest first. One GROUP BY plus
    one name lookup."""
    if not tiers_below(institution.tier):
        return []
    rows = list(
        _pipeline(user=user, institution=institution, business=business)
        .annotate(
            child_id=_nearest_below(institution.tier, "{tier}_id", BigIntegerField()),
            child_status=_nearest_below(
                institution.tier, "{tier}_review_status", CharField(max_length=16)
            ),
        )
        .filter(child_status__in=WAITING_STATUSES)
        .exclude(status__in=NOT_SUBMITTED)
        .order_by()
        .values("child_id")
        .annotate(
            pending=Count("pk", filter=Q(child_status=ReviewStatus.PENDING)),
            deferred=Count("pk", filter=Q(child_status=ReviewStatus.DEFERRED)),
        )
    )
    if not rows:
        return []
    children = Institution.objects.in_bulk([row["child_id"] for row in rows])
    result = [
        ChildPending(
            institution=children[row["child_id"]],
            pending=row["pending"],
            deferred=row["deferred"],
        )
        for row in rows
        if row["child_id"] in children
    ]
    result.sort(key=lambda c: (-c.total, c.institution.path))
    return result


def _window(
    days: int, today: datetime.date | None
) -> tuple[list[datetime.date], datetime.datetime]:
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    return [first + datetime.timedelta(days=i) for i in range(days)], start


def _fill(days: list[datetime.date], rows: QuerySet) -> list[DayCount]:
    counts = {row["day"]: row["n"] for row in rows}
    return [DayCount(day=day, count=counts.get(day, 0)) for day in days]


def submissions_per_day(
    *,
    user: User,
    institution: Institution,
    business: int | None,
    days: int = DEFAULT_DAYS,
    today: datetime.date | None = None,
) -> list[DayCount]:
    """Applications in `institution`'s subtree submitted on each of the last `days` days
    (local dates, oldest first; by the time of the latest submission)."""
    day_list, start = _window(days, today)
    rows = (
        _pipeline(user=user, institution=institution, business=business)
        .filter(submitted_at__gte=start)
        .order_by()
        .annotate(day=TruncDate("submitted_at"))
        .values("day")
        .annotate(n=Count("pk"))
    )
    return _fill(day_list, rows)


def decisions_per_day(
    *,
    user: User,
    institution: Institution,
    business: int | None,
    days: int = DEFAULT_DAYS,
    today: datetime.date | None = None,
) -> list[DayCount]:
    """The institution's review actions (审核通过 … 材料上报: `review.*` log rows) on each of
    the last `days` days; none unless `user` holds 审核 on the institution."""
    day_list, start = _window(days, today)
    allowed = institutions_with_perm(user, Perm.REVIEW).filter(pk=institution.pk).values("pk")
    logs = AuditLogEntry.objects.of_institution(allowed).filter(
        action__startswith=REVIEW_ACTION_PREFIX, created_at__gte=start
    )
    if business is not None:
        in_business = Application.objects.filter(project_id=business).values("pk")
        logs = logs.about_model(Application).filter(object_id__in=in_business)
    rows = (
        logs.order_by().annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("pk"))
    )
    return _fill(day_list, rows)


# --- since the reviewer's last visit ----------------------------------------------------------

# How an application reaches a tier: the candidate's 提交 / 重新提交, or a lower tier's 材料上报.
ARRIVAL_ACTIONS = {
    LOG_APPLICATION_SUBMITTED: "submitted",
    LOG_APPLICATION_RESUBMITTED: "resubmitted",
    LOG_REVIEW_REPORTED: "reported",
}


@dataclass(frozen=True)
class Arrivals:
    """Applications waiting at the institution that arrived after `since`, by how."""

    since: datetime.datetime
    submitted: int = 0
    resubmitted: int = 0
    reported: int = 0

    @property
    def total(self) -> int:
        return self.submitted + self.resubmitted + self.reported


def arrivals_since(
    *, user: User, institution: Institution, business: int | None, since: datetime.datetime
) -> Arrivals:
    """What waits for `user` at `institution` (待审核 / 暂不审核 there, through the permission
    selector and the 当前业务) whose latest arrival (提交, 重新提交 or 材料上报) is after
    `since`. One query: each waiting application's latest arrival row, grouped by kind."""
    tier = institution.tier
    arrivals = AuditLogEntry.objects.about_model(Application).filter(
        object_id=OuterRef("pk"), action__in=list(ARRIVAL_ACTIONS)
    )
    latest = arrivals.order_by("-created_at", "-id")
    rows = (
        application_list(user=user, business=business, permission=Perm.REVIEW)
        .filter(current_institution=institution, **{f"{tier}_review_status__in": WAITING_STATUSES})
        .exclude(status__in=NOT_SUBMITTED)
        .annotate(
            arrival=Subquery(latest.values("action")[:1]),
            arrived_at=Subquery(latest.values("created_at")[:1]),
        )
        .filter(arrived_at__gt=since)
        .order_by()
        .values("arrival")
        .annotate(n=Count("pk"))
    )
    counts = {ARRIVAL_ACTIONS[row["arrival"]]: row["n"] for row in rows}
    return Arrivals(since=since, **counts)
