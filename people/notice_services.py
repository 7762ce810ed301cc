"""消息 writes: store the messages of an event (and queue their SMS), mark them read.

`notices_create` runs inside the producer's transaction: the messages, their SMS records and
the producer's own change commit or roll back together, and the SMS job is enqueued only
once that transaction has committed (people.notice_tasks). An event whose `key` already has
a message produces nothing: repeating an action, re-running a check, never sends twice.
Reading a message changes no one else's data and is not written to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from people.models import (
    Candidate,
    IdentityVerification,
    Notification,
    NotificationKind,
    SmsMessage,
    SmsPurpose,
)
from people.notices import Notice, sms_text
from people.phones import normalize_mobile
from people.sms.backends import get_backend

logger = logging.getLogger("people.notices")


# Inside `notices_batched()`: the notices of a path that calls a per-row service many times,
# written together when it ends.
_batch: ContextVar[list[Notice] | None] = ContextVar("notices_batch", default=None)


@contextmanager
def notices_batched() -> Iterator[None]:
    """Collect the notices produced inside the block and write them with one
    notices_create at its end, which must still be inside the caller's transaction (the
    审核结果 import: every row's decision, then one set of INSERTs for the file). If the
    block raises, nothing is written (its transaction rolls back anyway)."""
    if _batch.get() is not None:  # already collecting: the outer block writes
        yield
        return
    token = _batch.set([])
    try:
        yield
        pending = _batch.get() or []
    finally:
        _batch.reset(token)
    notices_create(notices=pending)


def notices_create(*, notices: Iterable[Notice]) -> list[Notification]:
    """Store each new event's message, with its SMS when its kind says so. At most four
    queries whatever the number: the keys already known, the phones, two bulk INSERTs.
    Inside `notices_batched()` the notices wait for its end (and [] is returned)."""
    collecting = _batch.get()
    if collecting is not None:
        collecting.extend(notices)
        return []
    wanted: dict[str, Notice] = {}
    for notice in notices:
        wanted.setdefault(notice.key, notice)
    if not wanted:
        return []
    known = set(
        Notification.objects.filter(dedupe_key__in=list(wanted)).values_list(
            "dedupe_key", flat=True
        )
    )
    fresh = [n for key, n in wanted.items() if key not in known]
    if not fresh:
        return []
    texts = {n.key: n.words() for n in fresh}
    by_sms = [n for n in fresh if n.goes_by_sms]
    sms_of: dict[str, SmsMessage] = {}
    if by_sms:
        phones = dict(
            Candidate.objects.filter(pk__in={n.candidate_id for n in by_sms}).values_list(
                "pk", "phone"
            )
        )
        backend = get_backend()
        backend_name = f"{type(backend).__module__}.{type(backend).__qualname__}"
        for notice in by_sms:
            phone = _mobile(phones.get(notice.candidate_id, ""))
            if phone:
                sms_of[notice.key] = SmsMessage(
                    phone=phone,
                    text=sms_text(*texts[notice.key]),
                    purpose=SmsPurpose.NOTICE,
                    backend=backend_name,
                )
        SmsMessage.objects.bulk_create(sms_of.values(), batch_size=1000)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                candidate_id=n.candidate_id,
                kind=n.kind,
                application_id=n.application_id,
                subject=n.subject[:128],
                title=texts[n.key][0],
                body=texts[n.key][1],
                link=n.link,
                dedupe_key=n.key,
                sms=sms_of.get(n.key),
            )
            for n in fresh
        ],
        batch_size=1000,
    )
    if sms_of:
        _deliver_on_commit([m.pk for m in sms_of.values()])
    return rows


def _mobile(phone: str) -> str:
    try:
        return normalize_mobile(phone)
    except ValidationError:  # an odd number on file: the message is still in 消息
        logger.warning("消息：考生手机号码无法发送短信")
        return ""


def _deliver_on_commit(sms_ids: list[int]) -> None:
    from people.notice_tasks import enqueue_delivery

    transaction.on_commit(lambda: enqueue_delivery(sms_ids), robust=True)


def notification_read(*, candidate: Candidate, notification_id: int) -> Notification:
    """Open one of the candidate's own messages (another's id: DoesNotExist, the view's
    404). The first opening marks it read."""
    notification = Notification.objects.select_related("sms").get(
        pk=notification_id, candidate=candidate
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_read_all(*, candidate: Candidate) -> int:
    """全部标为已读: one UPDATE; returns how many were unread."""
    return Notification.objects.filter(candidate=candidate, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notify_identity_decided(*, verification: IdentityVerification) -> None:
    """实名认证 approved or rejected by staff (people.services.identity_decide); a request is
    decided once, so its id names the event."""
    approved = verification.status == IdentityVerification.Status.VERIFIED
    reason = "" if approved else f"原因：{verification.reason}。请按原因重新提交认证。"
    notices_create(
        notices=[
            Notice(
                candidate_id=verification.candidate_id,
                kind=NotificationKind.IDENTITY_DECIDED,
                key=f"{NotificationKind.IDENTITY_DECIDED}:{verification.pk}",
                params={
                    "outcome": "已通过" if approved else "未通过",
                    "id_type": verification.get_id_type_display(),
                    "reason": reason,
                },
                link=reverse("account:identity"),
            )
        ]
    )
