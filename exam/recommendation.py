"""推荐信息 rules (seed 000 §4.3.8), read in one place: how many 推荐医师 and 指导老师 an
application needs, and what still stands between it and submission."""

import datetime

from exam.models import Application, ExamKind, Recommender, Section, Track

Role = Recommender.Role


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def practice_needs_supervisor(application: Application, practice: dict | None = None) -> bool:
    """多年实践: a 指导老师 is needed when any practice is on or after the project's cut-off
    (2017-07-01). An empty end date means the practice goes on today."""
    if practice is None:
        section = application.sections.filter(code="practice").first()
        practice = section.data if section else {}
    if not practice.get("started_on"):
        return False
    return application.project.needs_supervisor([_date(practice.get("ended_on"))])


def teachers_required(application: Application, practice: dict | None = None) -> dict[str, int]:
    project = application.project
    if application.track == Track.APPRENTICESHIP:
        return {
            Role.RECOMMENDER: project.apprenticeship_recommenders,
            Role.SUPERVISOR: project.apprenticeship_supervisors,
        }
    return {
        Role.RECOMMENDER: project.practice_recommenders,
        Role.SUPERVISOR: 1 if practice_needs_supervisor(application, practice) else 0,
    }


def teacher_problems(application: Application) -> list[str]:
    """Why the teachers do not yet allow submitting (empty = they do)."""
    if application.project.kind != ExamKind.TCM_EXPERTISE:
        return []
    locked = application.sections.filter(
        code="recommendation", status=Section.Status.LOCKED
    ).exists()
    if locked:  # a reviewer accepted the recommendations as they are
        return []
    teachers = list(application.recommenders.all())
    problems = []
    for role, needed in teachers_required(application).items():
        have = sum(1 for t in teachers if t.role == role)
        if have < needed:
            problems.append(f"还需添加{needed - have}名{Role(role).label}")
    unsigned = [t for t in teachers if t.status != Recommender.Status.SIGNED]
    if unsigned:
        names = "、".join(f"{t.get_role_display()}{t.name}" for t in unsigned)
        problems.append(f"{names}尚未完成签名")
    return problems
