"""The rows of the review exports (the registry that picks them: review/exporters.py).

An exporter is built on a queryset the permission selector has already scoped; `rows()`
streams with `.iterator(chunk_size=…)` and fetches everything a row needs in the same query
(values() or select_related), so an export costs the same few queries for 50 rows or
200,000. core/xlsx.py writes them.

These are the exports' only column definitions: the review export is the reviewer's offline
form and imports back through review/imports/decisions.py, which reads its headers here.
tests/review/reference_resources.py keeps the django-import-export resources they replaced,
to check the cells against.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.utils import timezone

from core.masking import MASK_ID
from core.xlsx import Exporter
from exam.eligibility.outcomes import Outcome
from exam.models import Application, PaymentStatus
from exam.models.applications import ReviewStatus
from people.models.candidates import IdType
from review.resources import field_label, field_value

CHUNK_SIZE = 2000

_STATUS = dict(Application.Status.choices)
_REVIEW = dict(ReviewStatus.choices)
_PAYMENT = dict(PaymentStatus.choices)
_ID_TYPE = dict(IdType.choices)
_OUTCOME = dict(Outcome.choices)
TIERS = ("province", "city", "county", "unit")
ELIGIBILITY_HEADER = "报考条件"
OVERRIDDEN_SUFFIX = "（人工认定）"


def _label(labels: dict[str, str], value: str | None) -> str:
    # As Model.get_FOO_display: a value outside the choices (e.g. "" = not reached) as is.
    if value is None:
        return ""
    return str(labels.get(value, value))


def eligibility_label(outcome: str | None, override_outcome: str | None) -> str:
    """The 报考条件 cell: what counts (a reviewer's override, else the engine's), marked when
    overridden; empty while the application has no stored result."""
    if not outcome:
        return ""
    label = _label(_OUTCOME, outcome)
    return f"{label}{OVERRIDDEN_SUFFIX}" if override_outcome else label


def _local_minute(value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class ApplicationExporter(Exporter):
    """报名材料审核: one values() query (the stored 报考条件 by a LEFT JOIN on its unique key).
    报考条件 is information for the reviewer, before the two columns the reviewer fills in;
    the 审核结果 import accepts it and never reads it."""

    headers: ClassVar[list[str]] = [
        "申报编号",
        "提交状态",
        "提交时间",
        "省级审核状态",
        "市州审核状态",
        "区县审核状态",
        "单位审核状态",
        "缴费状态",
        "姓名",
        "证件类型",
        "证件号码",
        "申报级别",
        "类别(专业)",
        "申报单位",
        "学历层级",
        ELIGIBILITY_HEADER,
        "审核状态",
        "审核备注",
    ]
    text_columns = ("证件号码",)
    masked_columns = {"证件号码": MASK_ID}

    FIELDS = (
        "pk",
        "status",
        "submitted_at",
        *(f"{tier}_review_status" for tier in TIERS),
        "payment_status",
        "candidate__name",
        "candidate__id_type",
        "candidate__id_number",
        "level__name",
        "specialty__code",
        "specialty__name",
        "entry_institution__name",
        "highest_education",
        "eligibility__outcome",
        "eligibility__override_outcome",
    )

    def rows(self) -> Iterator[list[Any]]:
        values = self.source.values_list(*self.FIELDS)
        for (
            pk,
            status,
            submitted_at,
            province,
            city,
            county,
            unit,
            payment,
            name,
            id_type,
            id_number,
            level,
            specialty_code,
            specialty_name,
            institution,
            education,
            outcome,
            override_outcome,
        ) in values.iterator(chunk_size=CHUNK_SIZE):
            yield [
                pk,
                _label(_STATUS, status),
                _local_minute(submitted_at),
                _label(_REVIEW, province),
                _label(_REVIEW, city),
                _label(_REVIEW, county),
                _label(_REVIEW, unit),
                _label(_PAYMENT, payment),
                name,
                _label(_ID_TYPE, id_type),
                str(id_number),
                level or "",
                f"{specialty_code} {specialty_name}" if specialty_code is not None else "",
                institution,
                education,
                eligibility_label(outcome, override_outcome),
                "",  # 审核状态: filled in by the reviewer (审核通过 / 暂不审核 / …)
                "",  # 审核备注
            ]


class MaterialExporter(Exporter):
    """专项信息: the common columns, the material's own `field_names`, 核验; the material,
    its application, candidate, level, specialty and entry institution in one joined query.
    `with_eligibility` adds the application's 报考条件 after the common columns (its stored
    result joined in the same query)."""

    COMMON_HEADERS: ClassVar[list[str]] = [
        "姓名",
        "证件类型",
        "证件号码",
        "提交状态",
        "材料状态",
        "缴费状态",
        "申报级别",
        "类别(专业)",
        "申报单位",
    ]
    TAIL_HEADERS: ClassVar[list[str]] = ["核验状态", "核验备注", "核验时间"]
    masked_columns = {"证件号码": MASK_ID}

    def __init__(
        self,
        queryset: QuerySet,
        *,
        field_names: tuple[str, ...],
        tier: str = "",
        extra_select_related: tuple[str, ...] = (),
        with_eligibility: bool = False,
    ) -> None:
        super().__init__(queryset)
        self.model: type[Model] = queryset.model
        self.field_names = tuple(field_names)
        self.tier = tier  # the exporting user's tier; "" = each application's current tier
        self.extra_select_related = tuple(extra_select_related)
        self.with_eligibility = with_eligibility
        self.headers = [
            *self.COMMON_HEADERS,
            *([ELIGIBILITY_HEADER] if with_eligibility else []),
            *(field_label(self.model, name) for name in self.field_names),
            *self.TAIL_HEADERS,
        ]
        # Certificate numbers are codes: text, like the ID number.
        self.text_columns = ("证件号码", *(h for h in self.headers if h.endswith("编号")))

    def rows(self) -> Iterator[list[Any]]:
        related = [
            "application__candidate",
            "application__level",
            "application__specialty",
            "application__entry_institution",
            *self.extra_select_related,
        ]
        if self.with_eligibility:
            # A LEFT JOIN: an application without a stored result reads as None, no query.
            related.append("application__eligibility")
        # A material FK among the fields (e.g. 学历's level) is read in the same query too.
        for name in self.field_names:
            if self.model._meta.get_field(name).is_relation and name not in related:
                related.append(name)
        queryset = self.source.select_related(*related)
        for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
            application = obj.application
            candidate = application.candidate
            tier = self.tier or application.current_tier
            yield [
                candidate.name,
                _label(_ID_TYPE, candidate.id_type),
                str(candidate.id_number),
                _label(_STATUS, application.status),
                _label(_REVIEW, getattr(application, f"{tier}_review_status")),
                _label(_PAYMENT, application.payment_status),
                application.level.name if application.level_id else "",
                str(application.specialty) if application.specialty_id else "",
                application.entry_institution.name,
                *self._eligibility(application),
                *(field_value(obj, name) for name in self.field_names),
                obj.get_verification_status_display(),
                obj.verification_remark,
                _local_minute(obj.verified_at),
            ]

    def _eligibility(self, application: Application) -> list[str]:
        if not self.with_eligibility:
            return []
        # select_related cached the missing row: getattr reads None without a query.
        result = getattr(application, "eligibility", None)
        if result is None:
            return [""]
        return [eligibility_label(result.outcome, result.override_outcome)]
