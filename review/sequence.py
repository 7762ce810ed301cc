"""Reads: 逐条审核 — where one application sits in the filtered, sorted 报名材料审核 list
(第 N / M 条), its neighbours (上一条 / 下一条), the 待审核 left, and the next pending one
after a decision.

The list is the admin's own query: review.selectors.application_list (the user's scope,
数据层级 and 当前业务) with review.list_selectors' filters and sort, read from the list's URL
parameters (which the admin carries to the detail page as `_changelist_filters`). No
permission rule of its own.

Neighbours are keyset queries on the list's order (rows after / before the current row's
sort values, LIMIT 1), so the cost does not grow with the position in a 200,000-row list;
only the position and the counts are COUNTs.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, cast

from django.db import connection
from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Max,
    Model,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from exam.models import Application
from exam.models.applications import ReviewStatus
from people.permissions import Perm, institutions_with_perm
from review.list_selectors import application_list_filter, list_ordering, tier_status_field
from review.selectors import SCOPE_CHOICES, SCOPE_DIRECT, Scope, User, application_list

# The list's default order and its sortable columns (ReviewApplicationAdmin.ordering and
# list_display; the export reads the same ones: review.exporters.ReviewListExporter).
DEFAULT_ORDERING = ("-submitted_at", "-id")


@dataclass(frozen=True)
class ReviewSequence:
    position: int | None  # 1-based; None: the application is not in the filtered list
    total: int
    pending: int  # 待审核 at the viewer's tier in the filtered list
    previous_id: int | None
    next_id: int | None


@dataclass(frozen=True)
class SequenceList:
    """The filtered list (unordered) and its order."""

    queryset: QuerySet[Application]
    ordering: list[str]
    status_field: str  # the viewer's tier's 审核状态 column
    held: Mapping[int, str] | None  # where the viewer holds 审核 (review.selectors' `held`)


def _scope(params: Mapping[str, Any]) -> Scope:
    value = params.get("scope") or SCOPE_DIRECT
    return cast(Scope, value) if value in dict(SCOPE_CHOICES) else SCOPE_DIRECT


def sequence_list(
    *,
    user: User,
    business: int | None,
    params: Mapping[str, Any],
    tier: str,
    row_checkbox: bool,
    held: Mapping[int, str] | None = None,
) -> SequenceList:
    """The 报名材料审核 list as `params` (its URL's query) select and sort it. `tier`: the
    viewer's own (its 审核状态 filter); `row_checkbox`: whether the list shows the row
    checkbox (it counts as a column in `o=`)."""
    from review.exporters import ReviewListExporter  # the list's sortable columns

    if held is None and user.is_authenticated and not user.is_superuser:
        held = dict(institutions_with_perm(user, Perm.REVIEW).values_list("id", "tier"))
    listed = application_list(
        user=user, business=business, permission=Perm.REVIEW, scope=_scope(params), held=held
    )
    columns = (None,) * row_checkbox + ReviewListExporter.sort_columns
    return SequenceList(
        queryset=application_list_filter(listed, params=params, tier=tier),
        ordering=list_ordering(params, columns=columns, default=DEFAULT_ORDERING),
        status_field=tier_status_field(tier),
        held=held,
    )


# --- keyset conditions on an ordering ----------------------------------------------------------


def sort_keys(model: type[Model], ordering: Sequence[str]) -> list[tuple[str, bool]]:
    """The ordering as the columns the database sorts by: (path, descending). A relation
    sorts by its model's Meta.ordering, as Django expands it (申报级别 → its sort_order, code)."""
    keys: list[tuple[str, bool]] = []
    for item in ordering:
        keys.extend(_expand(model, item.lstrip("-"), item.startswith("-")))
    return keys


def _expand(model: type[Model], path: str, descending: bool) -> list[tuple[str, bool]]:
    if path in ("pk", "id"):
        return [("pk", descending)]
    current, field = model, None
    for part in path.split("__"):
        field = current._meta.get_field(part)
        if field.is_relation:
            current = cast(type[Model], field.related_model)
    assert field is not None
    if field.is_relation and current._meta.ordering:
        keys: list[tuple[str, bool]] = []
        for sub in current._meta.ordering:
            name = str(sub)
            flip = name.startswith("-")
            keys.extend(_expand(model, f"{path}__{name.lstrip('-')}", descending != flip))
        return keys
    return [(path, descending)]


def _nulls_sort_high() -> bool:
    """PostgreSQL puts NULL after every value in ascending order; SQLite and MySQL before."""
    return connection.vendor in ("postgresql", "oracle")


def _beyond(path: str, value: Any, descending: bool, nulls_high: bool) -> Q:
    """Rows strictly later than `value` in this column's direction."""
    later_is_larger = not descending
    null_is_later = nulls_high == later_is_larger
    if value is None:
        return Q(**{f"{path}__isnull": False}) if not null_is_later else Q(pk__in=[])
    condition = Q(**{f"{path}__{'gt' if later_is_larger else 'lt'}": value})
    if null_is_later:
        condition |= Q(**{f"{path}__isnull": True})
    return condition


def _equal(path: str, value: Any) -> Q:
    return Q(**{f"{path}__isnull": True}) if value is None else Q(**{path: value})


def _rest_after(keys: Sequence[tuple[str, bool]], values: Mapping[str, Any]) -> Q:
    """Rows after these `values` in the order of `keys` (the textbook keyset OR)."""
    nulls_high = _nulls_sort_high()
    condition = Q(pk__in=[])
    equal = Q()
    for path, descending in keys:
        value = values[path]
        condition |= equal & _beyond(path, value, descending, nulls_high)
        equal &= _equal(path, value)
    return condition


def after_parts(keys: Sequence[tuple[str, bool]], values: Mapping[str, Any]) -> list[Q]:
    """Rows after the row with these sort `values` in the order of `keys`, as conditions
    whose rows follow one another in that order: the first is where the next row usually is.

    The database can only start an index scan at the current row when the leading column's
    condition is a plain range (`submitted_at <= v`), so that range is ANDed in, and the
    leading column's empty values (which sort after every value on one side) are a part of
    their own rather than an OR that makes the scan start from the top."""
    (path, descending), rest = keys[0], keys[1:]
    value = values[path]
    later_is_larger = not descending
    null_is_later = _nulls_sort_high() == later_is_larger
    nulls = Q(**{f"{path}__isnull": True})
    if value is None:
        tied = nulls & _rest_after(rest, values)
        return [tied] if null_is_later else [tied, Q(**{f"{path}__isnull": False})]
    bound = Q(**{f"{path}__{'gte' if later_is_larger else 'lte'}": value})
    later = Q(**{f"{path}__{'gt' if later_is_larger else 'lt'}": value})
    first = bound & (later | (Q(**{path: value}) & _rest_after(rest, values)))
    return [first, nulls] if null_is_later else [first]


def after(keys: Sequence[tuple[str, bool]], values: Mapping[str, Any]) -> Q:
    """Rows after the row with these sort `values` in the order of `keys` (keyset)."""
    return reduce(operator.or_, after_parts(keys, values))


def _reversed(keys: Sequence[tuple[str, bool]]) -> list[tuple[str, bool]]:
    return [(path, not descending) for path, descending in keys]


def before(keys: Sequence[tuple[str, bool]], values: Mapping[str, Any]) -> Q:
    return after(_reversed(keys), values)


def _first_of(ordered: QuerySet, parts: list[Q]) -> Subquery | Coalesce:
    """The first row's id of `ordered` in `parts` (after_parts), as one expression: the first
    part's, else the next part's (None when none has a row)."""
    firsts = [Subquery(ordered.filter(part).values("pk")[:1]) for part in parts]
    return firsts[0] if len(firsts) == 1 else Coalesce(*firsts)


def _count_of(rows: QuerySet) -> Subquery:
    # A COUNT Django does not see as an aggregate: no GROUP BY, one row even when empty.
    return Subquery(
        rows.order_by().values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
    )


def _row_values(
    user: User, listing: SequenceList, application_id: int, keys: Sequence[tuple[str, bool]]
) -> dict[str, Any]:
    """The application's sort values, read through the user's scope (any 当前业务, as the
    detail page): Application.DoesNotExist outside it."""
    paths = sorted({path for path, _ in keys})
    scoped = application_list(user=user, business=None, permission=Perm.REVIEW, held=listing.held)
    return cast(dict[str, Any], scoped.filter(pk=application_id).values(*paths).get())


def _instance_values(application: Application, keys: Sequence[tuple[str, bool]]) -> dict[str, Any]:
    """The sort values of an application already read through the scope, with its related
    rows (the detail page's): no query when they are loaded."""
    values: dict[str, Any] = {}
    for path, _ in keys:
        value: Any = application
        for part in path.split("__"):
            value = getattr(value, part) if value is not None else None
        values[path] = value
    return values


# --- the selectors -------------------------------------------------------------------------------


def review_sequence(
    *,
    user: User,
    listing: SequenceList,
    application_id: int,
    application: Application | None = None,
) -> ReviewSequence:
    """Where `application_id` sits in `listing` (sequence_list): two queries (the counts, the
    neighbours), whatever the list's length, its sort or the position; one more to read the
    row's sort values unless `application` (the same row, read through the user's scope) is
    given. Raises Application.DoesNotExist when the user may not see it."""
    keys = sort_keys(Application, listing.ordering)
    if application is not None and application.pk == application_id:
        values = _instance_values(application, keys)
    else:
        values = _row_values(user, listing, application_id, keys)
    rows = listing.queryset
    ordered = rows.order_by(*listing.ordering)
    earlier = before(keys, values)
    # Counted in the same pass when the sort needs no join (a join inside an aggregate's
    # filter could change the joins of the count itself); otherwise its own COUNT.
    local = all("__" not in path for path, _ in keys)
    counts = rows.aggregate(
        total=Count("pk"),
        here=Count("pk", filter=Q(pk=application_id)),
        pending=Count("pk", filter=Q(**{listing.status_field: ReviewStatus.PENDING})),
        before=Count("pk", filter=earlier) if local else Max(_count_of(rows.filter(earlier))),
    )
    # The neighbours in a one-row query of their own: COALESCE runs the part after the
    # first (the empty sort values) only when the first has no row, which a parallel
    # aggregate would not wait for.
    neighbours = (
        Application.objects.filter(pk=application_id)
        .values_list(
            _first_of(ordered, after_parts(keys, values)),
            _first_of(ordered.reverse(), after_parts(_reversed(keys), values)),
        )
        .first()
    ) or (None, None)
    return ReviewSequence(
        position=(counts["before"] or 0) + 1 if counts["here"] else None,
        total=counts["total"],
        pending=counts["pending"],
        next_id=neighbours[0],
        previous_id=neighbours[1],
    )


def next_pending_id(*, user: User, listing: SequenceList, application_id: int) -> int | None:
    """The next 待审核 (at the viewer's tier) after `application_id` in `listing`, else the
    first one before it; None when none is left. Two queries."""
    keys = sort_keys(Application, listing.ordering)
    values = _row_values(user, listing, application_id, keys)
    pending = (
        listing.queryset.filter(**{listing.status_field: ReviewStatus.PENDING})
        .exclude(pk=application_id)
        .order_by(*listing.ordering)
    )
    first = Coalesce(_first_of(pending, after_parts(keys, values)), _first_of(pending, [Q()]))
    return Application.objects.filter(pk=application_id).values_list(first, flat=True).get()
