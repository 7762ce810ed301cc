"""导入日志: every applied import and every refused preview, read-only. Provincial staff see
all of them, every other reviewer the imports they made themselves."""

from django.contrib import admin
from django.http import HttpRequest
from unfold.decorators import display

from core.imports.base import IMPORTERS
from people.access import is_provincial_staff, is_reviewer
from people.admin.policy import PROVINCIAL, PolicyAdmin
from people.models import ImportLog


class ImporterFilter(admin.SimpleListFilter):
    title = "导入类型"
    parameter_name = "importer"

    def lookups(self, request: HttpRequest, model_admin):
        return sorted(IMPORTERS.items(), key=lambda item: item[1])

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(importer=self.value()) if self.value() else queryset


def may_see_import_logs(request: HttpRequest) -> bool:
    return request.user.is_staff and (is_provincial_staff(request) or is_reviewer(request))


@admin.register(ImportLog)
class ImportLogAdmin(PolicyAdmin):
    # Provincial staff see every import, every other reviewer the imports they made.
    view = may_see_import_logs
    object_owner = "actor_id"
    every_object = PROVINCIAL

    list_display = [
        "created_at",
        "importer_label",
        "outcome_label",
        "file_name",
        "actor",
        "institution",
        "new_count",
        "updated_count",
        "unchanged_count",
        "error_count",
    ]
    list_select_related = ["actor", "institution"]
    list_filter = [ImporterFilter, "outcome"]
    search_fields = ["file_name", "sha256", "actor__username"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "created_at",
        "importer_label",
        "outcome_label",
        "file_name",
        "sha256",
        "actor",
        "institution",
        "new_count",
        "updated_count",
        "unchanged_count",
        "error_count",
    ]
    readonly_fields = fields

    @display(description="导入类型", ordering="importer")
    def importer_label(self, obj: ImportLog) -> str:
        return IMPORTERS.get(obj.importer, obj.importer)

    @display(
        description="结果",
        ordering="outcome",
        label={
            ImportLog.Outcome.APPLIED.label: "success",
            ImportLog.Outcome.REFUSED.label: "danger",
        },
    )
    def outcome_label(self, obj: ImportLog) -> str:
        return obj.get_outcome_display()

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if is_provincial_staff(request):
            return queryset
        return queryset.filter(actor_id=request.user.pk)
