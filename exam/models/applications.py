"""Applications (申报) and their sections (分项)."""

from django.db import models
from django_fsm import FSMField, transition

from exam.eligibility.outcomes import Outcome
from people.fsm import FSMModel
from people.tiers import TIER_ORDER, Tier


class Track(models.TextChoices):
    """考生类型 of the TCM-expertise exam (seed 000 §4.2)."""

    APPRENTICESHIP = "apprenticeship", "以师承方式学习中医"
    PRACTICE = "practice", "经多年中医医术实践"


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", "待缴费"
    PAID = "paid", "已缴费"
    REFUNDED = "refunded", "已退费"


class ReviewStatus(models.TextChoices):
    """审核状态 of one tier; mirrored on Application per tier for listing and filtering."""

    PENDING = "pending", "待审核"
    APPROVED = "approved", "审核通过"
    DEFERRED = "deferred", "暂不审核"
    RETURNED = "returned", "允许修改"
    REJECTED = "rejected", "审核不通过"
    REPORTED = "reported", "已上报"


class Application(FSMModel):
    """申报: one candidate in one project.

    The review chain (entry institution and its ancestors) is copied onto the row as one
    foreign key per tier, and each tier's review status as one column per tier, so lists,
    filters and the permission selector read one table with indexed columns.
    An empty `<tier>_review_status` means the application has not reached that tier.
    `eligibility_outcome` copies its EligibilityResult's `outcome` (what counts) the same way,
    for the list's 报考条件 filter; empty: not judged yet. Every service that writes a
    result's outcome writes it in the same transaction.
    `return_rounds` counts the 允许修改 decisions (each with its review.ReturnSnapshot, written
    in the same transaction), for the list's 已修改 mark and filter.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "未提交"
        SUBMITTED = "submitted", "已提交"
        WITHDRAWN = "withdrawn", "已撤回"
        IN_REVIEW = "in_review", "审核中"
        RETURNED = "returned", "退回修改"
        REJECTED = "rejected", "审核不通过"
        APPROVED = "approved", "审核通过"

    project = models.ForeignKey(
        "exam.ExamProject",
        verbose_name="考试项目",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    candidate = models.ForeignKey(
        "people.Candidate",
        verbose_name="考生",
        on_delete=models.PROTECT,
        related_name="applications",
    )
    level = models.ForeignKey(
        "exam.Level", verbose_name="申报级别", null=True, blank=True, on_delete=models.PROTECT
    )
    specialty = models.ForeignKey(
        "exam.Specialty",
        verbose_name="类别(专业)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    track = models.CharField("考生类型", max_length=32, choices=Track.choices, blank=True)

    entry_institution = models.ForeignKey(
        "people.Institution",
        verbose_name="申报单位",
        on_delete=models.PROTECT,
        related_name="entered_applications",
    )
    unit = models.ForeignKey(
        "people.Institution",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    county = models.ForeignKey(
        "people.Institution",
        verbose_name="区县",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    city = models.ForeignKey(
        "people.Institution",
        verbose_name="市州",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    province = models.ForeignKey(
        "people.Institution",
        verbose_name="省级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_institution = models.ForeignKey(
        "people.Institution",
        verbose_name="当前审核机构",
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_tier = models.CharField("当前审核层级", max_length=16, choices=Tier.choices)

    unit_review_status = models.CharField(
        "单位审核状态", max_length=16, choices=ReviewStatus.choices, blank=True
    )
    county_review_status = models.CharField(
        "区县审核状态", max_length=16, choices=ReviewStatus.choices, blank=True
    )
    city_review_status = models.CharField(
        "市州审核状态", max_length=16, choices=ReviewStatus.choices, blank=True
    )
    province_review_status = models.CharField(
        "省级审核状态", max_length=16, choices=ReviewStatus.choices, blank=True
    )

    eligibility_outcome = models.CharField(
        "报考条件", max_length=16, choices=Outcome.choices, blank=True, editable=False
    )

    return_rounds = models.PositiveSmallIntegerField("退回修改次数", default=0, editable=False)

    highest_education = models.CharField(
        "学历层级",
        max_length=8,
        blank=True,
        db_index=True,
        help_text="最高学历的考试层级（研究生/本科/大专/中专），由学历信息得出。",
    )
    status = FSMField(
        "提交状态", max_length=16, choices=Status.choices, default=Status.DRAFT, protected=True
    )
    payment_status = FSMField(
        "缴费状态",
        max_length=16,
        choices=PaymentStatus.choices,
        default=PaymentStatus.UNPAID,
        protected=True,
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    onsite_confirmed_at = models.DateTimeField("现场确认时间", null=True, blank=True)
    onsite_confirmed_by = models.ForeignKey(
        "auth.User",
        verbose_name="现场确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Set by manage.py purge_personal_data (review/purge.py) when the project's retention
    # period has passed: files deleted, personal texts cleared; statuses and decisions kept.
    personal_data_purged_at = models.DateTimeField(
        "个人信息清除时间", null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "candidate"], name="application_one_per_candidate_project"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "unit_review_status"], name="app_unit_scope"),
            models.Index(fields=["county", "county_review_status"], name="app_county_scope"),
            models.Index(fields=["city", "city_review_status"], name="app_city_scope"),
            models.Index(fields=["province", "province_review_status"], name="app_prov_scope"),
            models.Index(fields=["current_institution", "status"], name="app_current"),
            models.Index(fields=["project", "status"], name="app_project_status"),
            # The review list orders by 提交时间 (newest first) and shows one page: PostgreSQL
            # walks these in order and stops after the page, rather than sorting every row
            # that matches (exam/migrations/0007; a trigram index for 姓名 search is there too).
            models.Index(fields=["-submitted_at", "-id"], name="app_recent"),
            models.Index(fields=["unit", "-submitted_at", "-id"], name="app_unit_recent"),
            models.Index(fields=["county", "-submitted_at", "-id"], name="app_county_recent"),
            models.Index(fields=["city", "-submitted_at", "-id"], name="app_city_recent"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="app_status_recent"),
            models.Index(fields=["payment_status", "-submitted_at", "-id"], name="app_pay_recent"),
            models.Index(fields=["level", "-submitted_at", "-id"], name="app_level_recent"),
            models.Index(fields=["specialty", "-submitted_at", "-id"], name="app_spec_recent"),
            models.Index(
                fields=["eligibility_outcome", "-submitted_at", "-id"], name="app_elig_recent"
            ),
            models.Index(
                fields=["return_rounds", "-submitted_at", "-id"], name="app_rounds_recent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.project}"

    # --- chain -----------------------------------------------------------------------------

    def chain_institution_id(self, tier: str) -> int | None:
        return getattr(self, f"{tier}_id")

    def review_status_at(self, tier: str) -> str:
        return getattr(self, f"{tier}_review_status")

    def set_review_status_at(self, tier: str, status: str) -> None:
        setattr(self, f"{tier}_review_status", status)

    def top_tier(self) -> str:
        """The highest tier on this application's chain (the province, in practice)."""
        return [t for t in TIER_ORDER if self.chain_institution_id(t)][-1]

    @property
    def is_editable_by_candidate(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.WITHDRAWN, self.Status.RETURNED}

    # --- transitions (no side effects: services add permission checks, logs, notices) -----

    @transition(field=status, source=[Status.DRAFT, Status.WITHDRAWN], target=Status.SUBMITTED)
    def submit(self) -> None:
        """提交."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        """撤回: only while the first tier has not decided."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.IN_REVIEW)
    def start_review(self) -> None:
        """The first tier has made its first decision."""

    @transition(field=status, source=[Status.SUBMITTED, Status.IN_REVIEW], target=Status.RETURNED)
    def return_for_changes(self) -> None:
        """允许修改 at some tier."""

    @transition(field=status, source=Status.RETURNED, target=Status.IN_REVIEW)
    def resubmit(self) -> None:
        """重新提交: back to the tier that returned it."""

    @transition(field=status, source=[Status.SUBMITTED, Status.IN_REVIEW], target=Status.REJECTED)
    def reject(self) -> None:
        """审核不通过 at any tier: final."""

    @transition(field=status, source=[Status.SUBMITTED, Status.IN_REVIEW], target=Status.APPROVED)
    def approve(self) -> None:
        """审核通过 at the top tier: final."""

    @transition(field=payment_status, source=PaymentStatus.UNPAID, target=PaymentStatus.PAID)
    def mark_paid(self) -> None:
        """已缴费 (provincial import or admin action)."""

    @transition(field=payment_status, source=PaymentStatus.PAID, target=PaymentStatus.REFUNDED)
    def mark_refunded(self) -> None:
        """已退费."""


class Section(FSMModel):
    """分项: one part of an application. `locked` = a reviewer accepted it (已锁定)."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "去完善"
        COMPLETE = "complete", "编辑"
        LOCKED = "locked", "已锁定"

    application = models.ForeignKey(
        Application, verbose_name="申报", on_delete=models.CASCADE, related_name="sections"
    )
    code = models.CharField("分项", max_length=32)
    status = FSMField(
        "状态", max_length=16, choices=Status.choices, default=Status.INCOMPLETE, protected=True
    )
    data = models.JSONField("内容", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "申报分项"
        verbose_name_plural = "申报分项"
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="section_unique_code"),
        ]

    def __str__(self) -> str:
        from exam.sections import section_label

        return section_label(self.application.project.kind, self.code)

    @transition(field=status, source=[Status.INCOMPLETE, Status.COMPLETE], target=Status.COMPLETE)
    def mark_complete(self) -> None:
        """The candidate saved it with every required field."""

    @transition(field=status, source=Status.COMPLETE, target=Status.INCOMPLETE)
    def mark_incomplete(self) -> None:
        """The candidate saved a draft that is missing something."""

    @transition(field=status, source=Status.COMPLETE, target=Status.LOCKED)
    def lock(self) -> None:
        """A reviewer accepts the section; the candidate can no longer change it."""

    @transition(field=status, source=Status.LOCKED, target=Status.COMPLETE)
    def unlock(self) -> None:
        """A reviewer reopens it."""
