"""Writes: create a job and enqueue its task, restart an interrupted one, mark the jobs of a
dead worker failed, and the purge. The tasks themselves (which re-check the owner's
permission before touching anything) are those settings.JOB_TASKS names; runner.py is what
they share."""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.audit import log_action
from core.errors import ServiceError
from core.jobs.audit_actions import LOG_JOB_INTERRUPTED, LOG_JOB_RESTARTED
from core.jobs.heartbeat import dead_after, looks_dead, remove_beat_file
from core.jobs.models import Job
from core.jobs.progress import remove_progress_file
from core.jobs.selectors import job_list
from core.tmpfiles import remove_job_tmp

WORKER_LOST_MESSAGE = "后台任务进程已中断，请重新开始。"


class JobInterrupted(Exception):
    """What django-tasks-db's record of an interrupted task names as its exception."""


def job_threshold() -> int:
    """Rows above which an export or import runs as a background job."""
    return int(getattr(settings, "JOB_THRESHOLD_ROWS", 5000))


def job_result_ttl() -> timedelta:
    return timedelta(hours=float(getattr(settings, "JOB_RESULT_HOURS", 24)))


def _check_actor(actor) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_staff):
        raise ServiceError("您没有提交后台任务的权限。")


def job_task(kind: str):
    """The task that runs a job of `kind` (settings.JOB_TASKS: kind → dotted path of a
    django-tasks `@task` taking the job's id): the apps above core say what a job does."""
    return import_string(settings.JOB_TASKS[kind])


def _enqueue(job: Job) -> None:
    """After the commit (the worker must find the row), hand the job to the task backend."""

    def send() -> None:
        result = job_task(job.kind).enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(send)


@transaction.atomic
def job_create(*, actor, kind: str, subject: str, label: str, params: dict, total: int = 0) -> Job:
    """A job of `kind` (settings.JOB_TASKS names its task), enqueued when the caller's
    transaction commits: `params` is what the task needs to redo the work, never rows."""
    _check_actor(actor)
    job = Job.objects.create(
        owner=actor,
        kind=kind,
        subject=subject,
        label=label,
        progress_total=total,
        params=params,
    )
    _enqueue(job)
    return job


def job_create_export(
    *,
    actor,
    subject: str,
    label: str,
    query: str,
    total: int,
    business=None,
    purpose: str = "",
    full_id: bool = False,
    ip: str | None = None,
) -> Job:
    """An export: `subject` names the exporter (its registry's identifier), `query` is the
    list's filter query string; the task builds the exporter again as the owner, in the
    当前业务 of the moment it was asked for (`business`, a dataclass kept as a dict). The
    导出用途, whether full ID numbers were asked for (and allowed) and the address travel
    with the job: the file is stamped and the export recorded when it is written."""
    return job_create(
        actor=actor,
        kind=Job.Kind.EXPORT,
        subject=subject,
        label=label,
        total=total,
        params={
            "query": query,
            **({"business": business.__dict__.copy()} if business is not None else {}),
            "purpose": purpose,
            "full_id": bool(full_id),
            "ip": ip or "",
        },
    )


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
    access: dict | None = None,
) -> Job:
    """An import of an uploaded file; the file is kept privately until the task is done."""
    _check_actor(actor)
    suffix = PurePosixPath(file_name).suffix.lower() or ".bin"
    upload = default_storage.save(f"jobs/uploads/{uuid.uuid4().hex}{suffix}", ContentFile(data))
    return job_create(
        actor=actor,
        kind=Job.Kind.IMPORT,
        subject=subject,
        label=label,
        total=total,
        params={
            "upload": upload,
            "file_name": file_name,
            "sha256": sha256,
            "format": format_index,
            "options": options,
            **({"access": access} if access else {}),
        },
    )


def job_remove_upload(job: Job) -> None:
    name = (job.params or {}).get("upload")
    if name:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def job_purge(*, now=None, keep_days: float = 30) -> dict[str, int]:
    """`manage.py purge_jobs`: result files past expires_at are deleted (the job stays, so
    its page says 已过期), jobs older than `keep_days` go entirely, the jobs of a dead
    worker are marked failed, and the upload of an interrupted import nobody restarted
    within JOB_RESULT_HOURS is deleted."""
    now = now or timezone.now()
    removed_files = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(result_file=""):
        job.result_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result_file="")
        removed_files += 1
    stale = jobs_fail_dead(now=now)
    abandoned = Job.objects.filter(
        status=Job.Status.FAILED,
        interrupted=True,
        finished_at__lt=now - job_result_ttl(),
        params__has_key="upload",
    )
    for job in abandoned:
        job_remove_upload(job)
        params = {k: v for k, v in job.params.items() if k != "upload"}
        Job.objects.filter(pk=job.pk).update(params=params)
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


def job_fail(job: Job, *, message: str, errors: list[dict] | None = None, counts=None) -> bool:
    """The task's own failure (refused, wrong rows, a crash). Only a job still queued or
    running changes: one already marked interrupted (and perhaps restarted, reusing its
    upload) keeps its state and its upload. True if it changed."""
    now = timezone.now()
    changed = Job.objects.filter(
        pk=job.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).update(
        status=Job.Status.FAILED,
        message=message,
        errors=errors or [],
        counts=counts or {},
        finished_at=now,
        updated_at=now,
        phase="",
    )
    remove_progress_file(job.pk)
    if changed:
        job_remove_upload(job)
    return bool(changed)


# --- interrupted jobs: a dead worker, a lost database ------------------------------------------


def _fail_task_result(task_id: str, message: str) -> None:
    """django-tasks-db's own record of the task: failed too, not RUNNING for ever."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not task_id:
        return
    try:
        uuid.UUID(task_id)
    except ValueError:
        return  # another backend's id
    DBTaskResult.objects.filter(
        id=task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{JobInterrupted.__module__}.{JobInterrupted.__qualname__}",
        traceback=message,
    )


def job_fail_interrupted(
    *, job: Job, message: str = WORKER_LOST_MESSAGE, stale_before=None
) -> bool:
    """Mark a queued or running job failed because its worker or the database went away
    (not because of its input): the user may start it again (job_restart), so an import
    keeps its upload. `stale_before`: only if its heartbeat is still older than that (the
    check and the change in one UPDATE, so a job that just beat is left alone).
    True if it changed."""
    now = timezone.now()
    with transaction.atomic():
        rows = Job.objects.filter(pk=job.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        if stale_before is not None:
            rows = rows.filter(
                models.Q(heartbeat_at__isnull=True) | models.Q(heartbeat_at__lt=stale_before),
                updated_at__lt=stale_before,
            )
        changed = rows.update(
            status=Job.Status.FAILED,
            interrupted=True,
            message=message,
            finished_at=now,
            updated_at=now,
            phase="",
        )
        if not changed:
            return False
        _fail_task_result(job.task_id, message)
        # The subject is the job: its owner's institution is the review log list's business
        # (review/admin/logs.py shows it to the owner's colleagues).
        log_action(
            action=LOG_JOB_INTERRUPTED,
            actor=None,
            subject=job,
            data={"remark": f"{job.label}（任务 {job.pk}）：{message}"},
        )
    remove_progress_file(job.pk)
    remove_beat_file(job.pk)
    remove_job_tmp(job.pk)
    return True


def db_lost_message(job: Job) -> str:
    return f"{job.verb}中断：数据库暂时不可用，没有写入任何数据。请重新开始。"


def task_fail_interrupted(*, task_id: str) -> int:
    """The task a worker was running when it lost the database (run_worker, once the
    database is back): its job and django-tasks-db's record become failed. How many jobs."""
    failed = 0
    for job in Job.objects.filter(task_id=task_id):
        failed += job_fail_interrupted(job=job, message=db_lost_message(job))
    _fail_task_result(task_id, "数据库连接中断，任务没有完成。")
    return failed


def jobs_fail_dead(*, owner=None, now=None) -> int:
    """Running jobs whose worker died (no heartbeat for JOB_DEAD_AFTER_SECONDS) become
    失败 with WORKER_LOST_MESSAGE. Run by the worker on start, by purge_jobs, and when a
    user reads their jobs (`owner`: only theirs). Returns how many."""
    limit = (now or timezone.now()) - dead_after()
    candidates = Job.objects.filter(status=Job.Status.RUNNING, updated_at__lt=limit).filter(
        models.Q(heartbeat_at__isnull=True) | models.Q(heartbeat_at__lt=limit)
    )
    if owner is not None:
        candidates = candidates.filter(owner_id=owner.pk)
    failed = 0
    for job in candidates:
        if looks_dead(job, now=now) and job_fail_interrupted(job=job, stale_before=limit):
            failed += 1
    return failed


def job_retry_blocker(job: Job) -> str:
    """Why `job` cannot be started again ("" if it can): the page shows 重新开始 only then."""
    if job.status != Job.Status.FAILED or not job.interrupted:
        return "只有中断的任务可以重新开始。"
    if job.retries.exists():
        return "该任务已经重新开始过，请查看新的任务。"
    if job.kind == Job.Kind.IMPORT:
        upload = (job.params or {}).get("upload")
        if not upload or not default_storage.exists(upload):
            return "上传的文件已删除，请重新上传。"
    return ""


def job_restart(*, actor, job_id: int) -> Job:
    """重新开始: a new job with the same parameters as the interrupted one, owner only.
    An import's new job takes over the kept upload (the old one lets go of it)."""
    _check_actor(actor)
    with transaction.atomic():
        try:
            old = job_list(user=actor).select_for_update().get(pk=job_id)
        except Job.DoesNotExist as exc:
            raise ServiceError("没有找到该任务。") from exc
        blocker = job_retry_blocker(old)
        if blocker:
            raise ServiceError(blocker)
        job = Job.objects.create(
            owner=actor,
            kind=old.kind,
            subject=old.subject,
            label=old.label,
            progress_total=old.progress_total,
            params=old.params,
            retry_of=old,
        )
        if old.kind == Job.Kind.IMPORT:
            old.params = {k: v for k, v in old.params.items() if k != "upload"}
            old.save(update_fields=["params"])
        log_action(
            action=LOG_JOB_RESTARTED,
            actor=actor,
            subject=job,
            data={"remark": f"{old.label}（任务 {old.pk} → {job.pk}）"},
        )
        _enqueue(job)
    return job
