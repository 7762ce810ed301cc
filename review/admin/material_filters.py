"""The 专项信息 lists' filters (seed 003 §2.7), in the guide's order:
核验状态, 学历层级, 专业类型, 入学时间, 毕业学校, 毕业时间, 数据层级, 审核状态.

The 学历-specific ones (专业类型, 入学时间, 毕业学校, 毕业时间) are on the 学历信息 list only.
Parameter names are short, like the review list's, so a filtered list can be bookmarked.
"""

from django.db.models import Max, Min
from django.http import HttpRequest

from core.list_filters import DropdownFilter, TextFilter
from exam.models import MajorType, TitleCertificate, VerificationStatus
from people.reference_data import EXAM_EDUCATION_LABELS
from review.admin.filters import (
    IdNumberFilter,
    MyTierStatusFilter,
    NameFilter,
    ScopeFilter,
    SelectorFilter,
    my_tier,
)
from review.list_selectors import ListFilter, material_filters
from review.selectors import SCOPE_SUBTREE


class MaterialSelectorFilter(SelectorFilter):
    """The query is review.list_selectors.material_filters' for this list (the admin's
    `filter_kind`: 学历信息, 专技职称 or the others)."""

    def __init__(self, request: HttpRequest, params, model, model_admin) -> None:
        self._kind = getattr(model_admin, "filter_kind", "")
        super().__init__(request, params, model, model_admin)

    def selector_filters(self, request: HttpRequest) -> dict[str, ListFilter]:
        return material_filters(tier=my_tier(request), kind=self._kind)


class VerificationFilter(MaterialSelectorFilter, DropdownFilter):
    title = "核验状态"
    parameter_name = "verification"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(VerificationStatus.choices)


class EducationLevelFilter(MaterialSelectorFilter, DropdownFilter):
    """学历层级: of the record itself (研究生 / 本科 / 大专 / 中专) on the 学历信息 list, of
    the candidate (the application's highest) on the others."""

    title = "学历层级"
    parameter_name = "education"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(label, label) for label in EXAM_EDUCATION_LABELS.values()]


class ApplicationEducationFilter(EducationLevelFilter):
    """学历层级 of the candidate: the lists other than 学历信息 (the selector tells them apart)."""


class MajorTypeFilter(MaterialSelectorFilter, DropdownFilter):
    title = "专业类型"
    parameter_name = "major_type"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(MajorType.choices)


class _YearFilter(MaterialSelectorFilter, DropdownFilter):
    """A date field by year; the choices run from the latest year on record to the earliest.

    The bounds are MIN/MAX over the whole table: two probes of the field's index. The years
    present in the user's own list (DISTINCT over every visible record) cost a scan of the
    whole scope on every page load (~0.5 s at 200,000 applications); a year without records
    in the user's scope simply lists nothing."""

    field_name = ""

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        bounds = model_admin.model._default_manager.aggregate(
            first=Min(self.field_name), last=Max(self.field_name)
        )
        if bounds["first"] is None:
            return []
        years = range(bounds["last"].year, bounds["first"].year - 1, -1)
        return [(str(year), f"{year}年") for year in years]


class EnrollmentYearFilter(_YearFilter):
    title = "入学时间"
    parameter_name = "enrolled"
    field_name = "enrollment_date"


class GraduationYearFilter(_YearFilter):
    title = "毕业时间"
    parameter_name = "graduated"
    field_name = "graduation_date"


class SchoolFilter(MaterialSelectorFilter, TextFilter):
    title = "毕业学校"
    parameter_name = "school"


class MaterialScopeFilter(ScopeFilter):
    """数据层级; on the 专项信息 lists the default is 下级所有 (the guide's screenshot)."""

    def value(self) -> str:
        return self.used_parameters.get(self.parameter_name) or SCOPE_SUBTREE


class MaterialTierStatusFilter(MaterialSelectorFilter, MyTierStatusFilter):
    """审核状态 of the application at the user's own tier."""


class MaterialNameFilter(MaterialSelectorFilter, NameFilter):
    pass


class MaterialIdNumberFilter(MaterialSelectorFilter, IdNumberFilter):
    pass


class TitleLevelFilter(MaterialSelectorFilter, DropdownFilter):
    title = "职称级别"
    parameter_name = "title_level"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(TitleCertificate.TitleLevel.choices)


# After the guide's filters: 姓名 and 证件号码, to find one candidate's material.
_COMMON_TAIL = [
    MaterialScopeFilter,
    MaterialTierStatusFilter,
    MaterialNameFilter,
    MaterialIdNumberFilter,
]

EDUCATION_FILTERS = [
    VerificationFilter,
    EducationLevelFilter,
    MajorTypeFilter,
    EnrollmentYearFilter,
    SchoolFilter,
    GraduationYearFilter,
    *_COMMON_TAIL,
]
MATERIAL_FILTERS = [VerificationFilter, ApplicationEducationFilter, *_COMMON_TAIL]
TITLE_FILTERS = [VerificationFilter, ApplicationEducationFilter, TitleLevelFilter, *_COMMON_TAIL]
