"""Retention (个人信息保存期限): what is past its period on a given day. The one place that
decides it; the purge (review/purge.py, `manage.py purge_personal_data`), the project admin
and the tests read it.

A project is open until provincial staff set its 项目结束时间 (`ExamProject.closed_at`,
which the model refuses on a 当前项目); an open project, or one whose end is still ahead,
is never purged. From the day it ended, two periods run (whole years, on the project):

- `application_retention_years` (default 3): the applications — their sections, materials
  and attachments, case records, teachers' evaluations, return snapshots, 查重 fingerprints.
- `identity_retention_years` (default 1, never longer than the first): the teachers' hand
  signatures on its applications, and the ID photos and 实名认证 document images of its
  candidates.

A candidate (one account, applications in several projects) is judged over all of them: the
person is anonymised only when every one of their applications is past its application
period, and their ID photos go only when every one is past its identity period. A candidate
without any application is not a project's data and stays.
"""

from __future__ import annotations

import datetime
import enum

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from exam.models import Application, ExamProject
from people.models import Candidate

# What the purge writes in place of a free text it clears, and the phone number (unique, so
# not empty) of an anonymised candidate: `PURGED_PHONE_PREFIX` + the candidate's id.
PURGED_TEXT = "（已按保存期限清除）"
PURGED_NAME = "（已清除）"
PURGED_PHONE_PREFIX = "purged-"


class Period(enum.Enum):
    APPLICATIONS = "applications"
    IDENTITY = "identity"

    @property
    def field(self) -> str:
        return {
            Period.APPLICATIONS: "application_retention_years",
            Period.IDENTITY: "identity_retention_years",
        }[self]


def add_years(day: datetime.date, years: int) -> datetime.date:
    """`day` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def closed_on(project: ExamProject) -> datetime.date | None:
    """The day (Beijing time) the project ended; None while it is open."""
    if project.closed_at is None:
        return None
    return timezone.localdate(project.closed_at)


def is_open(project: ExamProject, *, today: datetime.date) -> bool:
    """Still open on `today`: no end set, an end still ahead, or marked 当前项目."""
    ended = closed_on(project)
    return ended is None or ended > today or project.is_active


def kept_until(project: ExamProject, period: Period) -> datetime.date | None:
    """The first day the period is over (the data may go from that day on); None if open."""
    ended = closed_on(project)
    if ended is None:
        return None
    return add_years(ended, getattr(project, period.field))


def is_past(project: ExamProject, period: Period, *, today: datetime.date) -> bool:
    """Whether the project's data of `period` is past its retention on `today`."""
    if is_open(project, today=today):
        return False
    until = kept_until(project, period)
    return until is not None and until <= today


def past_project_ids(period: Period, *, today: datetime.date) -> set[int]:
    """Every project whose `period` is over on `today` (projects are few: one query)."""
    projects = ExamProject.objects.exclude(closed_at=None).filter(is_active=False)
    return {p.pk for p in projects if is_past(p, period, today=today)}


def applications_past(project: ExamProject, *, today: datetime.date) -> QuerySet[Application]:
    """The project's applications past their period and not purged yet (empty if it is not)."""
    if not is_past(project, Period.APPLICATIONS, today=today):
        return Application.objects.none()
    return Application.objects.filter(project=project, personal_data_purged_at=None)


def candidates_past(
    candidate_ids: QuerySet | list[int], period: Period, *, today: datetime.date
) -> list[int]:
    """Of `candidate_ids`, those all of whose applications are past `period` on `today`
    (someone with a recent application in another project, or one still open, is kept)."""
    past = past_project_ids(period, today=today)
    still_kept = Application.objects.filter(candidate=OuterRef("pk")).exclude(project__in=past)
    rows = (
        Candidate.objects.filter(pk__in=candidate_ids)
        .filter(applications__isnull=False)
        .exclude(Exists(still_kept))
        .distinct()
        .order_by("pk")
    )
    return list(rows.values_list("pk", flat=True))
