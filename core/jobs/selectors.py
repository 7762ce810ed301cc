"""Reads: a user sees only the jobs they asked for (superusers included)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from core.jobs.heartbeat import dead_after
from core.jobs.models import Job
from core.jobs.progress import read_progress_file


def job_list(*, user) -> QuerySet[Job]:
    if not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner_id=user.pk)


def job_get(*, user, pk: int) -> Job:
    """Raises Job.DoesNotExist for another user's job (views: 404)."""
    return job_list(user=user).get(pk=pk)


def job_progress(job: Job) -> tuple[int, int, str]:
    """(done, total, phase), including what a running import published outside the DB."""
    done, total, phase = job.progress_done, job.progress_total, job.phase
    if job.status == Job.Status.RUNNING:
        side = read_progress_file(job.pk)
        if side and side.get("done", 0) >= done:
            done, total, phase = side["done"], side.get("total", total), side.get("phase", phase)
    return done, total, phase


def job_queue_notice(job: Job, *, now=None) -> str:
    """A job still queued after JOB_DEAD_AFTER_SECONDS: say so (is a worker running?)."""
    if job.status != Job.Status.QUEUED:
        return ""
    waited = (now or timezone.now()) - job.created_at
    if waited < dead_after():
        return ""
    minutes = max(1, int(waited.total_seconds() // 60))
    return (
        f"任务已排队 {minutes} 分钟，仍在等待后台任务进程。如果长时间没有开始，"
        "请联系系统管理员检查后台任务进程（run_worker）。"
    )


def job_status(job: Job) -> dict[str, Any]:
    """What the job page's poll reads (GET …/status/)."""
    done, total, phase = job_progress(job)
    percent = 100 if job.status == Job.Status.DONE else (int(done * 100 / total) if total else 0)
    download = ""
    if job.status == Job.Status.DONE and job.result_file and not job.is_expired:
        download = reverse("admin:jobs_job_download", args=[job.pk])
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "phase": phase,
        "done": done,
        "total": total,
        "percent": min(100, percent),
        "finished": job.is_finished,
        "message": job.message,
        "error_count": len(job.errors),
        "download_url": download,
        "expired": job.is_expired,
        "notice": job_queue_notice(job),
    }
