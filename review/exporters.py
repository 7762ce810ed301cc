"""The review exports, in a registry (pretix style): an identifier → a small exporter class.

Each class says what it exports (`verbose_name`), who may (`available_for_user`), which
rows (`queryset(user=, business=, params=)`: the permission selectors of review/selectors.py
and the list's filters and sort from review/list_selectors.py, read from the list's URL
parameters), and how (`headers`, `text_columns`, `rows()`, from review/exporting.py). The
admin's 导出 button and the background job (review/job_tasks.py) both call
`exporter_build`: the job stores the identifier (Job.subject), the parameters and the
当前业务, and needs no request and no admin.

The identifier is the list's model label ("review.reviewapplication"): what Job.subject
held before the registry, so a job recorded then still runs. To add an export: subclass
`ListExporter` (or one of the two below), give it an identifier, `register` it, and call
it from a view as the lists' `export_action` do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

from django.db.models import Model, QuerySet
from django.utils import timezone

from exam.models import Application
from people.models import Institution, ReviewerMembership
from people.permissions import Perm, has_institution_perm, institutions_with_perm
from people.tiers import Tier
from review import models as review_models
from review.exporting import ApplicationExporter, MaterialExporter
from review.list_selectors import (
    EDUCATION_LIST,
    TITLE_LIST,
    application_list_filter,
    list_ordering,
    material_list_filter,
)
from review.selectors import (
    SCOPE_CHOICES,
    SCOPE_DIRECT,
    SCOPE_SUBTREE,
    Scope,
    application_list,
    material_list,
)

Params = Mapping[str, Any]


class ExportNotAvailable(Exception):
    """No such export, or not for this user (the admin answers 403, a job fails)."""


def user_institution(user) -> Institution | None:
    """The institution the user belongs to (None for the superuser), as
    people.access.own_institution finds it for a request."""
    if not user.is_authenticated:
        return None
    membership = (
        ReviewerMembership.objects.select_related("institution").filter(user_id=user.pk).first()
    )
    return membership.institution if membership else None


def user_has_perm_somewhere(user, perm: Perm) -> bool:
    """people.access.has_perm_somewhere, for a user without a request."""
    if not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or institutions_with_perm(user, perm).exists()


def _scope(params: Params, default: Scope) -> Scope:
    scope = params.get("scope") or default
    return cast(Scope, scope) if scope in dict(SCOPE_CHOICES) else default


class ListExporter:
    """What a registered export adds to a core.xlsx.Exporter."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    file_prefix: ClassVar[str]
    model: ClassVar[type[Model]]
    # The admin list's default order and its columns' order fields (o=…), as the list shows
    # them without the row checkbox; see list_selectors.list_ordering.
    ordering: ClassVar[tuple[str, ...]]
    sort_columns: ClassVar[tuple[str | None, ...]]

    @classmethod
    def available_for_user(cls, user) -> bool:
        return user_has_perm_somewhere(user, Perm.EXPORT)

    @classmethod
    def queryset(cls, *, user, business: int | None, params: Params) -> QuerySet:
        raise NotImplementedError

    @classmethod
    def has_row_checkbox(cls, user) -> bool:
        """Whether the user's list shows the row checkbox (it has admin actions): `o`
        counts it as column 0."""
        return False

    @classmethod
    def order(cls, queryset: QuerySet, *, user, params: Params) -> QuerySet:
        columns = (None,) * cls.has_row_checkbox(user) + cls.sort_columns
        return queryset.order_by(*list_ordering(params, columns=columns, default=cls.ordering))

    @classmethod
    def create(cls, *, user, business: int | None, params: Params) -> ListExporter:
        raise NotImplementedError

    @classmethod
    def filename(cls, *, user) -> str:
        institution = user_institution(user)
        owner = institution.name if institution else "全省"
        return f"{cls.file_prefix}_{owner}_{timezone.localdate():%Y%m%d}.xlsx"


EXPORTERS: dict[str, type[ListExporter]] = {}


def register(exporter: type[ListExporter]) -> type[ListExporter]:
    EXPORTERS[exporter.identifier] = exporter
    return exporter


def exporter_class(identifier: str) -> type[ListExporter]:
    try:
        return EXPORTERS[identifier]
    except KeyError as exc:
        raise ExportNotAvailable("没有该导出。") from exc


def exporter_build(*, identifier: str, user, business: int | None, params: Params):
    """The exporter of `identifier` for `user`: the rows of the list `params` filter, in
    the 当前业务 `business`, within the user's 导出 scope. ExportNotAvailable if the user
    may not use it."""
    cls = exporter_class(identifier)
    if not cls.available_for_user(user):
        raise ExportNotAvailable("您已没有导出权限。")
    return cls.create(user=user, business=business, params=params)


# --- 报名材料审核 -------------------------------------------------------------------------------


@register
class ReviewListExporter(ListExporter, ApplicationExporter):
    """The 报名材料审核 list as the reviewer's offline form (review/imports/decisions.py
    reads it back)."""

    identifier = "review.reviewapplication"
    verbose_name = "报名材料审核"
    file_prefix = "报名材料审核"
    model = Application
    ordering = ("-submitted_at", "-id")
    # ReviewApplicationAdmin.list_display: 提交时间, 姓名, 申报级别, 类别(专业), 申报单位 sort.
    sort_columns = (
        *(None,) * 3,
        "submitted_at",
        *(None,) * 5,
        "candidate__name",
        None,
        None,
        "level",
        "specialty",
        "entry_institution",
        None,
    )

    @classmethod
    def has_row_checkbox(cls, user) -> bool:
        # 上报所选申报: ReviewApplicationAdmin.has_report_permission.
        institution = user_institution(user)
        return (
            institution is not None
            and institution.parent_id is not None
            and has_institution_perm(user, Perm.REPORT, institution)
        )

    @classmethod
    def queryset(cls, *, user, business: int | None, params: Params) -> QuerySet:
        # The list (审核 permission, its 数据层级) within the user's 导出 scope.
        listed = application_list(
            user=user,
            business=business,
            permission=Perm.REVIEW,
            scope=_scope(params, SCOPE_DIRECT),
        )
        exportable = application_list(
            user=user, business=business, permission=Perm.EXPORT, scope=SCOPE_SUBTREE
        )
        institution = user_institution(user)
        tier = institution.tier if institution else Tier.PROVINCE
        queryset = application_list_filter(listed, params=params, tier=tier)
        return cls.order(queryset.filter(pk__in=exportable.values("pk")), user=user, params=params)

    @classmethod
    def create(cls, *, user, business: int | None, params: Params) -> ReviewListExporter:
        return cls(cls.queryset(user=user, business=business, params=params))


# --- 专项信息: one export per material list ---------------------------------------------------


class MaterialListExporter(ListExporter, MaterialExporter):
    """One 专项信息 list: the common columns, the material's own `field_names`, 核验.
    `with_eligibility`: the lists of the materials the 报考条件 engine reads (学历, 专技职称,
    补充信息的参加工作时间) show the application's result beside them."""

    field_names: tuple[str, ...]
    extra_select_related: tuple[str, ...] = ()
    with_eligibility: bool = False
    filter_kind: ClassVar[str] = ""  # list_selectors.EDUCATION_LIST, TITLE_LIST or ""
    ordering = ("-application__submitted_at", "-application_id", "id")
    # MaterialVerifyAdmin.list_display: only 姓名 / 证件号码 sorts.
    sort_columns = ("application__candidate__name", *(None,) * 7)

    @classmethod
    def has_row_checkbox(cls, user) -> bool:
        return user_has_perm_somewhere(user, Perm.VERIFY)  # 批量核验所选材料

    @classmethod
    def queryset(cls, *, user, business: int | None, params: Params) -> QuerySet:
        # The list (核验 permission, its 数据层级) within the user's 导出 scope.
        listed = material_list(
            user=user,
            business=business,
            model=cls.model,
            permission=Perm.VERIFY,
            scope=_scope(params, SCOPE_SUBTREE),
        )
        exportable = application_list(
            user=user, business=business, permission=Perm.EXPORT, scope=SCOPE_SUBTREE
        )
        institution = user_institution(user)
        tier = institution.tier if institution else Tier.PROVINCE
        queryset = material_list_filter(listed, params=params, tier=tier, kind=cls.filter_kind)
        return cls.order(queryset.filter(application__in=exportable), user=user, params=params)

    @classmethod
    def create(cls, *, user, business: int | None, params: Params) -> MaterialListExporter:
        institution = user_institution(user)
        return cls(
            cls.queryset(user=user, business=business, params=params),
            field_names=cls.field_names,
            # 材料状态 at the user's tier; the superuser's: each application's current tier.
            tier=institution.tier if institution else "",
            extra_select_related=cls.extra_select_related,
            with_eligibility=cls.with_eligibility,
        )


def _material(
    model: type[Model], field_names: tuple[str, ...], **attrs: Any
) -> type[MaterialListExporter]:
    exporter = type(
        f"{model.__name__}Exporter",
        (MaterialListExporter,),
        {
            "identifier": model._meta.label_lower,
            "verbose_name": f"专项信息（{model._meta.verbose_name}）",
            "file_prefix": f"专项信息_{model._meta.verbose_name}",
            "model": model,
            "field_names": field_names,
            "__module__": __name__,
            **attrs,
        },
    )
    register(exporter)
    return exporter


EducationExporter = _material(
    review_models.VerifyEducation,
    (
        "level",
        "graduation_date",
        "school",
        "certification_report_no",
        "study_form",
        "major_type",
        "duration_years",
        "enrollment_date",
        "major",
        "diploma_no",
    ),
    extra_select_related=("level",),
    filter_kind=EDUCATION_LIST,
    with_eligibility=True,
)
NurseLicenseExporter = _material(
    review_models.VerifyNurseLicense,
    ("certificate_no", "practice_institution", "issued_on", "valid_until"),
)
PhysicianLicenseExporter = _material(
    review_models.VerifyPhysicianLicense,
    ("certificate_no", "category", "scope", "practice_institution", "issued_on"),
)
PhysicianQualificationExporter = _material(
    review_models.VerifyPhysicianQualification,
    ("certificate_no", "category", "level", "issued_on"),
)
TitleExporter = _material(
    review_models.VerifyTitle,
    ("title_name", "title_level", "certificate_no", "issued_on", "issuing_authority"),
    filter_kind=TITLE_LIST,
    with_eligibility=True,
)
SupplementaryExporter = _material(
    review_models.VerifySupplementary,
    ("covid_frontline", "work_started_on", "years_in_specialty", "note"),
    with_eligibility=True,
)
