"""中医医术确有专长: what the rules read about one application, gathered for many at once.

The dates are the ones the candidate entered (Section.data of 跟师经历 / 实践经历, as the
pages store them: ISO dates, an empty practice end = still practising); the teachers' facts
come from their 医师库 records. Nothing is inferred: a missing or unreadable value is None
or "", and the rules then say 需人工核实.

Who counts toward "a 指导老师 has at most 4 apprentices" and "a 推荐医师 recommends at most
N candidates": the project's applications that are with the reviewers or decided in the
candidate's favour (已提交, 审核中, 退回修改, 审核通过). Drafts (未提交), withdrawn ones
(已撤回) and refused ones (审核不通过) do not hold a teacher's place. Places go in the order
of 提交时间: the first N applications naming a teacher keep it, the (N+1)th does not; an
application that does not count yet (a draft being checked before 提交) would come last.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from exam.models import Application, ExamProject, Recommender, Section, Track
from people.physician_columns import practice_category_normalize

Role = Recommender.Role
AppStatus = Application.Status

# What load_facts reads from the application's ExamProject (the rest of the facts are the
# candidate's and the teachers'): a change of one of them on 考试项目 changes results.
PROJECT_FIELDS = (
    "apprenticeship_recommenders",
    "practice_recommenders",
    "practice_supervisor_cutoff",
)

HOLDING_STATUSES = (
    AppStatus.SUBMITTED,
    AppStatus.IN_REVIEW,
    AppStatus.RETURNED,
    AppStatus.APPROVED,
)


@dataclass(frozen=True)
class TeacherFacts:
    """A 指导老师 or 推荐医师 of the application, from the 医师库 ("" / None: not recorded)."""

    physician_id: int
    name: str
    practice_category: str
    title: str
    clinical_start_year: int | None
    # the project's applications naming this physician in this role (this one included) and
    # this application's place among them by 提交时间
    total: int
    place: int


@dataclass(frozen=True)
class TcmFacts:
    application_id: int
    track: str  # Track value, "" if not chosen
    apprenticeship_start: datetime.date | None
    apprenticeship_end: datetime.date | None
    has_certificate: bool | None  # 传统医学师承出师证书; None: not answered
    practice_start: datetime.date | None
    practice_end: datetime.date | None
    practice_ongoing: bool  # no end date entered: still practising (as the page stores it)
    supervisors: tuple[TeacherFacts, ...]
    recommenders: tuple[TeacherFacts, ...]
    recommenders_required: int  # the project's number for the track
    supervisor_cutoff: datetime.date  # practice on or after it needs a 指导老师


def _date(value: object) -> datetime.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _places(
    project_ids: set[int], physician_ids: set[int]
) -> dict[tuple[int, int, str], list[int]]:
    """(project, physician, role) → the holding applications naming them, in 提交时间 order."""
    if not physician_ids:
        return {}
    rows = Recommender.objects.filter(
        physician_id__in=physician_ids,
        application__project_id__in=project_ids,
        application__status__in=HOLDING_STATUSES,
    ).values_list(
        "application__project_id",
        "physician_id",
        "role",
        "application_id",
        "application__submitted_at",
    )
    found: dict[tuple[int, int, str], dict[int, datetime.datetime | None]] = defaultdict(dict)
    for project_id, physician_id, role, application_id, submitted_at in rows:
        found[(project_id, physician_id, role)][application_id] = submitted_at

    def order(item: tuple[int, datetime.datetime | None]) -> tuple[bool, float, int]:
        application_id, submitted_at = item
        return (submitted_at is None, submitted_at.timestamp() if submitted_at else 0.0, item[0])

    return {
        key: [application_id for application_id, _ in sorted(held.items(), key=order)]
        for key, held in found.items()
    }


def load_facts(applications: Sequence[Application]) -> dict[int, TcmFacts]:
    """{application id: TcmFacts} in four queries whatever the number of applications (the
    projects, the two sections, the teachers with their 医师库 records, the places). Meant for
    batches (a few thousand at most: the ids travel as query parameters)."""
    if not applications:
        return {}
    ids = [a.pk for a in applications]
    projects = {
        p.pk: p for p in ExamProject.objects.filter(pk__in={a.project_id for a in applications})
    }
    sections: dict[tuple[int, str], dict] = {
        (application_id, code): data if isinstance(data, dict) else {}
        for application_id, code, data in Section.objects.filter(
            application_id__in=ids, code__in=("apprenticeship", "practice")
        ).values_list("application_id", "code", "data")
    }
    teachers = list(
        Recommender.objects.filter(application_id__in=ids)
        .order_by("application_id", "role", "id")
        .values_list(
            "application_id",
            "role",
            "physician_id",
            "physician__name",
            "physician__practice_category",
            "physician__title",
            "physician__clinical_start_year",
        )
    )
    places = _places(set(projects), {row[2] for row in teachers})
    status = {a.pk: a.status for a in applications}
    project_of = {a.pk: a.project_id for a in applications}

    by_application: dict[int, dict[str, list[TeacherFacts]]] = defaultdict(
        lambda: {Role.SUPERVISOR: [], Role.RECOMMENDER: []}
    )
    for application_id, role, physician_id, name, category, title, year in teachers:
        held = places.get((project_of[application_id], physician_id, role), [])
        if application_id in held and status[application_id] in HOLDING_STATUSES:
            total, place = len(held), held.index(application_id) + 1
        else:
            total = place = len(held) + 1
        by_application[application_id].setdefault(role, []).append(
            TeacherFacts(
                physician_id=physician_id,
                name=name,
                practice_category=practice_category_normalize(category or ""),
                title=(title or "").strip(),
                clinical_start_year=year,
                total=total,
                place=place,
            )
        )

    facts = {}
    for application in applications:
        project = projects[application.project_id]
        apprenticeship = sections.get((application.pk, "apprenticeship"), {})
        practice = sections.get((application.pk, "practice"), {})
        has_certificate = apprenticeship.get("has_certificate")
        found = by_application[application.pk]
        recommenders_required = (
            project.apprenticeship_recommenders
            if application.track == Track.APPRENTICESHIP
            else project.practice_recommenders
        )
        facts[application.pk] = TcmFacts(
            application_id=application.pk,
            track=application.track or "",
            apprenticeship_start=_date(apprenticeship.get("started_on")),
            apprenticeship_end=_date(apprenticeship.get("ended_on")),
            has_certificate=has_certificate if isinstance(has_certificate, bool) else None,
            practice_start=_date(practice.get("started_on")),
            practice_end=_date(practice.get("ended_on")),
            practice_ongoing=practice.get("ended_on") in (None, ""),
            supervisors=tuple(found[Role.SUPERVISOR]),
            recommenders=tuple(found[Role.RECOMMENDER]),
            recommenders_required=recommenders_required,
            supervisor_cutoff=project.practice_supervisor_cutoff,
        )
    return facts
