"""Writes: create a job and enqueue its task, and the purge. The tasks themselves (which
re-check the owner's permission before touching anything) are in tasks.py."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from review.errors import ServiceError
from review.jobs.models import Job
from review.jobs.progress import progress_file, read_progress_file, remove_progress_file


def job_threshold() -> int:
    """Rows above which an export or import runs as a background job."""
    return int(getattr(settings, "JOB_THRESHOLD_ROWS", 5000))


def job_result_ttl() -> timedelta:
    return timedelta(hours=float(getattr(settings, "JOB_RESULT_HOURS", 24)))


def _check_actor(actor) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_staff):
        raise ServiceError("您没有提交后台任务的权限。")


def _enqueue(job: Job, task_name: str) -> None:
    """After the commit (the worker must find the row), hand the job to the task backend."""

    def send() -> None:
        from review.jobs import tasks

        result = getattr(tasks, task_name).enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(send)


@transaction.atomic
def job_create_export(*, actor, subject: str, label: str, query: str, total: int) -> Job:
    """An export of an admin list; `query` is the list's filter query string: the task
    rebuilds the queryset through the same admin and permission selector as the owner."""
    _check_actor(actor)
    job = Job.objects.create(
        owner=actor,
        kind=Job.Kind.EXPORT,
        subject=subject,
        label=label,
        progress_total=total,
        params={"query": query},
    )
    _enqueue(job, "run_export_job")
    return job


@transaction.atomic
def job_create_import(
    *,
    actor,
    subject: str,
    label: str,
    data: bytes,
    file_name: str,
    sha256: str,
    format_index: int,
    options: dict,
    total: int,
) -> Job:
    """An import of an uploaded file; the file is kept privately until the task is done."""
    _check_actor(actor)
    suffix = PurePosixPath(file_name).suffix.lower() or ".bin"
    upload = default_storage.save(f"jobs/uploads/{uuid.uuid4().hex}{suffix}", ContentFile(data))
    job = Job.objects.create(
        owner=actor,
        kind=Job.Kind.IMPORT,
        subject=subject,
        label=label,
        progress_total=total,
        params={
            "upload": upload,
            "file_name": file_name,
            "sha256": sha256,
            "format": format_index,
            "options": options,
        },
    )
    _enqueue(job, "run_import_job")
    return job


def job_remove_upload(job: Job) -> None:
    name = (job.params or {}).get("upload")
    if name:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def job_purge(*, now=None, keep_days: float = 30, stale_minutes: float = 60) -> dict[str, int]:
    """`manage.py purge_jobs`: result files past expires_at are deleted (the job stays, so
    its page says 已过期), jobs older than `keep_days` go entirely, and a job still
    "running" with no progress for `stale_minutes` (its worker died; the database rolled
    its transaction back) is marked failed."""
    now = now or timezone.now()
    removed_files = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(result_file=""):
        job.result_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result_file="")
        removed_files += 1
    stale = 0
    limit = now - timedelta(minutes=stale_minutes)
    for job in Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=limit):
        side = read_progress_file(job.pk)
        if side is not None and progress_file(job.pk).stat().st_mtime >= limit.timestamp():
            continue  # an SQLite import still publishing through its file
        job_fail(job, message="任务中断（后台进程已停止），没有写入任何数据。请重新提交。")
        stale += 1
    old = Job.objects.filter(created_at__lt=now - timedelta(days=keep_days)).exclude(
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    )
    deleted = 0
    for job in old:
        if job.result_file:
            job.result_file.delete(save=False)
        job_remove_upload(job)
        job.delete()
        deleted += 1
    return {"files": removed_files, "stale": stale, "deleted": deleted}


def job_fail(job: Job, *, message: str, errors: list[dict] | None = None, counts=None) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED,
        message=message,
        errors=errors or [],
        counts=counts or {},
        finished_at=now,
        updated_at=now,
        phase="",
    )
    remove_progress_file(job.pk)
    job_remove_upload(job)
