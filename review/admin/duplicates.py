"""查重 (provincial and city staff): every flagged pair with at least one side in the
user's scope, filterable by 类型 and 相似度, exportable. The side the user may not open
shows no name, ID number, institution or link (review/duplicates.py)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from import_export.admin import ExportMixin
from unfold.contrib.import_export.forms import ExportForm
from unfold.decorators import display

from core.imports.base import PlatformXLSX
from core.list_filters import DropdownFilter
from core.xlsx import xlsx_export_response
from exam.duplicates.models import Match, MatchKind
from people.access import institutions_held
from people.admin.policy import PolicyAdmin
from people.permissions import Perm
from review.business import business_id
from review.duplicate_exports import OUT_OF_SCOPE, RELATED, MatchListExporter
from review.duplicates import (
    SIMILARITY_BANDS,
    match_detail_text,
    match_list,
    match_list_filter,
    may_list_duplicates,
    visible_ids,
)
from review.exporters import ExportNotAvailable, exporter_build
from review.jobs.offload import export_as_job


def can_see_duplicates(request: HttpRequest) -> bool:
    """The sidebar's 查重 and the list: 审核 at a province or city institution."""
    return may_list_duplicates(request.user, institutions_held(request, Perm.REVIEW))


class KindFilter(DropdownFilter):
    title = "类型"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return MatchKind.choices

    def queryset(self, request, queryset):
        return match_list_filter(queryset, {"kind": self.value()})


class SimilarityFilter(DropdownFilter):
    title = "相似度"
    parameter_name = "similarity"

    def lookups(self, request, model_admin):
        return [(key, label) for key, (label, _) in SIMILARITY_BANDS.items()]

    def queryset(self, request, queryset):
        return match_list_filter(queryset, {"similarity": self.value()})


@admin.register(Match)
class MatchAdmin(ExportMixin, PolicyAdmin):
    view = can_see_duplicates
    list_display = [
        "kind_badge",
        "similarity_cell",
        "side_a",
        "side_b",
        "items",
        "detail_text",
        "found_at",
    ]
    list_display_links = None
    list_filter = [KindFilter, SimilarityFilter]
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    ordering = list(MatchListExporter.ordering)
    actions = None
    export_form_class = ExportForm
    formats = [PlatformXLSX]  # should anything export through import-export
    skip_export_form = True

    def get_queryset(self, request: HttpRequest):
        held = institutions_held(request, Perm.REVIEW)
        return match_list(user=request.user, held=held).select_related(*RELATED)

    def get_changelist(self, request: HttpRequest, **kwargs):
        base = super().get_changelist(request, **kwargs)

        class MatchChangeList(base):  # type: ignore[misc, valid-type]
            def get_results(self, request: HttpRequest) -> None:
                super().get_results(request)
                # One query for the page: which sides this user may open.
                rows = list(self.result_list)
                ids = {m.application_id for m in rows} | {m.other_application_id for m in rows}
                visible = visible_ids(user=request.user, application_ids=ids) if ids else set()
                for match in rows:
                    match.visible_sides = visible  # type: ignore[attr-defined]

        return MatchChangeList

    # --- columns ------------------------------------------------------------------------

    @display(description="类型")
    def kind_badge(self, obj: Match) -> SafeString:
        return format_html(
            '<span class="rv-badge rv-badge--warning">{}</span>', obj.get_kind_display()
        )

    @display(description="相似度", ordering="similarity")
    def similarity_cell(self, obj: Match) -> str:
        return f"{obj.similarity}%"

    def _side(self, obj: Match, application) -> SafeString:
        if application.pk not in getattr(obj, "visible_sides", set()):
            return format_html('<span class="rv-none">{}</span>', OUT_OF_SCOPE)
        url = reverse("admin:review_reviewapplication_change", args=[application.pk])
        return format_html(
            '<a class="text-primary-600 font-medium" href="{}#duplicates">{}</a><br>{}<br>{}',
            url,
            application.candidate.name,
            application.candidate.id_number,
            application.entry_institution.name,
        )

    @display(description="甲方（姓名/证件号码/单位）")
    def side_a(self, obj: Match) -> SafeString:
        return self._side(obj, obj.application)

    @display(description="乙方（姓名/证件号码/单位）")
    def side_b(self, obj: Match) -> SafeString:
        return self._side(obj, obj.other_application)

    @display(description="条目")
    def items(self, obj: Match) -> str:
        return f"{obj.label} ↔ {obj.other_label}"

    @display(description="说明")
    def detail_text(self, obj: Match) -> str:
        return match_detail_text(obj)

    # --- export ---------------------------------------------------------------------------

    def has_export_permission(self, request: HttpRequest) -> bool:
        return MatchListExporter.available_for_user(request.user)

    def export_action(self, request: HttpRequest) -> HttpResponse:
        """The filtered list as xlsx; over settings.JOB_THRESHOLD_ROWS rows a background job."""
        try:
            exporter = exporter_build(
                identifier=MatchListExporter.identifier,
                user=request.user,
                business=business_id(request),
                params=request.GET,
            )
        except ExportNotAvailable as exc:
            raise PermissionDenied from exc
        job = export_as_job(request, exporter)
        if job is not None:
            return job
        return xlsx_export_response(request, exporter, exporter.filename(user=request.user))
