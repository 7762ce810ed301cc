"""消息's SMS, delivered by the job worker (django-tasks) after the producer has committed.

Each delivery first claims its record with one conditional UPDATE (待发送 or a failed try
with attempts left → 发送中, attempts + 1): of two workers running the same task, one claims
it and the other finds nothing to do, so a message is never sent twice. A refusal or an
error records the reason (发送失败) and, while attempts remain, enqueues a retry after a
growing delay. A worker killed between claim and result leaves 发送中: not sent again
(at most once), visible in 短信发送记录.

The teacher's verification code does not come here: it must arrive now, and people.sms
still delivers it in the request, right after commit.
"""

from __future__ import annotations

import datetime
import logging

from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from people.models import SmsMessage, SmsPurpose
from people.sms.backends import SmsDeliveryError, get_backend

logger = logging.getLogger("people.notices")

Status = SmsMessage.Status

# Tries in all, and the wait before each retry (the last one repeats).
MAX_ATTEMPTS = 5
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)


def retry_delay(attempts: int) -> datetime.timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


@task()
def notice_sms_task(sms_ids: list[int]) -> None:
    for sms_id in sms_ids:
        notice_sms_deliver(sms_id=sms_id)


def enqueue_delivery(sms_ids: list[int], *, delay: datetime.timedelta | None = None) -> None:
    """Hand the records to the worker (on_commit of the producer, or a retry). If the queue
    cannot be reached they stay 待发送 and `manage.py notices_check` enqueues them again."""
    try:
        if delay is None:
            notice_sms_task.enqueue(sms_ids)
        else:
            notice_sms_task.using(run_after=timezone.now() + delay).enqueue(sms_ids)
    except Exception:
        logger.exception("消息：短信 %s 未能加入后台任务", sms_ids)


def notice_sms_deliver(*, sms_id: int) -> str:
    """Send one 消息 SMS if nobody has (returns its status afterwards, or "skipped")."""
    claimed = SmsMessage.objects.filter(
        pk=sms_id,
        purpose=SmsPurpose.NOTICE,
        status__in=[Status.QUEUED, Status.FAILED],
        attempts__lt=MAX_ATTEMPTS,
    ).update(status=Status.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    message = SmsMessage.objects.get(pk=sms_id)
    try:
        get_backend().deliver(phone=message.phone, text=message.text)
    except SmsDeliveryError as exc:
        message.status, message.error = Status.FAILED, str(exc)[:255] or "短信网关拒绝"
    except Exception as exc:  # a gateway bug: recorded, retried like a refusal
        logger.exception("消息：短信 %s 发送出错", sms_id)
        message.status, message.error = Status.FAILED, type(exc).__name__
    else:
        message.status, message.error, message.sent_at = Status.SENT, "", timezone.now()
    message.save(update_fields=["status", "error", "sent_at"])
    if message.status == Status.FAILED and message.attempts < MAX_ATTEMPTS:
        enqueue_delivery([sms_id], delay=retry_delay(message.attempts))
    return message.status


def notice_sms_requeue(*, older_than: datetime.timedelta) -> int:
    """Records the worker lost track of, enqueued again (for `manage.py notices_check`): 待发送
    for longer than `older_than` (the queue was down at commit), and 发送失败 with tries left
    long after every retry should have run (a retry could not be enqueued). The claim keeps
    a record that still had its job from being sent twice."""
    now = timezone.now()
    retries_over = sum(RETRY_DELAYS, datetime.timedelta()) + older_than
    ids = list(
        SmsMessage.objects.filter(purpose=SmsPurpose.NOTICE)
        .filter(
            Q(status=Status.QUEUED, created_at__lt=now - older_than)
            | Q(
                status=Status.FAILED,
                attempts__lt=MAX_ATTEMPTS,
                created_at__lt=now - retries_over,
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    if ids:
        enqueue_delivery(ids)
    return len(ids)
