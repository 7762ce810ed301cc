"""医师库: the physician registry, read-only for provincial staff (imports come later)."""

from django.contrib import admin

from people.models import Physician
from review.admin.provincial import ProvincialReadOnlyAdmin


@admin.register(Physician)
class PhysicianAdmin(ProvincialReadOnlyAdmin):
    list_display = [
        "name",
        "id_number",
        "institution_name",
        "practice_category",
        "practice_scope",
        "title",
        "is_recommender",
        "is_supervisor",
        "updated_at",
    ]
    list_filter = ["is_recommender", "is_supervisor", "practice_category"]
    search_fields = ["name", "=id_number"]
    search_help_text = "按姓名或完整身份证号码查询"
