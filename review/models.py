"""Per-tier review state (TierReview) and the append-only review log (ReviewLog)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from exam.models.applications import Application, ReviewStatus
from exam.models.materials import (
    EducationRecord,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    SupplementaryInfo,
    TitleCertificate,
)
from people.fsm import FSMModel
from people.tiers import Tier
from review.workflow import DECISIONS, log_action_label

S = ReviewStatus
_APPROVE, _DEFER, _RETURN, _REJECT = (
    DECISIONS[code] for code in ("approve", "defer", "return", "reject")
)


class TierReview(FSMModel):
    """One institution's review of one application. Created pending when the application
    reaches the tier: at binding for the entry tier, by 材料上报 for the tiers above."""

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="tier_reviews",
    )
    institution = models.ForeignKey(
        "people.Institution",
        verbose_name="审核机构",
        on_delete=models.PROTECT,
        related_name="tier_reviews",
    )
    tier = models.CharField("层级", max_length=16, choices=Tier.choices)
    status = FSMField(
        "审核状态", max_length=16, choices=ReviewStatus.choices, default=S.PENDING, protected=True
    )
    remark = models.TextField("审核备注", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    created_at = models.DateTimeField("到达时间", auto_now_add=True)

    class Meta:
        verbose_name = "层级审核"
        verbose_name_plural = "层级审核"
        constraints = [
            models.UniqueConstraint(fields=["application", "tier"], name="tier_review_unique"),
        ]
        indexes = [models.Index(fields=["institution", "status"], name="tier_review_inbox")]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.get_status_display()}"

    # The four decisions: their sources and targets are review.workflow.DECISIONS.
    @transition(field=status, source=list(_APPROVE.sources), target=_APPROVE.target)
    def approve(self) -> None:
        """审核通过."""

    @transition(field=status, source=list(_DEFER.sources), target=_DEFER.target)
    def defer(self) -> None:
        """暂不审核: a mark to come back to later."""

    @transition(field=status, source=list(_RETURN.sources), target=_RETURN.target)
    def return_for_changes(self) -> None:
        """允许修改."""

    @transition(field=status, source=list(_REJECT.sources), target=_REJECT.target)
    def reject(self) -> None:
        """审核不通过: final."""

    @transition(field=status, source=S.APPROVED, target=S.PENDING)
    def reopen(self) -> None:
        """A reviewer changes its mind before reporting."""

    @transition(field=status, source=S.APPROVED, target=S.REPORTED)
    def report(self) -> None:
        """材料上报: the parent tier takes over."""

    @transition(field=status, source=S.RETURNED, target=S.PENDING)
    def receive_resubmission(self) -> None:
        """The candidate resubmitted after 允许修改."""


class ReviewLogQuerySet(models.QuerySet["ReviewLog"]):
    def update(self, **kwargs):  # noqa: ANN003 - Django's signature
        raise TypeError("审核日志只能追加，不能修改。")

    def delete(self):
        raise TypeError("审核日志只能追加，不能删除。")


class ReviewLog(models.Model):
    """审核进度: one row per state change, with a namespaced action code
    (application.submitted, review.approved, review.reported, section.locked, …)."""

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="申报",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="logs",
    )
    institution = models.ForeignKey(
        "people.Institution",
        verbose_name="机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tier = models.CharField("层级", max_length=16, choices=Tier.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("操作", max_length=64, db_index=True)
    from_state = models.CharField("原状态", max_length=32, blank=True)
    to_state = models.CharField("新状态", max_length=32, blank=True)
    remark = models.TextField("备注", blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    objects = ReviewLogQuerySet.as_manager()

    class Meta:
        verbose_name = "审核日志"
        verbose_name_plural = "审核日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["application", "-created_at"], name="review_log_app")]

    def __str__(self) -> str:
        # The admin's titles and breadcrumbs: local time and the Chinese label, not the code.
        when = timezone.localtime(self.created_at) if self.created_at else None
        return f"{when:%Y-%m-%d %H:%M} {log_action_label(self.action)}" if when else "审核日志"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("审核日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("审核日志只能追加，不能删除。")


class ReferenceLibrary(models.Model):
    """对比库: an imported list keyed by ID number, matched on the review pages."""

    code = models.CharField("代码", max_length=32, primary_key=True)
    name = models.CharField("名称", max_length=64, unique=True)
    flag_label = models.CharField("标记", max_length=16, help_text="列表中显示的简短标记")
    needs_attention = models.BooleanField(
        "重点关注", default=False, help_text="命中时以醒目颜色提示“请重点关注”"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "对比库"
        verbose_name_plural = "对比库"
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.name


class ReferenceRecord(models.Model):
    """One person in one comparison library."""

    library = models.ForeignKey(
        ReferenceLibrary, verbose_name="对比库", on_delete=models.PROTECT, related_name="records"
    )
    id_number = models.CharField("证件号码", max_length=32)
    name = models.CharField("姓名", max_length=64)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    source = models.CharField("来源", max_length=128, blank=True)
    detail = models.CharField("说明", max_length=255, blank=True)
    extra = models.JSONField("其他字段", default=dict, blank=True)
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "对比库记录"
        verbose_name_plural = "对比库记录"
        ordering = ["library", "-year"]
        indexes = [models.Index(fields=["id_number", "library"], name="reference_match")]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "id_number", "year"],
                name="reference_record_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library}: {self.name}"

    @property
    def summary(self) -> str:
        """The 对比库信息 line: 说明 (or 姓名) with the year once; imported 说明 often
        starts with it already ("2023年度考试违纪人员")."""
        text = self.detail or self.name
        if self.year and f"{self.year}年" not in text:
            text = f"{self.year}年度 {text}"
        return text


class ReviewApplication(Application):
    """报名材料审核: the reviewers' view of applications (its own admin, same table)."""

    class Meta:
        proxy = True
        verbose_name = "报名材料审核"
        verbose_name_plural = "报名材料审核"


class PaymentApplication(Application):
    """缴费状态: provincial staff's list of applications by payment status, with the payment
    import (its own admin, same table)."""

    class Meta:
        proxy = True
        verbose_name = "缴费状态"
        verbose_name_plural = "缴费状态"


# 专项信息 (seed 003 §2.7): the reviewers' batch-verification lists, one per material type,
# in the guide's order. Proxies of the exam app's material models (same tables), so the
# lists live under the review app's admin URLs.


class VerifyEducation(EducationRecord):
    class Meta:
        proxy = True
        verbose_name = "学历信息"
        verbose_name_plural = "学历信息"


class VerifyNurseLicense(NurseLicense):
    class Meta:
        proxy = True
        verbose_name = "护士执业证"
        verbose_name_plural = "护士执业证"


class VerifyPhysicianLicense(PhysicianLicense):
    class Meta:
        proxy = True
        verbose_name = "医师执业证"
        verbose_name_plural = "医师执业证"


class VerifyPhysicianQualification(PhysicianQualification):
    class Meta:
        proxy = True
        verbose_name = "医师资格证"
        verbose_name_plural = "医师资格证"


class VerifyTitle(TitleCertificate):
    class Meta:
        proxy = True
        verbose_name = "专技职称"
        verbose_name_plural = "专技职称"


class VerifySupplementary(SupplementaryInfo):
    class Meta:
        proxy = True
        verbose_name = "补充信息"
        verbose_name_plural = "补充信息"


VERIFY_MODELS: tuple[type, ...] = (
    VerifyEducation,
    VerifyNurseLicense,
    VerifyPhysicianLicense,
    VerifyPhysicianQualification,
    VerifyTitle,
    VerifySupplementary,
)


class CurrentBusiness(models.Model):
    """当前业务 (seed 003 §1: log in, then choose the business): the exam project a reviewer
    works in, remembered from one login to the next. See review/business.py."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="current_business",
        verbose_name="用户",
    )
    project = models.ForeignKey(
        "exam.ExamProject", on_delete=models.CASCADE, related_name="+", verbose_name="考试项目"
    )
    chosen_at = models.DateTimeField("选择时间", default=timezone.now)

    class Meta:
        verbose_name = "当前业务"
        verbose_name_plural = "当前业务"

    def __str__(self) -> str:
        return f"{self.user} · {self.project}"
