"""SMS backends. `settings.SMS_BACKEND` names the class `people.sms.send_sms` uses.

A backend delivers one text to one phone: `deliver(phone=…, text=…)` returns normally when
the gateway accepted the message and raises `SmsDeliveryError` (with a short reason) when
it did not. It runs after the caller's transaction has committed, in the request.

The province's SMS gateway plugs in as a subclass of `SmsBackend` (keeps_text = False, so
the 短信发送记录 audit never holds a code in plain text) whose `deliver` calls the gateway's
API with its own timeout; point `SMS_BACKEND` at it in production settings.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("people.sms")


class SmsDeliveryError(Exception):
    """The gateway refused or could not be reached; the message says why (for the record)."""


class SmsBackend:
    # Whether SmsMessage.text keeps the whole text, secrets included. Only for backends
    # whose record *is* the delivery (development); a real gateway keeps the mask.
    keeps_text: bool = False

    def deliver(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class OutboxBackend(SmsBackend):
    """Development and tests: nothing leaves the machine; the 短信发送记录 row is the phone
    (provincial staff read it in the admin, tests read it from the database)."""

    keeps_text = True

    def deliver(self, *, phone: str, text: str) -> None:
        return None


class ConsoleBackend(OutboxBackend):
    """The outbox, and each text logged too (shown in the runserver console)."""

    def deliver(self, *, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
