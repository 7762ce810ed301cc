"""Mainland mobile numbers: the one rule (11 digits, 1[3-9]…) and how they are shown."""

import re

from django.core.exceptions import ValidationError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-]")


def normalize_mobile(value: object) -> str:
    """An 11-digit mainland mobile number, spaces and dashes removed (a leading +86 too);
    ValidationError with a Chinese message otherwise."""
    if isinstance(value, float) and value.is_integer():  # Excel made a number of it
        value = int(value)
    text = _SEPARATORS.sub("", "" if value is None else str(value))
    if text.startswith("+86"):
        text = text[3:]
    if not MOBILE_RE.match(text):
        raise ValidationError(f"手机号码“{value}”不是有效的11位手机号码。")
    return text


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234: enough to recognise one's own number."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"
