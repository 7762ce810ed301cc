"""重新判断报考条件 as a background job (Job.Kind.ELIGIBILITY, created by
exam.eligibility.rule_changes.rule_set_update): every application of the project is evaluated
again under the rules as they are when the job runs, CHUNK_SIZE at a time with progress, and
the results are written in ONE transaction, like an import: a crash or a lost database midway
leaves every stored result as it was, and 重新开始 runs it again. The job records how many
results were created, updated and left unchanged.

预览报考条件修改 (Job.Kind.RULES_PREVIEW, created by
exam.eligibility.rule_previews.rule_set_preview_start) evaluates the project's submitted
applications under the current and the proposed rules, CHUNK_SIZE at a time with progress,
and stores the moves in the job's counts. It reads only: no transaction, nothing written but
the job row. It refuses if the rule set was saved since the version the input was read from.

`eligibility_job_run` and `rules_preview_job_run` are plain functions (tests call them);
`run_eligibility_job` and `run_rules_preview_job` are the tasks the backend runs
(settings.JOB_TASKS)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks import task

from core.jobs.models import Job
from core.jobs.progress import ProgressReporter
from core.jobs.runner import JobAbandoned, JobRefused, job_finish, job_run
from exam.eligibility.rule_changes import rule_set_preview
from exam.eligibility.rule_previews import PreviewInput, preview_as_counts
from exam.eligibility.services import eligibility_refresh_project
from exam.models import Application, EligibilityRuleSet
from people.permissions import is_provincial_user

PHASE_EVALUATE = "正在重新判断"
PHASE_PREVIEW = "正在按当前规则和修改后规则判断"


def _check_owner(job: Job) -> None:
    # The owner may have lost 管理 on the province since asking.
    if not is_provincial_user(job.owner):
        raise JobRefused("您已没有修改报考条件规则的权限，任务未执行。")


def _reevaluate(job: Job) -> None:
    _check_owner(job)
    project_id = int((job.params or {}).get("project") or 0)
    if not EligibilityRuleSet.objects.filter(project_id=project_id).exists():
        raise JobRefused("该考试项目没有报考条件规则，任务未执行。")
    total = Application.objects.filter(project_id=project_id).count()
    reporter = ProgressReporter(job.pk, phase=PHASE_EVALUATE)
    try:
        with transaction.atomic():
            reporter.publish(0, total, force=True)
            refreshed = eligibility_refresh_project(project_id=project_id, progress=reporter)
            done = refreshed.created + refreshed.updated + refreshed.unchanged + refreshed.skipped
            counts = {
                "created": refreshed.created,
                "updated": refreshed.updated,
                "unchanged": refreshed.unchanged,
            }
            # In the same transaction: a job marked interrupted meanwhile (and perhaps
            # restarted) writes nothing.
            if not job_finish(
                job, counts=counts, progress_done=done, progress_total=max(total, done)
            ):
                raise JobAbandoned
    finally:
        reporter.close()


def eligibility_job_run(job_id: int) -> None:
    job_run(_reevaluate, job_id)


@task()
def run_eligibility_job(job_id: int) -> None:
    eligibility_job_run(job_id)


def _preview(job: Job) -> None:
    _check_owner(job)
    params = job.params or {}
    rule_set = (
        EligibilityRuleSet.objects.select_related("project")
        .filter(pk=int(params.get("rule_set") or 0))
        .first()
    )
    if rule_set is None:
        raise JobRefused("该报考条件规则已不存在，预览未执行。")
    proposed = PreviewInput.from_job(job)
    if rule_set.version != proposed.base_version:
        raise JobRefused(
            f"报考条件规则已被他人修改（现为第 {rule_set.version} 版），预览未执行。请重新预览。"
        )
    reporter = ProgressReporter(job.pk, phase=PHASE_PREVIEW)
    try:
        reporter.publish(0, job.progress_total, force=True)
        preview = rule_set_preview(
            rule_set=rule_set,
            rules=proposed.rules,
            cutoff_date=proposed.cutoff_date,
            progress=reporter,
        )
    except ValidationError as exc:
        raise JobRefused("规则有误，预览未执行：" + "；".join(exc.messages)) from exc
    finally:
        reporter.close()
    if not job_finish(
        job,
        counts=preview_as_counts(preview),
        progress_done=preview.total,
        progress_total=preview.total,
    ):
        raise JobAbandoned


def rules_preview_job_run(job_id: int) -> None:
    job_run(_preview, job_id)


@task()
def run_rules_preview_job(job_id: int) -> None:
    rules_preview_job_run(job_id)
