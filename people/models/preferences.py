from django.conf import settings
from django.db import models


class ReviewerPreference(models.Model):
    """A reviewer's own settings for the review screens; one row per user, created the first
    time one is changed (people.preferences)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviewer_preference",
        verbose_name="用户",
    )
    auto_open_next = models.BooleanField("审核后自动打开下一条", default=False)
    # The 工作台's "since your last visit" counts start here (review.dashboard).
    dashboard_seen_at = models.DateTimeField("上次访问工作台", null=True, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "审核偏好设置"
        verbose_name_plural = "审核偏好设置"

    def __str__(self) -> str:
        return f"{self.user}的审核偏好设置"
