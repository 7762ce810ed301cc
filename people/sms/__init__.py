"""Sending text messages: `send_sms(phone=…, text=…, purpose=…)` records the message
(短信发送记录, SmsMessage) and hands it to the backend named by `settings.SMS_BACKEND` once
the caller's transaction commits (a rolled-back write sends nothing).

`secret` is the part of the text that must not be stored (a one-time code): it is masked
in the record unless the backend's record is the delivery itself (OutboxBackend).
"""

import functools
import logging

from django.db import transaction
from django.utils import timezone

from people.models import SmsMessage
from people.phones import normalize_mobile
from people.sms.backends import SmsBackend, SmsDeliveryError, get_backend

__all__ = ["SmsDeliveryError", "send_sms"]

logger = logging.getLogger("people.sms")


def send_sms(*, phone: str, text: str, purpose: str, secret: str = "") -> SmsMessage:
    """Record the message and deliver it after commit. Returns the record, whose `status`
    says how delivery went once the transaction has committed."""
    phone = normalize_mobile(phone)
    backend = get_backend()
    stored = text if backend.keeps_text or not secret else text.replace(secret, "*" * len(secret))
    message = SmsMessage.objects.create(
        phone=phone,
        text=stored,
        purpose=purpose,
        backend=f"{type(backend).__module__}.{type(backend).__qualname__}",
    )
    transaction.on_commit(functools.partial(_deliver, backend, message, text))
    return message


def _deliver(backend: SmsBackend, message: SmsMessage, text: str) -> None:
    try:
        backend.deliver(phone=message.phone, text=text)
    except SmsDeliveryError as exc:
        message.status, message.error = SmsMessage.Status.FAILED, str(exc)[:255]
    except Exception as exc:  # a gateway bug must not turn the page into a 500
        logger.exception("SMS %s: delivery crashed", message.pk)
        message.status, message.error = SmsMessage.Status.FAILED, type(exc).__name__
    else:
        message.status, message.sent_at = SmsMessage.Status.SENT, timezone.now()
    message.save(update_fields=["status", "error", "sent_at"])
