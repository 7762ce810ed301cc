"""Reads. `application_list` is the one place that turns a user into visible applications;
every admin list, detail page, action, export and download goes through it."""

import operator
from collections.abc import Mapping
from functools import reduce
from typing import Literal

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery

from core.models import DATA_INSTITUTION, AuditLogEntry
from exam.models import Application
from people.models import Institution
from people.permissions import Perm, institutions_with_perm
from people.tiers import TIER_ORDER, tiers_below

Scope = Literal["direct", "subtree"]
SCOPE_DIRECT: Scope = "direct"  # 本级直属
SCOPE_SUBTREE: Scope = "subtree"  # 下级所有
SCOPE_CHOICES = [(SCOPE_DIRECT, "本级直属"), (SCOPE_SUBTREE, "下级所有")]

User = auth_models.User | AnonymousUser


def _tier_condition(tier: str, institution_ids: list[int], scope: Scope, prefix: str) -> Q:
    # Visible at a tier only once the application has reached it (a non-empty status).
    condition = Q(**{f"{prefix}{tier}_id__in": institution_ids}) & ~Q(
        **{f"{prefix}{tier}_review_status": ""}
    )
    if scope == SCOPE_DIRECT:
        condition &= _direct_condition(tier, prefix)
    return condition


def _direct_condition(tier: str, prefix: str) -> Q:
    """本级直属: the entry institution is this one or a direct child. The chain columns hold
    the entry and its ancestors, so that is: at most one tier below this one is set (the
    entry itself, whatever its tier: a unit, or a county bureau for TCM). Two set means an
    intermediate institution sits between the entry and this one."""
    below = tiers_below(tier)
    if len(below) < 2:
        return Q()
    return reduce(
        operator.or_,
        (
            Q(**{f"{prefix}{other}__isnull": True for other in below if other != entry_tier})
            for entry_tier in below
        ),
    )


def application_visibility(
    user: User,
    *,
    permission: Perm,
    scope: Scope,
    business: int | None,
    prefix: str = "",
    held: Mapping[int, str] | None = None,
) -> Q | None:
    """A filter for the applications `user` may see, or None for "everything" (superuser,
    every business).

    `business` is the 当前业务's project id (review/business.py); None means every project
    and is for reads that are not a screen's list (a detail page by id, a batch by ids).
    `prefix` is the path from another model to its application ("application__"), so a
    material list filters through its join rather than `application__in=<subquery>`.
    `held` is {institution id: tier} where the user holds `permission`, when the caller
    has it already (people.access reads it once per request); otherwise it is queried.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(**{f"{prefix}pk__in": []})
    in_business = Q() if business is None else Q(**{f"{prefix}project_id": business})
    if user.is_superuser:
        return None if business is None else in_business
    if held is None:
        held = dict(institutions_with_perm(user, permission).values_list("id", "tier"))
    by_tier: dict[str, list[int]] = {}
    for institution_id, tier in sorted(held.items()):
        by_tier.setdefault(tier, []).append(institution_id)
    condition = Q(**{f"{prefix}pk__in": []})
    for tier in TIER_ORDER:
        if tier in by_tier:
            condition |= _tier_condition(tier, by_tier[tier], scope, prefix)
    return condition & in_business


def application_list(
    *,
    user: User,
    business: int | None,
    permission: Perm = Perm.REVIEW,
    scope: Scope = SCOPE_SUBTREE,
    held: Mapping[int, str] | None = None,
) -> QuerySet[Application]:
    condition = application_visibility(
        user, permission=permission, scope=scope, business=business, held=held
    )
    queryset = Application.objects.all()
    return queryset if condition is None else queryset.filter(condition)


def material_list(
    *,
    user: User,
    business: int | None,
    model: type[Model],
    permission: Perm = Perm.VERIFY,
    scope: Scope = SCOPE_SUBTREE,
    held: Mapping[int, str] | None = None,
) -> QuerySet:
    """The materials (rows with an `application` foreign key) of the applications `user`
    may see: the same condition as `application_list`, applied through the join. With
    `application__in=<subquery>` PostgreSQL has to collect every visible material before it
    can sort by 提交时间; through the join it walks the applications in list order (the
    app_recent index) and stops after a page."""
    condition = application_visibility(
        user,
        permission=permission,
        scope=scope,
        business=business,
        prefix="application__",
        held=held,
    )
    queryset = model._default_manager.all()  # i.e. `objects`: no material has another
    return queryset if condition is None else queryset.filter(condition)


def application_get(*, user: User, pk: int, permission: Perm = Perm.REVIEW) -> Application:
    """Raises Application.DoesNotExist for anything outside the user's scope (views: 404).
    Any business: a link to an application opens whatever the 当前业务."""
    return application_list(user=user, business=None, permission=permission).get(pk=pk)


def review_log_for(*, application: Application) -> QuerySet[AuditLogEntry]:
    """审核进度 across all tiers, newest first, each row with its `institution_name`."""
    return with_institution_names(AuditLogEntry.objects.about(application).select_related("actor"))


def with_institution_names(entries: QuerySet[AuditLogEntry]) -> QuerySet[AuditLogEntry]:
    """Each row's `institution_name` (of the payload's institution; None without one), in
    the same query."""
    name = Institution.objects.filter(pk=OuterRef("data_institution")).values("name")[:1]
    return entries.alias(data_institution=DATA_INSTITUTION).annotate(
        institution_name=Subquery(name)
    )


def reference_matches(*, id_numbers: list[str]) -> dict[str, list]:
    """对比库 records per ID number, in library order: one query for a whole page."""
    from review.models import ReferenceRecord

    matches: dict[str, list] = {}
    records = (
        ReferenceRecord.objects.filter(id_number__in=set(id_numbers))
        .select_related("library")
        .order_by("library__sort_order", "-year")
    )
    for record in records:
        matches.setdefault(record.id_number, []).append(record)
    return matches
