"""对比库: the comparison libraries and their records, read-only for provincial staff
(imported from Excel in a later step)."""

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from review.admin.provincial import ProvincialReadOnlyAdmin
from review.models import ReferenceLibrary, ReferenceRecord


@admin.register(ReferenceLibrary)
class ReferenceLibraryAdmin(ProvincialReadOnlyAdmin):
    list_display = ["name", "code", "flag_label", "needs_attention", "record_count", "sort_order"]
    ordering = ["sort_order"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(record_total=Count("records"))

    @admin.display(description="记录数", ordering="record_total")
    def record_count(self, obj: ReferenceLibrary) -> int:
        return obj.record_total


@admin.register(ReferenceRecord)
class ReferenceRecordAdmin(ProvincialReadOnlyAdmin):
    list_display = ["library", "name", "id_number", "year", "source", "detail"]
    list_select_related = ["library"]
    list_filter = ["library", "year"]
    search_fields = ["=id_number", "name"]
    search_help_text = "按完整证件号码或姓名查询"
