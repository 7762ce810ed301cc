"""Counting years the way the rules do: full years from a start date to the 截止日期.

A period that starts on 29 February reaches its anniversary in a common year on 28 February
(the last day of that month), as Chinese civil practice counts a period ending in a month
without the starting day (民法典 第二百零三条)."""

from __future__ import annotations

import calendar
import datetime


def anniversary(start: datetime.date, years: int) -> datetime.date:
    """The date `years` full years after `start`."""
    year = start.year + years
    day = min(start.day, calendar.monthrange(year, start.month)[1])
    return datetime.date(year, start.month, day)


def full_years(start: datetime.date, end: datetime.date) -> int:
    """How many full years lie between `start` and `end` (0 when `end` is before the first
    anniversary, and when `end` is before `start`)."""
    if end < start:
        return 0
    years = end.year - start.year
    if anniversary(start, years) > end:
        years -= 1
    return years


def month_label(day: datetime.date) -> str:
    """2022-07: how explanations name a start (the day adds nothing to a reader)."""
    return f"{day.year:04d}-{day.month:02d}"
