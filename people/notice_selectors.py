"""消息 reads: a candidate sees only their own messages (every query is filtered by the
candidate the request belongs to)."""

from __future__ import annotations

from django.db.models import QuerySet

from people.models import Notification, SmsMessage

# What the candidate is told about the SMS of a message.
SMS_STATES: dict[str, str] = {
    SmsMessage.Status.SENT: "短信已发送",
    SmsMessage.Status.FAILED: "短信发送失败",
    SmsMessage.Status.QUEUED: "短信待发送",
    SmsMessage.Status.SENDING: "短信发送中",
}
NO_SMS = "未发短信"


def notifications_of(*, candidate_id: int) -> QuerySet[Notification]:
    """The candidate's messages, newest first, with their SMS (one query per page)."""
    return (
        Notification.objects.filter(candidate_id=candidate_id)
        .select_related("sms")
        .order_by("-created_at", "-id")
    )


def unread_count(*, user_id: int) -> int:
    """The header's badge: one COUNT (the partial index notification_unread)."""
    return Notification.objects.filter(candidate__user_id=user_id, read_at__isnull=True).count()


def sms_state(notification: Notification) -> str:
    sms = notification.sms
    return NO_SMS if sms is None else SMS_STATES.get(sms.status, sms.get_status_display())
