"""消息: what the platform tells a candidate about their application and account
(people.notices says, per kind, the words and whether an SMS goes too)."""

from django.db import models


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "申报已提交"
    RETURNED = "returned", "退回修改"
    REJECTED = "rejected", "审核不通过"
    TIER_APPROVED = "tier_approved", "审核通过并上报"
    APPROVED = "approved", "终审通过"
    IDENTITY_DECIDED = "identity_decided", "实名认证结果"
    TEACHER_SIGNED = "teacher_signed", "老师已签名"
    TEACHER_LINK_EXPIRED = "teacher_link_expired", "老师二维码已过期"


class Notification(models.Model):
    """One message to one candidate. `dedupe_key` names the event (kind and the audit row,
    review or invitation it came from): the unique constraint makes an event produce one
    message however often its producer runs."""

    candidate = models.ForeignKey(
        "people.Candidate",
        verbose_name="考生",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=32, choices=NotificationKind.choices)
    # The application it is about, as a plain id and words (people does not know exam).
    application_id = models.PositiveBigIntegerField("申报编号", null=True, blank=True)
    subject = models.CharField("申报", max_length=128, blank=True)
    title = models.CharField("标题", max_length=128)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=255, blank=True)
    dedupe_key = models.CharField("事件标识", max_length=128, unique=True)
    sms = models.OneToOneField(
        "people.SmsMessage",
        verbose_name="短信",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["candidate", "-created_at"], name="notification_list"),
            models.Index(
                fields=["candidate"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
