"""我的任务: the user's own background jobs, a job page with a progress bar (polling the
status endpoint), the private download and the errors of a failed import."""

from __future__ import annotations

import logging

from django.contrib import admin, messages
from django.db import OperationalError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseGone,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from unfold.decorators import display

from core.errors import ServiceError
from core.files import private_file_response
from core.jobs.models import JOB_STATUS_COLOURS, Job
from core.jobs.selectors import job_get, job_list, job_progress, job_status
from core.jobs.services import job_restart, job_retry_blocker, jobs_fail_dead
from people.admin.policy import STAFF, PolicyAdmin

logger = logging.getLogger(__name__)


def _fail_dead_jobs(request: HttpRequest) -> None:
    """A job whose worker died shows as 失败 as soon as its owner looks. Opportunistic: if
    the database refuses the write just now (SQLite busy with a long import), the page
    still shows and the next look (or purge_jobs) does it."""
    try:
        jobs_fail_dead(owner=request.user)
    except OperationalError as exc:
        logger.warning("dead-job check skipped: %s", exc)


# unfold's badges look the colour up by the text shown.
STATUS_LABEL_COLOURS = {label: JOB_STATUS_COLOURS[value] for value, label in Job.Status.choices}


@admin.register(Job)
class JobAdmin(PolicyAdmin):
    list_display = ["label_link", "kind", "status_badge", "progress", "created_at", "finished_at"]
    list_display_links = None
    list_filter = ["status", "kind"]
    list_per_page = 50
    ordering = ["-created_at", "-id"]

    @display(description="任务")
    def label_link(self, obj: Job) -> str:
        url = reverse("admin:jobs_job_change", args=[obj.pk])
        return format_html('<a class="text-primary-600 font-medium" href="{}">{}</a>', url, obj)

    @display(description="状态", label=STATUS_LABEL_COLOURS)
    def status_badge(self, obj: Job) -> str:
        return obj.get_status_display()

    @display(description="进度")
    def progress(self, obj: Job) -> str:
        done, total, _ = job_progress(obj)
        if obj.status == Job.Status.DONE:
            return "100%"
        return f"{int(done * 100 / total)}%" if total else "—"

    # --- access: every user sees only their own jobs --------------------------------------

    view = STAFF
    object_owner = "owner_id"

    def get_queryset(self, request: HttpRequest):
        return job_list(user=request.user)

    # --- pages ----------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/status/", wrap(self.status_view), name="jobs_job_status"),
            path("<int:pk>/download/", wrap(self.download_view), name="jobs_job_download"),
            path("<int:pk>/restart/", wrap(self.restart_view), name="jobs_job_restart"),
            *super().get_urls(),
        ]

    def _own(self, request: HttpRequest, pk) -> Job:
        if not str(pk).isdigit() or not self.has_view_permission(request):
            raise Http404("没有找到该任务。")
        _fail_dead_jobs(request)
        try:
            return job_get(user=request.user, pk=int(pk))
        except Job.DoesNotExist as exc:
            raise Http404("没有找到该任务。") from exc

    def changelist_view(self, request: HttpRequest, extra_context=None):
        if self.has_view_permission(request):
            _fail_dead_jobs(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        job = self._own(request, object_id)
        interrupted = job.status == Job.Status.FAILED and job.interrupted
        blocker = job_retry_blocker(job) if interrupted else ""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": job.label,
            "job": job,
            "status": job_status(job),
            "status_url": reverse("admin:jobs_job_status", args=[job.pk]),
            "changelist_url": reverse("admin:jobs_job_changelist"),
            "restart_url": reverse("admin:jobs_job_restart", args=[job.pk]),
            "can_restart": interrupted and not blocker,
            "restart_blocker": blocker,
            "retry": job.retries.order_by("-pk").first() if interrupted else None,
        }
        return TemplateResponse(request, "jobs/job_detail.html", context)

    def restart_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """重新开始 (POST, CSRF-checked by admin_view): a new job with the same parameters."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self._own(request, pk)
        try:
            new = job_restart(actor=request.user, job_id=job.pk)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[job.pk]))
        messages.success(request, "已重新开始：新的任务已提交，正在排队。")
        return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[new.pk]))

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        job = self._own(request, pk)
        response = JsonResponse(job_status(job), json_dumps_params={"ensure_ascii": False})
        response["Cache-Control"] = "no-store"
        return response

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The result file: its owner only (404 for anyone else), 410 once expired."""
        job = self._own(request, pk)
        if job.status != Job.Status.DONE or not job.result_name:
            raise Http404("该任务没有结果文件。")
        if job.is_expired or not job.result_file:
            return HttpResponseGone("结果文件已过期并已删除，请重新导出。")
        try:
            handle = job.result_file.open("rb")
        except FileNotFoundError:
            return HttpResponseGone("结果文件已过期并已删除，请重新导出。")
        return private_file_response(handle, filename=job.result_name, as_attachment=True)


def can_see_jobs(request: HttpRequest) -> bool:
    """Sidebar: 我的任务 for every active staff user (each sees only their own jobs)."""
    return request.user.is_active and request.user.is_staff
