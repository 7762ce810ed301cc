"""The audit log (审核日志): one append-only row per state change anywhere in the platform.

A row names what happened (a namespaced action code such as ``review.approved``), who did
it, when, what it is about (a generic subject: the application when there is one, else the
institution) and a JSON payload. Write rows through core/audit.py; each app registers its
own codes and Chinese labels there.

The payload's usual keys (all optional, empty values are left out):
``institution`` (id of the institution whose work it is; the admin's scoping and the
dashboard read it), ``tier``, ``from_state``, ``to_state``, ``remark``.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

APPEND_ONLY_CHANGE = "审核日志只能追加，不能修改。"
APPEND_ONLY_DELETE = "审核日志只能追加，不能删除。"

# The payload's institution id as a number: the dashboard's and the admin's filter, and the
# expression of the index that serves them (the same expression, so the planner matches it).
DATA_INSTITUTION = Cast(KeyTextTransform("institution", "data"), models.BigIntegerField())


class AuditLogEntryQuerySet(models.QuerySet["AuditLogEntry"]):
    def update(self, **kwargs):  # noqa: ANN003 - Django's signature
        raise TypeError(APPEND_ONLY_CHANGE)

    def delete(self):
        raise TypeError(APPEND_ONLY_DELETE)

    def about(self, subject: models.Model) -> "AuditLogEntryQuerySet":
        """The rows whose subject is `subject`."""
        content_type = ContentType.objects.get_for_model(subject)
        return self.filter(content_type=content_type, object_id=subject.pk)

    def about_model(self, model: type[models.Model]) -> "AuditLogEntryQuerySet":
        """The rows whose subject is any row of `model`."""
        return self.filter(content_type=ContentType.objects.get_for_model(model))

    def of_institution(self, institution_ids) -> "AuditLogEntryQuerySet":  # noqa: ANN001
        """Rows whose payload names one of `institution_ids` (a list or a subquery)."""
        return self.alias(data_institution=DATA_INSTITUTION).filter(
            data_institution__in=institution_ids
        )


class AuditLogEntry(models.Model):
    """审核日志: one row per state change (application.submitted, review.approved, …)."""

    action = models.CharField("操作", max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="对象类型",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # audit_subject_time starts with it
    )
    object_id = models.PositiveBigIntegerField("对象", null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    data = models.JSONField("内容", default=dict, blank=True)

    objects = AuditLogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审核日志"
        verbose_name_plural = "审核日志"
        ordering = ["-created_at", "-id"]
        indexes = [
            # A subject's history, newest first (审核进度, the admin's scoping).
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="audit_subject_time"
            ),
            # An institution's rows over days (工作台's decisions per day).
            models.Index(DATA_INSTITUTION, "created_at", name="audit_institution_time"),
        ]

    def __str__(self) -> str:
        # The admin's titles and breadcrumbs: local time and the Chinese label, not the code.
        from core.audit import log_action_label

        when = timezone.localtime(self.created_at) if self.created_at else None
        return f"{when:%Y-%m-%d %H:%M} {log_action_label(self.action)}" if when else "审核日志"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError(APPEND_ONLY_CHANGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(APPEND_ONLY_DELETE)

    # The payload's usual keys, read as the old columns were ("" when absent).
    @property
    def institution_id(self) -> int | None:
        return self.data.get("institution")

    @property
    def tier(self) -> str:
        return self.data.get("tier", "")

    @property
    def from_state(self) -> str:
        return self.data.get("from_state", "")

    @property
    def to_state(self) -> str:
        return self.data.get("to_state", "")

    @property
    def remark(self) -> str:
        return self.data.get("remark", "")


class FileDisplay(models.Model):
    """How a stored image is shown, per stored file name (a FieldFile's name): the rotation
    a reviewer chose (the next reviewer sees it the same way) and its thumbnail, made once
    (core/thumbnails.py). Rows appear when a file is first shown as a thumbnail or rotated."""

    ROTATIONS = (0, 90, 180, 270)

    name = models.CharField("文件", max_length=255, unique=True)
    rotation = models.PositiveSmallIntegerField(
        "旋转角度", default=0, choices=[(r, f"{r}°") for r in ROTATIONS]
    )
    # The thumbnail's stored name ("" not made yet); it has the rotation baked in.
    thumbnail = models.CharField("缩略图", max_length=255, blank=True)
    # Not an image Pillow reads safely: shown as an icon, never tried again.
    unreadable = models.BooleanField("无法生成缩略图", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "图片显示设置"
        verbose_name_plural = "图片显示设置"

    def __str__(self) -> str:
        return f"{self.name}（{self.rotation}°）"


ACCESS_APPEND_ONLY = "个人信息访问记录只能追加，不能修改或删除。"


class PersonalDataAccessQuerySet(models.QuerySet["PersonalDataAccess"]):
    def update(self, **kwargs):  # noqa: ANN003 - Django's signature
        raise TypeError(ACCESS_APPEND_ONLY)

    def delete(self):
        raise TypeError(ACCESS_APPEND_ONLY)


class PersonalDataAccess(models.Model):
    """个人信息访问记录: one append-only row per look at personal data (an application's detail
    page, a private file, an export, an import). Written through core/access_log.py.

    core cannot point at people or exam (layering), so the viewer's institution and the
    application / candidate are plain ids, with copies of the names as they were then: a row
    still says who looked after the account or the institution is renamed or removed."""

    class Kind(models.TextChoices):
        DETAIL = "detail", "查看报名详情"
        FILE = "file", "查看附件"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"

    kind = models.CharField("访问类型", max_length=16, choices=Kind.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # access_user_time starts with it
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    institution_id = models.BigIntegerField("机构编号", null=True, blank=True)
    institution_name = models.CharField("机构", max_length=200, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    application_id = models.BigIntegerField("报名编号", null=True, blank=True)
    candidate_id = models.BigIntegerField("考生编号", null=True, blank=True)
    # file: which attachment; export / import: which list.
    what = models.CharField("访问内容", max_length=200, blank=True)
    row_count = models.PositiveIntegerField("行数", null=True, blank=True)
    # export: filters, purpose, full_id; file: thumb.
    data = models.JSONField("详情", default=dict, blank=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        verbose_name = "个人信息访问记录"
        verbose_name_plural = "个人信息访问记录"
        ordering = ["-at", "-id"]
        indexes = [
            # The candidate's 个人信息查询记录, newest first.
            models.Index(fields=["candidate_id", "-at"], name="access_candidate_time"),
            models.Index(fields=["application_id", "-at"], name="access_application_time"),
            # The province's log: by time, by account, by institution (and 异常访问's hours).
            models.Index(fields=["-at"], name="access_time"),
            models.Index(fields=["user", "at"], name="access_user_time"),
            models.Index(fields=["institution_id", "at"], name="access_institution_time"),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.at) if self.at else None
        return f"{when:%Y-%m-%d %H:%M} {self.get_kind_display()}" if when else "个人信息访问记录"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError(ACCESS_APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(ACCESS_APPEND_ONLY)
