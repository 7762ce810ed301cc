"""Changes that alter OTHER applications' stored 报考条件, and re-evaluating exactly those at
once, in the transaction of the change.

中医医术确有专长 counts across applications (tcm_facts.py): the places of a 指导老师 or a
推荐医师 in one project go, by 提交时间, to the applications that hold one (已提交, 审核中,
退回修改, 审核通过); an application that does not hold one would come last. So an
application that takes, leaves or moves in its teachers' places changes the results of every
application of the project naming one of those physicians in the same role: 提交, 重新提交
(a new 提交时间: it goes last), 撤回, 审核不通过, and a teacher added or removed while it is
退回修改 (it holds places meanwhile). 允许修改 and 审核通过 keep its places: nothing to do.
Re-evaluated with it: those of the project naming the physician in that role that have a
stored result (only a stored result can be stale) or hold a place.

The 医师库: an import that changes a physician's 姓名, 执业类别, 职称 or 从事临床工作起始年份
changes the results naming that physician (in either role). Up to PHYSICIAN_REFRESH_LIMIT
applications are re-evaluated in the import's own transaction; beyond that the import
creates the re-evaluation job (job_tasks.py) of each affected project instead, started once
the import commits: evaluating tens of thousands of results would hold the import's
transaction (and a synchronous import's request) for seconds, while the job reports
progress, can be restarted and is all or nothing.

The 卫生专业技术资格考试 counts nothing across applications, and an application's own facts
(学历, 职称, 参加工作时间) are written only through exam.services.section_save, which refuses
a submitted application: they change only while it is with the candidate, and 提交 or
重新提交 evaluates them.

Each re-evaluation is one batch of eligibility_refresh (a constant number of queries per
CHUNK_SIZE applications), never a query per application. It first locks the project's rule
set: two changes whose re-evaluations overlap (two applications sharing a teacher, or naming
one application's two teachers, an import and a withdrawal) run one after the other, the
second reading what the first wrote, instead of both counting places from before either."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Q

from core.jobs.models import Job
from core.jobs.services import job_create
from exam.eligibility.rule_changes import JOB_SUBJECT
from exam.eligibility.services import CHUNK_SIZE, RefreshCounts, eligibility_refresh
from exam.eligibility.tcm_facts import HOLDING_STATUSES
from exam.models import Application, EligibilityRuleSet, ExamKind, Recommender
from people.permissions import is_provincial_user

# (physician id, Recommender.Role): one teacher's places in a project.
TeacherKey = tuple[int, str]

# Applications a 医师库 import re-evaluates in its own transaction; beyond, one job per
# project (see the module's note).
PHYSICIAN_REFRESH_LIMIT = 2000


def _chunks(values: Sequence[Any], size: int = CHUNK_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _add(total: RefreshCounts, more: RefreshCounts) -> RefreshCounts:
    return RefreshCounts(
        created=total.created + more.created,
        updated=total.updated + more.updated,
        unchanged=total.unchanged + more.unchanged,
        skipped=total.skipped + more.skipped,
    )


def _refresh(applications: Sequence[Application]) -> RefreshCounts:
    total = RefreshCounts()
    for chunk in _chunks(applications):
        total = _add(total, eligibility_refresh(applications=chunk))
    return total


def _lock_rules(project_ids: Iterable[int]) -> set[int]:
    """Lock the rule sets of these projects (in one order: no deadlock between two callers);
    the projects that have one (the others store no results)."""
    return set(
        EligibilityRuleSet.objects.select_for_update()
        .filter(project_id__in=sorted(set(project_ids)))
        .order_by("project_id")
        .values_list("project_id", flat=True)
    )


def _stale_or_holding() -> Q:
    return Q(status__in=HOLDING_STATUSES) | Q(eligibility__isnull=False)


def applications_sharing_places(
    *, application: Application, removed: Iterable[TeacherKey] = ()
) -> list[Application]:
    """The other applications of `application`'s project naming one of its teachers (or one
    of `removed`, teachers it no longer names) in the same role, with a stored result or
    holding a place. [] for an exam kind that counts nothing across applications. Two
    queries whatever the number found."""
    if application.project.kind != ExamKind.TCM_EXPERTISE:
        return []
    keys = set(
        Recommender.objects.filter(application_id=application.pk).values_list(
            "physician_id", "role"
        )
    )
    keys.update(removed)
    if not keys:
        return []
    naming = Q()
    for physician_id, role in keys:
        naming |= Q(physician_id=physician_id, role=role)
    found = (
        Recommender.objects.filter(naming, application__project_id=application.project_id)
        .exclude(application_id=application.pk)
        .values("application_id")
    )
    return list(Application.objects.filter(_stale_or_holding(), pk__in=found).order_by("pk"))


def eligibility_refresh_places(
    *, application: Application, removed: Iterable[TeacherKey] = ()
) -> RefreshCounts:
    """`application` took, left or moved in its teachers' places (撤回, 审核不通过, a teacher
    added or removed while 退回修改; `removed`: the teachers it no longer names): it and the
    applications sharing those places are evaluated again, in one batch. Nothing for an exam
    kind that counts nothing across applications. The project's rule set is locked first
    (see the module's note). For 提交 and 重新提交: eligibility_refresh_submitted."""
    if application.project.kind != ExamKind.TCM_EXPERTISE:
        return RefreshCounts()
    if not _lock_rules([application.project_id]):
        return RefreshCounts(skipped=1)
    others = applications_sharing_places(application=application, removed=removed)
    return _refresh([application, *others])


def eligibility_refresh_submitted(*, application: Application) -> RefreshCounts:
    """提交 or 重新提交: the application's result stored, and for 中医医术确有专长 the results of
    those sharing its teachers' places (it takes them, or goes last with its new 提交时间)."""
    if application.project.kind == ExamKind.TCM_EXPERTISE:
        return eligibility_refresh_places(application=application)
    return eligibility_refresh(applications=[application])


# --- the 医师库 ------------------------------------------------------------------------------


def _naming_physicians(physician_ids: Sequence[int]) -> dict[int, int]:
    """{application id: project id} of the applications naming these physicians (either role)
    in a project with rules, with a stored result or holding a place; the ids are read a
    CHUNK_SIZE at a time (they travel as query parameters)."""
    found: dict[int, int] = {}
    for chunk in _chunks(physician_ids):
        naming = Recommender.objects.filter(physician_id__in=chunk).values("application_id")
        found.update(
            Application.objects.filter(
                _stale_or_holding(), pk__in=naming, project__rule_set__isnull=False
            ).values_list("pk", "project_id")
        )
    return found


def eligibility_refresh_physicians(
    *, actor: Any, physician_ids: Collection[int]
) -> tuple[RefreshCounts, list[Job]]:
    """The 医师库 records `physician_ids` changed what the rules read (see the module's note):
    the applications naming them are evaluated again now, or, beyond PHYSICIAN_REFRESH_LIMIT,
    each affected project gets its re-evaluation job (owned by `actor`, started when the
    caller's transaction commits). Returns what was refreshed now and the jobs created."""
    ids = sorted(physician_ids)
    projects: set[int] = set()
    for chunk in _chunks(ids):
        projects.update(
            Recommender.objects.filter(physician_id__in=chunk)
            .values_list("application__project_id", flat=True)
            .order_by()
            .distinct()
        )
    _lock_rules(projects)  # then read who names them (see the module's note)
    affected = _naming_physicians(ids)
    # The job runs as its owner, who must be provincial staff; without one, do it now.
    if len(affected) <= PHYSICIAN_REFRESH_LIMIT or not (
        actor is not None and is_provincial_user(actor)
    ):
        ids = sorted(affected)
        counts = RefreshCounts()
        for chunk in _chunks(ids):
            counts = _add(counts, eligibility_refresh(applications=_applications(chunk)))
        return counts, []
    jobs = []
    project_ids = set(affected.values())
    for rule_set in EligibilityRuleSet.objects.filter(project_id__in=project_ids).select_related(
        "project"
    ):
        project = rule_set.project
        jobs.append(
            job_create(
                actor=actor,
                kind=Job.Kind.ELIGIBILITY,
                subject=JOB_SUBJECT,
                label=f"重新判断报考条件：{project.name}（医师库变更）",
                params={"project": project.pk, "version": rule_set.version},
                total=Application.objects.filter(project=project).count(),
            )
        )
    return RefreshCounts(), jobs


def _applications(ids: Sequence[int]) -> list[Application]:
    return list(Application.objects.filter(pk__in=ids).order_by("pk"))


def on_physicians_changed(
    sender: Any, *, actor: Any, physician_ids: Collection[int], **kwargs
) -> None:
    """people.physician_changes.physicians_changed (connected by ExamConfig.ready)."""
    eligibility_refresh_physicians(actor=actor, physician_ids=physician_ids)
