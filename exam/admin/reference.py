"""基础数据: levels, specialties and TCM categories, read-only for provincial staff."""

from django.contrib import admin

from exam.models import Level, Specialty, TcmCategory
from review.admin.provincial import ProvincialReadOnlyAdmin


@admin.register(Level)
class LevelAdmin(ProvincialReadOnlyAdmin):
    list_display = ["code", "name", "sort_order"]


@admin.register(Specialty)
class SpecialtyAdmin(ProvincialReadOnlyAdmin):
    list_display = ["level", "code", "name", "source_year", "note", "is_active"]
    list_select_related = ["level"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    # The fixtures hold only the specialty codes known so far; say so above the list.
    list_before_template = "exam/admin/specialty_partial_note.html"


@admin.register(TcmCategory)
class TcmCategoryAdmin(ProvincialReadOnlyAdmin):
    list_display = ["name", "category_type", "basis"]
    list_filter = ["category_type"]
    search_fields = ["name"]
