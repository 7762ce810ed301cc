"""The review list's filters (seed 003 §2.2), in the guide's order.

Short parameter names (level, specialty, name, …) keep the list's URLs readable, so a
filtered list can be bookmarked or sent to a colleague.
"""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.list_filters import DropdownFilter, TextFilter
from exam.models import Application, Level, PaymentStatus, Specialty
from exam.models.applications import ReviewStatus
from people.access import own_institution
from people.reference_data import EXAM_EDUCATION_LABELS
from people.tiers import Tier
from review.list_selectors import (
    ELIGIBILITY_CHOICES,
    REVISED_CHOICES,
    ListFilter,
    application_filters,
    specialty_in_level,
)
from review.selectors import SCOPE_CHOICES, SCOPE_DIRECT


class SelectorFilter:
    """A list filter whose query is review.list_selectors' for its parameter (the exports
    call the same functions): `queryset` looks it up in `selector_filters`."""

    parameter_name: str

    def selector_filters(self, request: HttpRequest) -> dict[str, ListFilter]:
        return application_filters(tier=my_tier(request))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return self.selector_filters(request)[self.parameter_name](queryset, self.value())


class LevelFilter(SelectorFilter, DropdownFilter):
    title = "申报级别"
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(lv.code, lv.name) for lv in Level.objects.all()]


class SpecialtyFilter(DropdownFilter):
    """类别(专业): its options follow the chosen 申报级别 ("请先选择申报级别" before).

    In the filter panel review/review-filters.js chains it to 申报级别 (from
    specialty_options): a new level clears 类别 and offers that level's specialties at once.
    A specialty of another level, typed into the URL, is dropped with a message instead of
    silently matching nothing."""

    title = "类别(专业)"
    parameter_name = "specialty"

    def __init__(self, request: HttpRequest, params, model, model_admin) -> None:
        self._level = request.GET.get(LevelFilter.parameter_name) or ""
        super().__init__(request, params, model, model_admin)
        if not self._level:
            self.title = "类别(专业)（请先选择申报级别）"

    def has_output(self) -> bool:
        return True  # shown even before a level is chosen, saying what to do first

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        if not self._level:
            return []
        return specialty_options().get(self._level, [])

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        specialty, dropped = specialty_in_level(self.value(), self._level)
        if dropped:
            messages.warning(request, "所选类别(专业)不属于所选申报级别，已忽略该条件。")
        return queryset.filter(specialty_id=specialty.pk) if specialty else queryset


def specialty_options() -> dict[str, list[tuple[str, str]]]:
    """Level code → its active specialties as (pk, label) options, in code order."""
    options: dict[str, list[tuple[str, str]]] = {}
    for s in Specialty.objects.filter(is_active=True).order_by("level_id", "code"):
        options.setdefault(s.level_id, []).append((str(s.pk), f"{s.code} {s.name}"))
    return options


class NameFilter(SelectorFilter, TextFilter):
    title = "姓名"
    parameter_name = "name"


class IdNumberFilter(SelectorFilter, TextFilter):
    title = "证件号码"
    parameter_name = "id_number"


class InstitutionFilter(SelectorFilter, TextFilter):
    title = "申报单位"
    parameter_name = "institution"


class StatusFilter(SelectorFilter, DropdownFilter):
    title = "提交状态"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(Application.Status.choices)


class EducationFilter(SelectorFilter, DropdownFilter):
    title = "学历层级"
    parameter_name = "education"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(label, label) for label in EXAM_EDUCATION_LABELS.values()]


class ScopeFilter(DropdownFilter):
    """数据层级. The admin's get_queryset reads it and asks the selector for that scope;
    this filter only shows and validates the choice. Default: 本级直属."""

    title = "数据层级"
    parameter_name = "scope"
    all_option = None

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(SCOPE_CHOICES)

    def value(self) -> str:
        return super().value() or SCOPE_DIRECT

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset


def my_tier(request: HttpRequest) -> str:
    """The tier whose 审核状态 column the user filters by (the province for the superuser)."""
    institution = own_institution(request)
    return institution.tier if institution else Tier.PROVINCE


class MyTierStatusFilter(SelectorFilter, DropdownFilter):
    """审核状态 at the user's own tier (单位审核状态 for a unit, 区县审核状态 for a county …)."""

    parameter_name = "review_status"

    def __init__(self, request: HttpRequest, params, model, model_admin) -> None:
        self._tier = my_tier(request)
        self.title = f"{Tier(self._tier).label}审核状态"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(ReviewStatus.choices)


class PaymentFilter(SelectorFilter, DropdownFilter):
    title = "缴费状态"
    parameter_name = "payment"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(PaymentStatus.choices)


class EligibilityFilter(SelectorFilter, DropdownFilter):
    """报考条件 as stored (符合 / 不符合 / 需人工核实, a reviewer's override counting), or 未判断."""

    title = "报考条件"
    parameter_name = "eligibility"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(ELIGIBILITY_CHOICES)


class RevisedFilter(SelectorFilter, DropdownFilter):
    """已修改 (returned with 允许修改 and resubmitted since) / 未修改."""

    title = "修改情况"
    parameter_name = "revised"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(REVISED_CHOICES)


# The guide's list shows these; 高级搜索 reveals the rest (REVIEW_LIST_FILTERS' tail).
REVIEW_LIST_COMMON_FILTERS = 8
REVIEW_LIST_FILTERS = [
    LevelFilter,
    SpecialtyFilter,
    NameFilter,
    IdNumberFilter,
    InstitutionFilter,
    StatusFilter,
    EducationFilter,
    ScopeFilter,
    MyTierStatusFilter,
    PaymentFilter,
    EligibilityFilter,
    RevisedFilter,
]
