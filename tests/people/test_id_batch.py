"""ResidentIdBatch, the 对比库 import's fast check of resident ID numbers, against the full
check (validate_resident_id): the import takes a number as it is when the fast check says
yes and asks the full check otherwise, so the two must give the same verdict, number and
Chinese message for any input, and the fast check must say yes to every canonical number
the full check accepts (or nothing would be faster)."""

import datetime

from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from people.id_documents import ResidentIdBatch, validate_resident_id

# Known, abolished (2010, 1986), unknown-county, unknown-province and 港澳台 居住证 prefixes.
REGIONS = ["420102", "110101", "110103", "110110", "429999", "990000", "810000", "830000"]
# One batch for the whole run, as an import keeps one: its caches must not change a verdict.
SHARED = ResidentIdBatch()


def full(number: str) -> tuple[str, object]:
    try:
        return "accepted", validate_resident_id(number).number
    except ValidationError as exc:
        return "refused", exc.messages


def as_the_import_does(batch: ResidentIdBatch, number: str) -> tuple[str, object]:
    return ("accepted", number) if batch(number) else full(number)


def check(number: str) -> None:
    expected = full(number)
    assert as_the_import_does(SHARED, number) == expected
    assert as_the_import_does(ResidentIdBatch(), number) == expected
    canonical = expected[0] == "accepted" and expected[1] == number
    assert SHARED(number) is canonical


@st.composite
def near_valid(draw) -> str:
    """18-character numbers around the rules: any region of REGIONS, birth digits that may
    be no date at all or in the future, a right or wrong check digit, then perhaps a small
    change (lower-case x, a space, a full-width or Arabic-Indic digit, one digit fewer)."""
    today = datetime.date.today()
    region = draw(st.sampled_from(REGIONS))
    year = draw(st.integers(1880, today.year + 2))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    if draw(st.booleans()):  # a real date near today, or far back
        birth = draw(st.dates(datetime.date(1895, 1, 1), today + datetime.timedelta(days=5)))
        year, month, day = birth.year, birth.month, birth.day
    body = f"{region}{year:04d}{month:02d}{day:02d}{draw(st.integers(0, 999)):03d}"
    digit = ric.calc_check_digit(body + "0")
    if draw(st.booleans()):
        digit = draw(st.sampled_from("0123456789X"))
    number = body + digit
    change = draw(st.sampled_from(["none", "none", "lower", "space", "wide", "arabic", "short"]))
    if change == "lower":
        number = number.replace("X", "x")
    elif change == "space":
        number = number[:6] + " " + number[6:]
    elif change == "wide":
        number = number[:-1] + "１"
    elif change == "arabic":
        number = "٤" + number[1:]
    elif change == "short":
        number = number[:-1]
    return number


@settings(max_examples=1500, deadline=None)
@given(near_valid())
@example("420102199001011236")
@example("42010219900101123x")
@example("810000199001011234")
@example("110110199001011234")
def test_fast_check_agrees_with_the_full_check_near_valid_numbers(number):
    check(number)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789Xx -\t１٣", max_size=22))
def test_fast_check_agrees_with_the_full_check_on_any_text(number):
    check(number)


def test_fast_check_says_yes_to_valid_numbers_and_no_to_others():
    batch = ResidentIdBatch()
    good = "420102199001011236"
    assert batch(good)
    assert not batch(good[:-1] + "0")  # check digit
    assert not batch(good.lower() + " ")
    assert not batch(420102199001011236)  # a number cell, not text
