"""Mainland mobile numbers: the one rule (11 digits, 1[3-9]…) and how they are shown."""

import re

from django.core.exceptions import ValidationError

from core.masking import mask_phone

__all__ = ["MOBILE_RE", "mask_phone", "normalize_mobile"]  # mask_phone: core.masking

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
