"""预览 of a change of a project's 报考条件 rules as a background job (Job.Kind.RULES_PREVIEW):
evaluating a province's 200,000 submitted applications twice takes longer than a request may.

`rule_set_preview_start` checks the proposed input at once (malformed rules: ValidationError,
nothing started) and creates the job; its params hold the proposed input and the rule set's
version it was read from, so the job's task (exam/eligibility/job_tasks.py) evaluates exactly
that and stores the outcome in the job's counts (`preview_as_counts`). The page reads it back
with `rule_set_preview_result`. `rule_set_preview_save` (确认保存) saves exactly the rules
the finished job previewed, through rule_set_update, which refuses if the rule set has been
saved since. A preview writes nothing but its own Job row."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from core.errors import ServiceError
from core.jobs.models import Job
from core.jobs.selectors import job_list
from core.jobs.services import job_create
from exam.eligibility.outcomes import Outcome
from exam.eligibility.rule_changes import (
    CHANGED_MEANWHILE,
    JOB_SUBJECT,
    NOT_ALLOWED,
    PREVIEW_STATUSES,
    MovedApplication,
    RuleChangePreview,
    rule_set_rules_check,
    rule_set_update,
)
from exam.models import Application, EligibilityRuleSet
from people.permissions import is_provincial_user

NOT_FOUND = "没有找到该预览，请重新预览。"
OTHER_RULE_SET = "该预览不属于本报考条件规则，本次没有保存。请重新预览。"
NOT_FINISHED = "预览尚未完成，请等预览完成后再确认保存。"
FAILED = "预览没有完成，本次没有保存。请重新预览。"


@dataclass(frozen=True)
class PreviewInput:
    """What a preview job previews: the proposed input and the version it was read from."""

    rules: dict[str, Any]
    cutoff_date: datetime.date
    blocks_submission: bool
    base_version: int

    def as_params(self, rule_set: EligibilityRuleSet) -> dict[str, Any]:
        return {
            "rule_set": rule_set.pk,
            "project": rule_set.project_id,
            "rules": self.rules,
            "cutoff_date": self.cutoff_date.isoformat(),
            "blocks_submission": self.blocks_submission,
            "base_version": self.base_version,
        }

    @classmethod
    def from_job(cls, job: Job) -> PreviewInput:
        params = job.params or {}
        return cls(
            rules=params["rules"],
            cutoff_date=datetime.date.fromisoformat(params["cutoff_date"]),
            blocks_submission=bool(params.get("blocks_submission")),
            base_version=int(params["base_version"]),
        )


def rule_set_preview_start(
    *, actor: User, rule_set: EligibilityRuleSet, proposed: PreviewInput
) -> Job:
    """The job that previews `proposed` (provincial staff only), enqueued on commit.
    ValidationError if the rules are malformed; ServiceError if the input was read from a
    version that is not the current one any more."""
    if not is_provincial_user(actor):
        raise ServiceError(NOT_ALLOWED)
    rule_set_rules_check(rule_set=rule_set, rules=proposed.rules)
    current = EligibilityRuleSet.objects.select_related("project").get(pk=rule_set.pk)
    if current.version != proposed.base_version:
        raise ServiceError(CHANGED_MEANWHILE.format(version=current.version))
    project = current.project
    return job_create(
        actor=actor,
        kind=Job.Kind.RULES_PREVIEW,
        subject=JOB_SUBJECT,
        label=f"预览报考条件修改：{project.name}（基于第 {current.version} 版）",
        params=proposed.as_params(current),
        total=Application.objects.filter(
            project_id=project.pk, status__in=PREVIEW_STATUSES
        ).count(),
    )


def preview_as_counts(preview: RuleChangePreview) -> dict[str, Any]:
    """The preview as the job stores it (JSON): the moved applications by id only; their
    names are read when the page shows them."""
    return {
        "total": preview.total,
        "moved_total": preview.moved_total,
        "current_error": preview.current_error,
        "moves": [
            [source.value if source is not None else None, target.value, count]
            for (source, target), count in preview.counts.items()
        ],
        "moved": [
            [m.id, m.from_outcome.value if m.from_outcome is not None else None, m.to_outcome.value]
            for m in preview.moved
        ],
    }


def _outcome(value: str | None) -> Outcome | None:
    return Outcome(value) if value is not None else None


def rule_set_preview_job(*, actor: User, rule_set: EligibilityRuleSet, job_id: int) -> Job:
    """The actor's own preview job of this rule set; ServiceError (Chinese) otherwise."""
    try:
        job = job_list(user=actor).get(pk=job_id, kind=Job.Kind.RULES_PREVIEW)
    except Job.DoesNotExist as exc:
        raise ServiceError(NOT_FOUND) from exc
    if (job.params or {}).get("rule_set") != rule_set.pk:
        raise ServiceError(OTHER_RULE_SET)
    return job


def rule_set_preview_result(*, job: Job) -> RuleChangePreview:
    """A finished preview job's outcome, the moved applications' 姓名 and 申报单位 read now
    (one query); an application deleted since shows “—”."""
    counts = job.counts or {}
    preview = RuleChangePreview(
        moved_total=int(counts.get("moved_total", 0)),
        total=int(counts.get("total", 0)),
        current_error=str(counts.get("current_error", "")),
    )
    for source, target, count in counts.get("moves", []):
        preview.counts[(_outcome(source), Outcome(target))] = int(count)
    moved = counts.get("moved", [])
    names = {
        pk: (name, institution)
        for pk, name, institution in Application.objects.filter(
            pk__in=[pk for pk, _, _ in moved]
        ).values_list("pk", "candidate__name", "entry_institution__name")
    }
    for pk, source, target in moved:
        name, institution = names.get(pk, ("—", "—"))
        preview.moved.append(
            MovedApplication(
                id=pk,
                candidate_name=name,
                institution_name=institution,
                from_outcome=_outcome(source),
                to_outcome=Outcome(target),
            )
        )
    return preview


def rule_set_preview_save(*, actor: User, rule_set: EligibilityRuleSet, job_id: int) -> Job:
    """确认保存: save exactly what the actor's finished preview job previewed, as a new
    version (rule_set_update: provincial staff only, refused if the rule set was saved since
    the version previewed). Returns the re-evaluation job. Nothing changes when refused."""
    if not is_provincial_user(actor):
        raise ServiceError(NOT_ALLOWED)
    job = rule_set_preview_job(actor=actor, rule_set=rule_set, job_id=job_id)
    if job.status == Job.Status.FAILED:
        raise ServiceError(FAILED)
    if job.status != Job.Status.DONE:
        raise ServiceError(NOT_FINISHED)
    proposed = PreviewInput.from_job(job)
    return rule_set_update(
        actor=actor,
        rule_set=rule_set,
        rules=proposed.rules,
        cutoff_date=proposed.cutoff_date,
        blocks_submission=proposed.blocks_submission,
        base_version=proposed.base_version,
    )
