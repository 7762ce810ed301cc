"""The 对比库 (ReferenceLibrary, ReferenceRecord), the review lists' proxies, import logs and
当前业务. TierReview is exam/models/reviews.py; the audit log is core.AuditLogEntry."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from exam.models.applications import Application
from exam.models.materials import (
    EducationRecord,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    SupplementaryInfo,
    TitleCertificate,
)


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


class ReturnSnapshot(models.Model):
    """The application as a reviewer returned it (允许修改), written in the same transaction
    as the decision: what the 修改内容 view compares the resubmission with. `payload` is
    review.changes' form (labelled values, records, files with their sha256 and the copy
    kept under review-snapshots/, so a file the candidate replaces stays readable)."""

    application = models.ForeignKey(
        Application,
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="return_snapshots",
    )
    round = models.PositiveSmallIntegerField("退回轮次")
    tier = models.CharField("审核层级", max_length=16)
    institution = models.ForeignKey(
        "people.Institution", verbose_name="审核机构", on_delete=models.PROTECT, related_name="+"
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    remark = models.TextField("审核备注", blank=True)
    created_at = models.DateTimeField("退回时间", default=timezone.now)
    payload = models.JSONField("退回时的申报内容", default=dict)

    class Meta:
        verbose_name = "退回修改快照"
        verbose_name_plural = "退回修改快照"
        ordering = ["application", "-round"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="return_snapshot_round"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} 第{self.round}次退回"
