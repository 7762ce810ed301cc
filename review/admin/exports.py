"""The registry's exports in the admin (review.exporters): one view body for every list's
导出 button, through people.admin.export_form (导出用途, masking, stamp, record) and, over
settings.JOB_THRESHOLD_ROWS rows, a background job."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from core.xlsx import Exporter
from people.admin.export_form import export_response
from review.business import business_id
from review.exporters import ExportNotAvailable, exporter_build, exporter_class
from review.jobs.offload import export_as_job


def registry_export(
    request: HttpRequest, *, identifier: str, back_url: str = "", offload: bool = True
) -> HttpResponse:
    """The export `identifier` of the list the request's query string filters."""
    try:
        cls = exporter_class(identifier)
    except ExportNotAvailable as exc:
        raise PermissionDenied from exc
    if not cls.available_for_user(request.user):
        raise PermissionDenied

    def build() -> Exporter:
        try:
            return exporter_build(
                identifier=identifier,
                user=request.user,
                business=business_id(request),
                params=request.GET,
            )
        except ExportNotAvailable as exc:
            raise PermissionDenied from exc

    return export_response(
        request,
        export_name=cls.verbose_name,
        build=build,
        filename=lambda: cls.filename(user=request.user),
        offload=export_as_job if offload else None,
        back_url=back_url,
    )
