"""A job task for tests/core/test_job_workers.py (settings.JOB_TASKS["export"] there): it
writes one audit row per run, naming the worker process, then finishes the job.

The row is written before core.jobs.runner claims the job, so a task the queue handed to
two workers shows two rows, whatever the runner's own guard then does with the second."""

import os

from django_tasks import task

from core.audit import log_action
from core.jobs.models import Job
from core.jobs.runner import job_finish, job_run

PROBE_RAN = "test.job_probe_ran"


def _finish(job: Job) -> None:
    job_finish(job, progress_done=1)


@task()
def record_run(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    log_action(action=PROBE_RAN, actor=None, subject=job, data={"remark": str(os.getpid())})
    job_run(_finish, job_id)
