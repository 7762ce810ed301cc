"""导入日志: one row per applied or refused Excel import (people/admin/imports.py writes it)."""

from django.conf import settings
from django.db import models


class ImportLog(models.Model):
    """One applied (or refused) Excel import: who, when, which file, what it did."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "已导入"
        REFUSED = "refused", "有错误，未导入"

    importer = models.CharField("导入类型", max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "people.Institution",
        verbose_name="机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件SHA-256", max_length=64)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices)
    new_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("未变化", default=0)
    error_count = models.PositiveIntegerField("错误", default=0)
    created_at = models.DateTimeField("导入时间", auto_now_add=True)

    class Meta:
        verbose_name = "导入日志"
        verbose_name_plural = "导入日志"
        ordering = ["-created_at"]
        # The table of the review app, where the model was first (no data moved).
        db_table = "review_importlog"

    def __str__(self) -> str:
        return f"{self.importer} {self.file_name}"
