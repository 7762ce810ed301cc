"""exam.eligibility.dates and outcomes: full years to the 截止日期, and the overall outcome."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from exam.eligibility.dates import anniversary, full_years, month_label
from exam.eligibility.outcomes import Evaluation, Outcome, RuleResult, combine

DAYS = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2090, 12, 31))


def test_exactly_n_years_counts_and_a_day_less_does_not():
    start = datetime.date(2022, 7, 1)
    assert full_years(start, datetime.date(2026, 7, 1)) == 4
    assert full_years(start, datetime.date(2026, 6, 30)) == 3
    assert full_years(start, start) == 0
    assert full_years(start, datetime.date(2021, 1, 1)) == 0


def test_a_leap_day_start_reaches_its_anniversary_on_the_28th():
    start = datetime.date(2020, 2, 29)
    assert anniversary(start, 1) == datetime.date(2021, 2, 28)
    assert full_years(start, datetime.date(2021, 2, 27)) == 0
    assert full_years(start, datetime.date(2021, 2, 28)) == 1
    assert full_years(start, datetime.date(2024, 2, 28)) == 3  # leap year: the 29th is there
    assert full_years(start, datetime.date(2024, 2, 29)) == 4


@given(DAYS, DAYS, DAYS)
def test_full_years_grow_with_the_end(start, end, later):
    end, later = sorted((end, later))
    assert full_years(start, end) <= full_years(start, later)


@given(DAYS, st.integers(min_value=0, max_value=40))
def test_the_anniversary_is_where_the_count_steps(start, years):
    if start.year + years > 9999:
        return
    day = anniversary(start, years)
    assert full_years(start, day) == years
    if years:
        assert full_years(start, day - datetime.timedelta(days=1)) == years - 1


def test_month_label():
    assert month_label(datetime.date(2022, 7, 15)) == "2022-07"


def test_the_overall_outcome_is_the_worst_rule():
    ok, manual, no = Outcome.ELIGIBLE, Outcome.MANUAL, Outcome.INELIGIBLE
    assert combine([]) == ok
    assert combine([ok, ok]) == ok
    assert combine([ok, manual]) == manual
    assert combine([manual, no, ok]) == no
    results = (RuleResult("a", "甲", ok, "符合"), RuleResult("b", "乙", manual, "缺少参加工作时间"))
    evaluation = Evaluation(results)
    assert evaluation.outcome == manual
    assert [RuleResult.from_dict(d) for d in evaluation.as_list()] == list(results)
