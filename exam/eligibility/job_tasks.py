"""重新判断报考条件 as a background job (Job.Kind.ELIGIBILITY, created by
exam.eligibility.rule_changes.rule_set_update): every application of the project is evaluated
again under the rules as they are when the job runs, CHUNK_SIZE at a time with progress, and
the results are written in ONE transaction, like an import: a crash or a lost database midway
leaves every stored result as it was, and 重新开始 runs it again. The job records how many
results were created, updated and left unchanged.

`eligibility_job_run` is a plain function (tests call it); `run_eligibility_job` is the task
the backend runs (settings.JOB_TASKS)."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from core.jobs.models import Job
from core.jobs.progress import ProgressReporter
from core.jobs.runner import JobAbandoned, JobRefused, job_finish, job_run
from exam.eligibility.services import eligibility_refresh_project
from exam.models import Application, EligibilityRuleSet
from people.permissions import is_provincial_user

PHASE_EVALUATE = "正在重新判断"


def _reevaluate(job: Job) -> None:
    # The owner may have lost 管理 on the province since asking.
    if not is_provincial_user(job.owner):
        raise JobRefused("您已没有修改报考条件规则的权限，任务未执行。")
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
