from django.db import models


class SmsPurpose(models.TextChoices):
    TEACHER_CODE = "teacher_code", "推荐医师身份核验码"
    NOTICE = "notice", "消息通知"


class SmsMessage(models.Model):
    """短信发送记录: one row per text message sent (people.sms.send_sms), whatever the
    backend. In development and tests the row is the delivery (OutboxBackend); with a real
    gateway it is the audit, and secrets such as codes are masked in `text`."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    phone = models.CharField("手机号码", max_length=11, db_index=True)
    text = models.TextField("短信内容")
    purpose = models.CharField("用途", max_length=32, choices=SmsPurpose.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField("发送方式", max_length=128)
    error = models.CharField("失败原因", max_length=255, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    # Deliveries tried by the job worker (people.notice_tasks); the teacher's code is sent
    # once, in the request, and keeps 0.
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)

    class Meta:
        verbose_name = "短信发送记录"
        verbose_name_plural = "短信发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phone", "purpose", "created_at"], name="sms_phone_recent")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"
