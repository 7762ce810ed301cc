"""考试项目: provincial staff change a project's registration window and its TCM numbers
(exam/admin/projects.py saves through here). The project's identity (kind, year, name) stays
as created.

A change writes one audit log row with every changed field before and after. When a value
the 报考条件 engine reads changed (the kind's `project_fields`, exam/eligibility/registry.py)
and the project has a rule set, it also starts the job that re-evaluates the project
(exam/eligibility/job_tasks.py), enqueued when the change commits, as a rule change does: the
stored results would otherwise be stale until the nightly `eligibility_refresh`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from core.jobs.models import Job
from core.jobs.services import job_create
from exam.audit_actions import LOG_PROJECT_CHANGED
from exam.eligibility.registry import for_kind
from exam.eligibility.rule_changes import JOB_SUBJECT
from exam.models import Application, EligibilityRuleSet, ExamProject
from people.audit_actions import entry_data
from people.models import Institution
from people.permissions import is_provincial_user
from people.tiers import Tier

# 项目结束时间 and the retention periods (exam/retention.py reads them).
RETENTION_FIELDS = ("closed_at", "application_retention_years", "identity_retention_years")
# What provincial staff may change, in the order the log lists them.
EDITABLE_FIELDS = (
    "registration_opens_at",
    "registration_closes_at",
    "is_active",
    "case_record_count",
    "apprenticeship_recommenders",
    "apprenticeship_supervisors",
    "practice_recommenders",
    "practice_supervisor_cutoff",
    *RETENTION_FIELDS,
)

NOT_ALLOWED = "只有省级管理人员可以修改考试项目。"
NOT_EDITABLE = "考试项目的{fields}不能修改。"


@dataclass(frozen=True)
class ProjectChange:
    """What `exam_project_update` did: the changed fields (EDITABLE_FIELDS order; empty when
    nothing changed) and the re-evaluation job it started, if any."""

    changed: tuple[str, ...]
    job: Job | None


def _label(name: str) -> str:
    """The field's Chinese name (a name the model does not have reads as itself)."""
    labels = {field.name: str(field.verbose_name) for field in ExamProject._meta.fields}
    return labels.get(name, name)


def _stored(value: Any) -> Any:
    """A value as the log's JSON keeps it: dates ISO, times in Beijing time with the offset."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _shown(value: Any) -> str:
    """A value as the log's 备注 reads."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _province() -> Institution | None:
    return Institution.objects.filter(tier=Tier.PROVINCE).order_by("pk").first()


def _reevaluation(*, actor: User, project: ExamProject, changed: tuple[str, ...]) -> Job | None:
    """The project's 重新判断报考条件 job when a field its engine reads changed, else None."""
    kind = for_kind(project.kind)
    if kind is None or not set(changed) & set(kind.project_fields):
        return None
    rule_set = EligibilityRuleSet.objects.filter(project=project).first()
    if rule_set is None:
        return None
    return job_create(
        actor=actor,
        kind=Job.Kind.ELIGIBILITY,
        subject=JOB_SUBJECT,
        label=f"重新判断报考条件：{project.name}（考试项目设置变更）",
        params={"project": project.pk, "version": rule_set.version},
        total=Application.objects.filter(project=project).count(),
    )


def exam_project_update(
    *, actor: User, project: ExamProject, changes: dict[str, Any]
) -> ProjectChange:
    """Apply `changes` ({field name: new value}, EDITABLE_FIELDS only) to the project
    (provincial staff only), in one transaction: one audit log row with each changed field's
    before and after, and the re-evaluation job when the engine reads a changed field. Values
    equal to the stored ones are no change; nothing changed: no row, no job. `project` holds
    the saved values afterwards. ValidationError if the model refuses the values."""
    if not is_provincial_user(actor):
        raise ServiceError(NOT_ALLOWED)
    refused = [name for name in changes if name not in EDITABLE_FIELDS]
    if refused:
        raise ServiceError(NOT_EDITABLE.format(fields="、".join(map(_label, refused))))
    with atomic_or_conflict():
        locked = ExamProject.objects.select_for_update().get(pk=project.pk)
        before = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
        for name, value in changes.items():
            setattr(locked, name, value)
        changed = tuple(name for name in EDITABLE_FIELDS if getattr(locked, name) != before[name])
        if not changed:
            return ProjectChange(changed=(), job=None)
        # The window's order and the numbers' range (the admin form has checked them too).
        locked.full_clean()
        locked.save(update_fields=changed)
        job = _reevaluation(actor=actor, project=locked, changed=changed)
        province = _province()
        remark = "；".join(
            f"{_label(name)} {_shown(before[name])} → {_shown(getattr(locked, name))}"
            for name in changed
        )
        if job is not None:
            remark += "；已开始重新判断报考条件"
        log_action(
            action=LOG_PROJECT_CHANGED,
            actor=actor,
            # The province's row: its staff find it in 审核日志 (review/admin/logs.py).
            subject=province,
            data={
                **entry_data(institution=province, remark=f"{locked.name}：{remark}"),
                "project": locked.pk,
                "changes": {
                    name: {
                        "from": _stored(before[name]),
                        "to": _stored(getattr(locked, name)),
                    }
                    for name in changed
                },
                "job": job.pk if job is not None else None,
            },
        )
    for name in changed:
        setattr(project, name, getattr(locked, name))
    return ProjectChange(changed=changed, job=job)
