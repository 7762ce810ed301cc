"""推荐人跨区县统计: a 推荐医师 or 指导老师 (one person: one ID number) who appears on the
applications of many candidates in different counties, for provincial staff. Read through
review.selectors.application_list: the applications the user may see in the 当前业务.

One grouped query finds the people and their counts (`recommender_spread_list`); one more
reads the applications of the people shown (`recommender_spread_rows`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max, QuerySet

from exam.models import Recommender
from people.permissions import Perm
from review.selectors import application_list

DEFAULT_MIN_COUNTIES = 2
DEFAULT_MIN_APPLICATIONS = 2
# Sort keys (?o=) → the grouped query's order; the second key keeps the order stable.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "-counties": ("-counties", "-applications", "id_number"),
    "counties": ("counties", "applications", "id_number"),
    "-applications": ("-applications", "-counties", "id_number"),
    "applications": ("applications", "counties", "id_number"),
    "name": ("name", "id_number"),
    "-name": ("-name", "id_number"),
}
DEFAULT_ORDER = "-counties"
ROLES = dict(Recommender.Role.choices)


@dataclass(frozen=True)
class SpreadFilter:
    min_counties: int = DEFAULT_MIN_COUNTIES
    min_applications: int = DEFAULT_MIN_APPLICATIONS
    role: str = ""  # "" = both
    order: str = DEFAULT_ORDER

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SpreadFilter:
        def number(name: str, default: int) -> int:
            value = str(params.get(name) or "").strip()
            return max(1, min(int(value), 999)) if value.isdigit() else default

        role = str(params.get("role") or "")
        order = str(params.get("o") or DEFAULT_ORDER)
        return cls(
            min_counties=number("min_counties", DEFAULT_MIN_COUNTIES),
            min_applications=number("min_applications", DEFAULT_MIN_APPLICATIONS),
            role=role if role in ROLES else "",
            order=order if order in ORDERINGS else DEFAULT_ORDER,
        )


@dataclass
class SpreadApplication:
    pk: int
    candidate: str
    county: str
    role: str


@dataclass
class SpreadRow:
    id_number: str
    name: str
    applications: int
    counties: int
    county_names: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    items: list[SpreadApplication] = field(default_factory=list)


def _teachers(*, user: User, business: int | None, role: str) -> QuerySet[Recommender]:
    visible = application_list(user=user, business=business, permission=Perm.REVIEW)
    teachers = Recommender.objects.filter(application__in=visible.values("pk"))
    return teachers.filter(role=role) if role else teachers


def recommender_spread_list(*, user: User, business: int | None, spread: SpreadFilter) -> QuerySet:
    """One row per ID number with ≥ the filter's counties and applications: id_number,
    name, applications, counties; in the filter's order."""
    return (
        _teachers(user=user, business=business, role=spread.role)
        .values("id_number")
        .annotate(
            name=Max("name"),
            applications=Count("application", distinct=True),
            counties=Count("application__county", distinct=True),
        )
        .filter(counties__gte=spread.min_counties, applications__gte=spread.min_applications)
        .order_by(*ORDERINGS[spread.order])
    )


def recommender_spread_rows(
    *, user: User, business: int | None, spread: SpreadFilter, groups: list[dict]
) -> list[SpreadRow]:
    """The rows of `groups` (from recommender_spread_list) with their counties' names and
    applications, one query for all of them."""
    rows = {
        g["id_number"]: SpreadRow(g["id_number"], g["name"], g["applications"], g["counties"])
        for g in groups
    }
    details = (
        _teachers(user=user, business=business, role=spread.role)
        .filter(id_number__in=list(rows))
        .order_by("application__county__code", "application_id", "role")
        .values_list(
            "id_number",
            "role",
            "application_id",
            "application__candidate__name",
            "application__county__name",
        )
    )
    for id_number, role, application_id, candidate, county in details:
        row = rows[id_number]
        county = county or "—"
        if county not in row.county_names:
            row.county_names.append(county)
        label = ROLES.get(role, role)
        if label not in row.roles:
            row.roles.append(label)
        row.items.append(SpreadApplication(application_id, candidate, county, label))
    return list(rows.values())
