"""The page every export goes through: 导出用途 (and, for holders of 导出完整证件号码, the
checkbox), then the file. `export_response` is the whole view body of an export; the rules
it applies are people/exports.py.

GET shows the form; the form posts back to the same URL, query string included, so the
file has the list's current filters. A valid POST builds the exporter, masks or not,
stamps it, and either writes it (logged by `export_logged`) or hands it to `offload` (a
background job, which logs when it has written the file).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from unfold.widgets import UnfoldAdminTextareaWidget, UnfoldBooleanWidget

from core.xlsx import Exporter, xlsx_download
from people.exports import (
    PURPOSE_MAX_LENGTH,
    PURPOSE_REQUIRED,
    PURPOSE_TOO_LONG,
    clean_purpose,
    export_logged,
    export_prepare,
    may_export_full_id,
)
from people.throttle import client_ip

TEMPLATE = "people/admin/export_form.html"

#: (request, prepared exporter, purpose, full_id) → the job's page, or None to write now.
Offload = Callable[[HttpRequest, Exporter, str, bool], HttpResponse | None]


class ExportPurposeForm(forms.Form):
    purpose = forms.CharField(
        label="导出用途",
        max_length=PURPOSE_MAX_LENGTH * 2,  # the trimmed text is checked in clean_purpose
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 2}),
        help_text=f"必填，最多 {PURPOSE_MAX_LENGTH} 个字，例如“市级复核名单核对”。"
        "导出人、时间和用途会写入文件并记录在日志中。",
        error_messages={"required": PURPOSE_REQUIRED, "max_length": PURPOSE_TOO_LONG},
    )
    full_id = forms.BooleanField(
        label="导出完整证件号码",
        required=False,
        widget=UnfoldBooleanWidget,
        help_text="不勾选时，证件号码和手机号码脱敏导出（如 420102********1234、138****1234）。",
    )

    def __init__(self, *args: Any, may_full_id: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_full_id:
            # Not shown, and a forged field is never read.
            del self.fields["full_id"]

    def clean_purpose(self) -> str:
        return clean_purpose(self.cleaned_data.get("purpose"))


def export_response(
    request: HttpRequest,
    *,
    export_name: str,
    build: Callable[[], Exporter],
    filename: Callable[[], str],
    offload: Offload | None = None,
    back_url: str = "",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The export view: the purpose form (GET, or an invalid POST: no file), else the file
    of `build()` named `filename()`, masked unless the user may and asked for full values.
    The caller has checked that the user may use this export at all."""
    may_full_id = may_export_full_id(request.user)
    form = ExportPurposeForm(
        request.POST if request.method == "POST" else None, may_full_id=may_full_id
    )
    if not form.is_valid():
        # The admin's frame (sidebar, header) around the form, as the admin's own pages.
        request.current_app = admin.site.name
        page = {
            **admin.site.each_context(request),
            **(context or {}),
            "title": f"导出{export_name}",
            "export_name": export_name,
            "form": form,
            "may_full_id": may_full_id,
            "back_url": back_url,
        }
        return TemplateResponse(request, TEMPLATE, page)
    purpose: str = form.cleaned_data["purpose"]
    exporter = export_prepare(
        build(),
        user=request.user,
        purpose=purpose,
        full_id=bool(form.cleaned_data.get("full_id")),
    )
    if offload is not None:
        job = offload(request, exporter, purpose, exporter.full_id)
        if job is not None:
            return job
    response, rows = xlsx_download(exporter, filename())
    export_logged(
        user=request.user,
        ip=client_ip(request),
        export_name=export_name,
        params=request.GET,
        purpose=purpose,
        full_id=exporter.full_id,
        row_count=rows,
    )
    return response
