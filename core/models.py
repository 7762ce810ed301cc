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
