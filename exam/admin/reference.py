"""基础数据: levels, specialties and TCM categories, read-only for provincial staff."""

from django.contrib import admin

from exam.imports import SpecialtyResource
from exam.models import Level, Specialty, TcmCategory
from people.admin.imports import PlatformImportMixin
from people.admin.provincial import ProvincialReadOnlyAdmin


@admin.register(Level)
class LevelAdmin(ProvincialReadOnlyAdmin):
    list_display = ["code", "name", "sort_order"]


@admin.register(Specialty)
class SpecialtyAdmin(PlatformImportMixin, ProvincialReadOnlyAdmin):
    list_display = ["level", "code", "name", "source_year", "note", "is_active"]
    list_select_related = ["level"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    # The fixtures hold only the specialty codes known so far; say so above the list.
    list_before_template = "exam/admin/specialty_partial_note.html"
    resource_classes = [SpecialtyResource]
    import_help = (
        "导入当年的类别(专业)表：按“申报级别 + 专业代码”匹配，已有的更新名称和年度，没有的新增；"
        "文件中没有的专业保持不变。"
    )


@admin.register(TcmCategory)
class TcmCategoryAdmin(ProvincialReadOnlyAdmin):
    list_display = ["name", "category_type", "basis"]
    list_filter = ["category_type"]
    search_fields = ["name"]
