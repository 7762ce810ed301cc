"""The review exports as background jobs. The job holds the exporter's identifier
(Job.subject), the list's filter parameters (params["query"]) and the 当前业务 it was asked
in (params["business"]); the task builds the same exporter from the registry
(review.exporters) as the job's owner, so a permission lost meanwhile refuses the job, and
writes it (core.jobs.runner). No request, no admin.

`export_job_run` is a plain function (tests call it directly); `run_export_job` is the task
the backend runs (settings.JOB_TASKS, `manage.py run_worker`). Imports: review/job_imports.py.
"""

from __future__ import annotations

from django.http import QueryDict
from django_tasks import task

from core.jobs.models import Job
from core.jobs.runner import JobRefused, job_export_write, job_run
from people.exports import export_logged, export_prepare
from review.business import Business, business_resolve
from review.exporters import ExportNotAvailable, exporter_build


def job_business(job: Job) -> int | None:
    """The 当前业务 the job was asked in (for a job that did not record one: the owner's
    now), as the selectors' project id."""
    stored = (job.params or {}).get("business")
    business = Business(**stored) if stored else business_resolve(user=job.owner)
    return business.id if business else None


def job_exporter(job: Job):
    """The exporter the job's owner asked for, rebuilt from what the job stored."""
    params = QueryDict((job.params or {}).get("query", ""))
    try:
        return exporter_build(
            identifier=job.subject, user=job.owner, business=job_business(job), params=params
        )
    except ExportNotAvailable as exc:
        raise JobRefused("您已没有导出权限，任务未执行。") from exc


def _export(job: Job) -> None:
    exporter = job_exporter(job)
    params = job.params or {}
    purpose = params.get("purpose") or ""
    # Full values only if asked for and still allowed now (export_prepare checks again).
    full_id = bool(params.get("full_id"))
    export_prepare(exporter, user=job.owner, purpose=purpose, full_id=full_id)
    rows = job_export_write(job, exporter, exporter.filename(user=job.owner))
    export_logged(
        user=job.owner,
        ip=params.get("ip") or None,
        export_name=exporter.verbose_name,
        params=QueryDict(params.get("query", "")),
        purpose=purpose,
        full_id=exporter.full_id,
        row_count=rows,
    )


def export_job_run(job_id: int) -> None:
    job_run(_export, job_id)


@task()
def run_export_job(job_id: int) -> None:
    export_job_run(job_id)
