"""Reads: the filters and the sort of the 报名材料审核 and 专项信息 lists, by their URL
parameters (level, specialty, name, …, o).

The admin's filter classes (review/admin/filters.py, material_filters.py) and the exporters
(review/exporters.py) both call these, so a filtered list and its export, in the request or
in a background job, select the same rows in the same order.

Every filter takes the queryset and the parameter's value ("" or None: not in use) and
returns the queryset; `prefix` is the path from a material to its application
("application__"), as in review.selectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from exam.eligibility.outcomes import Outcome
from exam.models import Specialty, VerificationStatus

ListFilter = Callable[[QuerySet, Any], QuerySet]


def _text(value: Any) -> str:
    return (value or "").strip()


def filter_exact(field: str) -> ListFilter:
    """A choice (申报级别, 提交状态, 缴费状态 …): the field equals the value."""

    def apply(queryset: QuerySet, value: Any) -> QuerySet:
        return queryset.filter(**{field: value}) if value else queryset

    return apply


def filter_contains(field: str) -> ListFilter:
    """A text box (姓名, 申报单位, 毕业学校): the field contains the trimmed text."""

    def apply(queryset: QuerySet, value: Any) -> QuerySet:
        text = _text(value)
        return queryset.filter(**{f"{field}__contains": text}) if text else queryset

    return apply


def filter_id_number(field: str) -> ListFilter:
    """证件号码: starts with what was typed, spaces dropped, x as X."""

    def apply(queryset: QuerySet, value: Any) -> QuerySet:
        text = _text(value)
        if not text:
            return queryset
        return queryset.filter(**{f"{field}__startswith": text.replace(" ", "").upper()})

    return apply


def filter_year(field: str) -> ListFilter:
    """入学时间, 毕业时间: the date's year."""

    def apply(queryset: QuerySet, value: Any) -> QuerySet:
        text = value or ""
        return queryset.filter(**{f"{field}__year": int(text)}) if text.isdigit() else queryset

    return apply


def filter_verification(queryset: QuerySet, value: Any) -> QuerySet:
    """核验状态: only a known status filters (anything else is ignored)."""
    if value in VerificationStatus.values:
        return queryset.filter(verification_status=value)
    return queryset


ELIGIBILITY_NONE = "none"  # 报考条件 未判断: the application has no stored result yet
ELIGIBILITY_CHOICES = [*Outcome.choices, (ELIGIBILITY_NONE, "未判断")]


def filter_eligibility(queryset: QuerySet, value: Any) -> QuerySet:
    """报考条件: the stored result's outcome (a reviewer's override counts), or none stored,
    read from the application's own copy (`eligibility_outcome`, empty: none stored). Its
    index (app_elig_recent) is in the list's order, so the database walks the one outcome's
    rows newest first and stops after a page."""
    if value == ELIGIBILITY_NONE:
        return queryset.filter(eligibility_outcome="")
    if value in Outcome.values:
        return queryset.filter(eligibility_outcome=value)
    return queryset


REVISED, NOT_REVISED = "yes", "no"
REVISED_CHOICES = [(REVISED, "已修改"), (NOT_REVISED, "未修改")]


def application_is_revised(application: Any) -> bool:
    """已修改: returned (允许修改) at least once and resubmitted since."""
    return application.return_rounds > 0 and application.status != "returned"


def filter_revised(queryset: QuerySet, value: Any) -> QuerySet:
    """已修改 / 未修改 (application_is_revised), on the application's own `return_rounds`
    (index app_rounds_recent): no join, no extra query."""
    if value == REVISED:
        return queryset.filter(return_rounds__gt=0).exclude(status="returned")
    if value == NOT_REVISED:
        return queryset.filter(Q(return_rounds=0) | Q(status="returned"))
    return queryset


def specialty_in_level(value: Any, level: Any) -> tuple[Specialty | None, bool]:
    """类别(专业): (the specialty to filter by, whether the value was dropped). A specialty
    that does not exist or belongs to another 申报级别 than the chosen one is dropped (the
    list says so) rather than silently matching nothing."""
    text = value or ""
    if not text.isdigit():
        return None, False
    specialty = Specialty.objects.filter(pk=int(text)).first()
    if specialty is None or (level and specialty.level_id != level):
        return None, True
    return specialty, False


def filter_specialty(queryset: QuerySet, value: Any, *, level: Any = "") -> QuerySet:
    specialty, _ = specialty_in_level(value, level)
    return queryset.filter(specialty_id=specialty.pk) if specialty else queryset


def tier_status_field(tier: str, prefix: str = "") -> str:
    """审核状态 at one tier (the user's own: 单位审核状态 for a unit …)."""
    return f"{prefix}{tier}_review_status"


# --- the two lists' filters, by URL parameter, in the guide's order ------------------------


def application_filters(*, tier: str) -> dict[str, ListFilter]:
    """报名材料审核. `tier`: the user's own (review.admin.filters.my_tier); 数据层级 (scope)
    is the selector's argument, not a filter."""
    return {
        "level": filter_exact("level_id"),
        "name": filter_contains("candidate__name"),
        "id_number": filter_id_number("candidate__id_number"),
        "institution": filter_contains("entry_institution__name"),
        "status": filter_exact("status"),
        "education": filter_exact("highest_education"),
        "review_status": filter_exact(tier_status_field(tier)),
        "payment": filter_exact("payment_status"),
        "eligibility": filter_eligibility,
        "revised": filter_revised,
    }


def application_list_filter(
    queryset: QuerySet, *, params: Mapping[str, Any], tier: str
) -> QuerySet:
    """The review list's filters as the URL `params` set them (类别(专业) needs 申报级别)."""
    for name, apply in application_filters(tier=tier).items():
        queryset = apply(queryset, params.get(name))
    return filter_specialty(queryset, params.get("specialty"), level=params.get("level") or "")


EDUCATION_LIST = "education"  # the 学历信息 list: its own filters and 学历层级 of the record
TITLE_LIST = "title"  # the 专技职称 list: 职称级别 besides the common ones


def material_filters(*, tier: str, kind: str = "") -> dict[str, ListFilter]:
    """A 专项信息 list's filters. `kind`: EDUCATION_LIST, TITLE_LIST or "" (the others)."""
    prefix = "application__"
    filters: dict[str, ListFilter] = {"verification": filter_verification}
    if kind == EDUCATION_LIST:
        filters |= {
            "education": filter_exact("level__exam_label"),
            "major_type": filter_exact("major_type"),
            "enrolled": filter_year("enrollment_date"),
            "school": filter_contains("school"),
            "graduated": filter_year("graduation_date"),
        }
    else:
        filters["education"] = filter_exact(f"{prefix}highest_education")
    if kind == TITLE_LIST:
        filters["title_level"] = filter_exact("title_level")
    return filters | {
        "review_status": filter_exact(tier_status_field(tier, prefix)),
        "name": filter_contains(f"{prefix}candidate__name"),
        "id_number": filter_id_number(f"{prefix}candidate__id_number"),
    }


def material_list_filter(
    queryset: QuerySet, *, params: Mapping[str, Any], tier: str, kind: str = ""
) -> QuerySet:
    for name, apply in material_filters(tier=tier, kind=kind).items():
        queryset = apply(queryset, params.get(name))
    return queryset


# --- the sort ---------------------------------------------------------------------------------

ORDER_PARAM = "o"


def list_ordering(
    params: Mapping[str, Any], *, columns: Sequence[str | None], default: Sequence[str]
) -> list[str]:
    """The order of a list as Django's ChangeList reads it: `o=4.-9` sorts by the list's
    columns 4, then 9 descending (`columns`: each column's order field, None where it
    cannot be sorted; the row checkbox counts as a column when the list has actions);
    without it the admin's `default`. A primary key ends it unless there is one, so the
    order is total (ChangeList's deterministic ordering)."""
    value = params.get(ORDER_PARAM)
    if not value:  # absent or empty: the admin's own order
        ordering = list(default)
    else:
        ordering = []
        for part in str(value).split("."):
            _, sign, index = part.rpartition("-")
            try:
                field = columns[int(index)]
            except (IndexError, ValueError):
                continue
            if not field:
                continue
            if sign == "-" and field.startswith("-"):
                ordering.append(field[1:])
            else:
                ordering.append(sign + field)
    if not any(field.lstrip("-") in ("pk", "id") for field in ordering):
        ordering.append("-pk")
    return ordering
