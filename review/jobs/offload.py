"""Where the admin's exports and imports turn into background jobs: above
settings.JOB_THRESHOLD_ROWS rows, the request creates a job (core.jobs) and redirects to its
page; below it, they stay in the request as before."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from core.access_log import access_origin
from core.errors import ServiceError
from core.jobs.services import job_create_export, job_create_import, job_threshold
from people.throttle import client_ip


def job_url(job) -> str:
    return reverse("admin:jobs_job_change", args=[job.pk])


def export_as_job(
    request: HttpRequest, exporter, purpose: str, full_id: bool
) -> HttpResponse | None:
    """`exporter` is the request's (review.exporters.exporter_build, prepared by
    people.admin.export_form): the job keeps its identifier, the list's filter parameters,
    the 当前业务, the 导出用途 and the full-ID decision, and the task builds the same
    exporter again as the same user."""
    threshold = job_threshold()
    total = exporter.count()
    if total <= threshold:
        return None
    try:
        job = job_create_export(
            actor=request.user,
            subject=exporter.identifier,
            label=f"导出{exporter.verbose_name}（{total} 行）",
            query=request.GET.urlencode(),
            total=total,
            business=getattr(request, "business", None),
            purpose=purpose,
            full_id=full_id,
            ip=client_ip(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None
    messages.info(
        request,
        f"共 {total} 行，超过 {threshold} 行，已转为后台任务。完成后可在本页下载，"
        "也可在“我的任务”中查看。",
    )
    return HttpResponseRedirect(job_url(job))


def import_as_job(model_admin, request: HttpRequest) -> HttpResponse | None:
    """A valid upload with more rows than the threshold: validated and imported by a job.
    None for anything else (the normal preview handles small files and form errors)."""
    form = model_admin.create_import_form(request)
    if not form.is_valid():
        return None
    formats = model_admin.get_import_formats()
    try:
        index = int(form.cleaned_data["format"])
        input_format = formats[index]()
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    upload = form.cleaned_data["import_file"]
    data = b"".join(upload.chunks())  # the form has checked its size
    upload.seek(0)
    try:
        # Counted within the import's read limits, without building its rows here.
        total = input_format.count_rows(data)
    except Exception:  # noqa: BLE001 - the normal path reports unreadable files
        return None
    threshold = job_threshold()
    if total <= threshold:
        return None
    options = {}
    for name in model_admin._option_fields(request):
        values = form.data.getlist(form.add_prefix(name))
        options[name] = values if len(values) > 1 else (values[0] if values else "")
    label = model_admin.get_import_label(request)
    try:
        job = job_create_import(
            actor=request.user,
            subject=model_admin.importer().identifier,
            label=f"导入{label}：{upload.name}（{total} 行）",
            data=data,
            file_name=upload.name,
            sha256=hashlib.sha256(data).hexdigest(),
            format_index=index,
            options=options,
            total=total,
            access=access_origin(request),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None
    messages.info(
        request,
        f"文件共 {total} 行，超过 {threshold} 行，已转为后台任务：先逐行校验，全部无误后在一个"
        "事务中写入；有任何错误则不写入，并在本页列出错误。",
    )
    return HttpResponseRedirect(job_url(job))
