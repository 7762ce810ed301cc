"""How personal numbers are shown when the full value is not needed: the one rule for ID
numbers and mobile phones (exports, the candidate's 实名认证 page, SMS lists).

- ID numbers (any 证件类型): 18-character resident IDs read `420102********1234` (the
  first 6 and last 4 characters: region and check digits, never the birth date). Numbers of
  14 characters or more keep 6 + 4 like it; 8 to 13 characters (passports, 港澳台 permits)
  keep 2 + 2 (`E1*****78`); 3 to 7 keep 1 + 1; 1 or 2 characters are all stars. The mask
  always has the value's length and never shows more than 10 of its characters.
- Mobile phones: `138****1234` (first 3, last 4); shorter than 8 characters: all stars.

Which columns of an export are ID numbers or phones is declared on the exporter
(core.xlsx.Exporter.masked_columns) or the import-export resource
(core.imports.base.PlatformResource.masked_columns), never decided per export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

MaskKind = Literal["id", "phone"]
MASK_ID: MaskKind = "id"
MASK_PHONE: MaskKind = "phone"
MASK_CHAR = "*"
# The most characters of an ID number a mask shows (6 + 4).
MAX_VISIBLE_ID_CHARS = 10


def mask_id_number(number: str) -> str:
    """420102********1234: first 6 and last 4 characters of a long number, fewer of a short."""
    if not number:
        return ""
    if len(number) >= 14:
        keep_head, keep_tail = 6, 4
    elif len(number) >= 8:
        keep_head, keep_tail = 2, 2
    elif len(number) >= 3:
        keep_head, keep_tail = 1, 1
    else:
        return MASK_CHAR * len(number)
    hidden = len(number) - keep_head - keep_tail
    return number[:keep_head] + MASK_CHAR * hidden + number[-keep_tail:]


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234: enough to recognise one's own number."""
    if not phone:
        return ""
    if len(phone) < 8:
        return MASK_CHAR * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


_MASKS = {MASK_ID: mask_id_number, MASK_PHONE: mask_phone}


def mask_value(kind: MaskKind, value: Any) -> Any:
    """A cell of a column declared `kind`: its text masked; empty cells stay empty."""
    if value is None or value == "":
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _MASKS[kind](str(value))


def masked_indexes(
    headers: list[str], masked_columns: Mapping[str, MaskKind]
) -> dict[int, MaskKind]:
    """Column index → mask kind for the declared columns present in `headers`."""
    return {i: masked_columns[h] for i, h in enumerate(headers) if h in masked_columns}


def looks_masked(text: str) -> bool:
    """A value that came out of `mask_id_number` / `mask_phone` (an exported file read back)."""
    return MASK_CHAR in text
