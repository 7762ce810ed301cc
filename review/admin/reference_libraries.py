"""对比库: the comparison libraries and their records, read-only for provincial staff, who
import each library's records from Excel (the library is chosen on the import page)."""

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest

from people.access import own_institution
from people.admin.imports import PlatformImportMixin
from people.admin.provincial import ProvincialReadOnlyAdmin
from review.imports.reference_records import ReferenceRecordResource
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
class ReferenceRecordAdmin(PlatformImportMixin, ProvincialReadOnlyAdmin):
    list_display = ["library", "name", "id_number", "year", "source", "detail"]
    list_select_related = ["library"]
    list_filter = ["library", "year"]
    search_fields = ["=id_number", "name"]
    search_help_text = "按完整证件号码或姓名查询"
    resource_classes = [ReferenceRecordResource]
    import_help = (
        "先选择对比库，再上传该库的记录。同一对比库中“证件号码 + 年度”相同的记录视为同一条："
        "已有的更新，没有的新增；文件中没有的记录保持不变。"
    )

    def get_template_links(self, request: HttpRequest) -> list[tuple[str, str]]:
        return [
            (f"下载模板：{library.name}", self.template_url(library=library.code))
            for library in ReferenceLibrary.objects.order_by("sort_order")
        ]

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs):
        code = request.GET.get("library__code__exact") or request.GET.get("library")
        library = ReferenceLibrary.objects.filter(code=code).first() if code else None
        return {
            "actor": request.user,
            "institution": own_institution(request),
            "options": {"library": library},
        }
