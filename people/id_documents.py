"""Validation of identity document numbers, one rule per document type.

Resident ID numbers (居民身份证) are checked with python-stdnum's `stdnum.cn.ric` (check digit,
birth date) and its region-code table, plus the checks stdnum leaves out (birth date in the
future, age); see `_region_code_known` for why not `ric.validate` itself.
The other documents are not resident IDs and stdnum rejects them, so each has its own rule.
Every error is a Chinese sentence a candidate can act on.
"""

import datetime
import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric

MAX_AGE_YEARS = 120

# Region prefixes of 港澳台居民居住证 (GB 11643-style numbers issued since 2018).
RESIDENCE_PERMIT_REGIONS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}


@dataclass(frozen=True)
class IdFacts:
    """What a document number tells about its holder, where it tells anything."""

    number: str
    birth_date: datetime.date | None = None
    gender: str | None = None  # "male" / "female"


def _normalise(number: str) -> str:
    return re.sub(r"[\s\-]", "", number or "").upper()


def _gb11643_check_digit(body17: str) -> str:
    # Same ISO 7064 MOD 11-2 check as resident IDs. `ric.calc_check_digit` expects the whole
    # 18-character number and ignores its last character, so pad the 17-digit body.
    return ric.calc_check_digit(body17 + "0")


def _birth_date(digits: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(digits, "%Y%m%d").date()
    except ValueError as exc:
        raise ValidationError("证件号码中的出生日期不存在。") from exc


def _check_plausible_birth(birth: datetime.date) -> None:
    # The machine's date is within two days of Django's local date, so a birth more than
    # three days and fewer than MAX_AGE_YEARS - 1 years back passes without the time-zone
    # conversion (an import checks 100,000 numbers; this is half the cost of each).
    rough = datetime.date.today()
    if (rough - birth).days > 3 and rough.year - birth.year < MAX_AGE_YEARS - 1:
        return
    today = timezone.localdate()
    if birth > today:
        raise ValidationError("证件号码中的出生日期晚于今天，请核对。")
    if today.year - birth.year > MAX_AGE_YEARS:
        raise ValidationError("证件号码中的出生日期早于120年前，请核对。")


def _gender_from_sequence(number18: str) -> str:
    return "male" if int(number18[16]) % 2 else "female"


def _region_code_known(number: str, birth: datetime.date) -> bool:
    """Whether the first 6 digits are a GB/T 2260 code that had not been abolished before the
    holder was born.

    Not `ric.validate`: its region check also wants the code to exist in the birth year, but a
    number is assigned at first registration, years after birth, so it refuses everyone born in
    江岸区 (420102, listed from 1983) before 1983; and it raises KeyError for an unknown county
    of a known province (429999). Only a code abolished before the birth cannot be the holder's.
    """
    return any(end is None or end >= birth.year for end in _region_code_ends(number[:6]))


@functools.lru_cache(maxsize=8192)
def _region_code_ends(code: str) -> tuple[int | None, ...]:
    """The year each county listed under `code` was abolished (None: still valid). Cached:
    an import of 100,000 ID numbers looks up a few hundred codes, not 100,000. Per process:
    the table is the installed package's, fixed for the life of a deploy."""
    results = numdb.get("cn/loc").info(code)
    info = {key: value for _part, props in results for key, value in props.items()}
    ends: list[int | None] = []
    for county in filter(None, info.get("county", "").split(",")):
        period = re.fullmatch(r"\[(\d*)-(\d*)\].*", county)
        ends.append(int(period[2]) if period is not None and period[2] else None)
    return tuple(ends)


def validate_resident_id(value: str) -> IdFacts:
    number = _normalise(value)
    if re.fullmatch(r"\d{15}", number):
        raise ValidationError("15位身份证号码已停止使用，请填写18位居民身份证号码。")
    if len(number) != 18:
        raise ValidationError(f"居民身份证号码应为18位，当前为{len(number)}位。")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError("居民身份证号码前17位应为数字，最后一位为数字或X。")
    if number[:6] in RESIDENCE_PERMIT_REGIONS:
        raise ValidationError("该号码是港澳台居民居住证号码，请选择证件类型“港澳台居民居住证”。")
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("居民身份证号码校验位错误，请逐位核对。")
    try:  # what ric.get_birth_date does, without its second compact() of the number
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError("居民身份证号码中的出生日期不存在。") from exc
    _check_plausible_birth(birth)
    if not _region_code_known(number, birth):
        raise ValidationError(
            "居民身份证号码前6位不是有效的行政区划代码（或该代码在出生前已撤销）。"
        )
    return IdFacts(number=number, birth_date=birth, gender=_gender_from_sequence(number))


def validate_residence_permit(value: str) -> IdFacts:
    """港澳台居民居住证: 18 digits, GB 11643 check digit, prefix 810000/820000/830000."""
    number = _normalise(value)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError("港澳台居民居住证号码应为18位，前17位为数字，最后一位为数字或X。")
    if number[:6] not in RESIDENCE_PERMIT_REGIONS:
        raise ValidationError(
            "港澳台居民居住证号码应以810000（香港）、820000（澳门）或830000（台湾）开头。"
        )
    if _gb11643_check_digit(number[:17]) != number[17]:
        raise ValidationError("港澳台居民居住证号码校验位错误，请逐位核对。")
    birth = _birth_date(number[6:14])
    _check_plausible_birth(birth)
    return IdFacts(number=number, birth_date=birth, gender=_gender_from_sequence(number))


def validate_hk_macau_permit(value: str) -> IdFacts:
    """港澳居民来往内地通行证: H (Hong Kong) or M (Macau) + 8 digits; older booklets + 10 digits."""
    number = _normalise(value)
    if not re.fullmatch(r"[HM](\d{8}|\d{10})", number):
        raise ValidationError("港澳居民来往内地通行证号码应为H或M加8位数字（旧版为10位数字）。")
    return IdFacts(number=number)


def validate_taiwan_permit(value: str) -> IdFacts:
    """台湾居民来往大陆通行证: 8 digits on the card issued since 2015, 10 digits before."""
    number = _normalise(value)
    if not re.fullmatch(r"\d{8}|\d{10}", number):
        raise ValidationError("台湾居民来往大陆通行证号码应为8位数字（旧版为10位数字）。")
    return IdFacts(number=number)


def validate_passport(value: str) -> IdFacts:
    """护照: ICAO 9303 allows up to 9 characters in the MRZ; some states print longer numbers."""
    number = _normalise(value)
    if not re.fullmatch(r"[A-Z0-9]{5,17}", number):
        raise ValidationError("护照号码应为5至17位字母或数字。")
    if number.isalpha():
        raise ValidationError("护照号码应包含数字。")
    return IdFacts(number=number)


def validate_foreign_permanent_residence(value: str) -> IdFacts:
    """外国人永久居留身份证.

    2017 card: 3-letter ISO country code + 12 digits (2 digits province, 6 digits birth date
    YYMMDD, 4 digits sequence). 2023 card: 18 characters starting with 9, GB 11643 layout
    with a check digit and the birth date in positions 7–14.
    """
    number = _normalise(value)
    if re.fullmatch(r"[A-Z]{3}\d{12}", number):
        yymmdd = number[5:11]
        # Two-digit years: choose the century that does not put the birth in the future.
        candidate = _birth_date("20" + yymmdd)
        birth = candidate if candidate <= timezone.localdate() else _birth_date("19" + yymmdd)
        _check_plausible_birth(birth)
        return IdFacts(number=number, birth_date=birth)
    if re.fullmatch(r"9\d{16}[\dX]", number):
        if _gb11643_check_digit(number[:17]) != number[17]:
            raise ValidationError("外国人永久居留身份证号码校验位错误，请逐位核对。")
        birth = _birth_date(number[6:14])
        _check_plausible_birth(birth)
        return IdFacts(number=number, birth_date=birth, gender=_gender_from_sequence(number))
    raise ValidationError(
        "外国人永久居留身份证号码应为以9开头的18位号码（2023版），或3位字母国籍代码加12位数字（2017版）。"
    )


# --- many numbers at once ---------------------------------------------------------------------

_CANONICAL_RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
_CHECK_DIGITS = "0123456789X"


class ResidentIdBatch:
    """A fast yes for the resident ID numbers of a large import (100,000 numbers in ~0.2 s
    instead of ~2 s): True means `validate_resident_id` accepts the number unchanged; False
    means "ask `validate_resident_id`", which gives the verdict and the Chinese message. Only
    numbers already in canonical form (18 ASCII digits, X upper-case) are vouched for; the
    check digit is ric.calc_check_digit's formula, and the verdict on the first 14 digits
    (region, birth date) is cached. One instance per import (the plausibility of a birth
    date depends on today)."""

    def __init__(self) -> None:
        self._heads: dict[str, bool] = {}

    @staticmethod
    def _head_ok(head: str) -> bool:
        """Region and birth date (the first 14 digits) as validate_resident_id checks them."""
        if head[:6] in RESIDENCE_PERMIT_REGIONS:
            return False
        try:
            birth = datetime.date(int(head[6:10]), int(head[10:12]), int(head[12:14]))
            _check_plausible_birth(birth)
        except (ValueError, ValidationError):
            return False
        return _region_code_known(head, birth)

    def __call__(self, number: str) -> bool:
        if type(number) is not str or not _CANONICAL_RESIDENT_ID.fullmatch(number):
            return False
        if _CHECK_DIGITS[(1 - 2 * int(number[:17], 13)) % 11] != number[17]:
            return False
        head = number[:14]
        known = self._heads.get(head)
        if known is None:
            known = self._heads[head] = self._head_ok(head)
        return known
