"""基础数据: the reference tables of the people app, read-only for provincial staff."""

from django.contrib import admin

from people.admin.provincial import ProvincialReadOnlyAdmin
from people.models import Division, EducationLevel, Ethnicity, PoliticalStatus


@admin.register(Division)
class DivisionAdmin(ProvincialReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_select_related = ["parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    # CC-BY-4.0: the source is credited wherever the data is shown (fixtures/README.md).
    list_before_template = "people/admin/division_source_note.html"
    change_form_before_template = "people/admin/division_source_note.html"


@admin.register(Ethnicity)
class EthnicityAdmin(ProvincialReadOnlyAdmin):
    list_display = ["code", "name", "roman", "letter_code"]
    search_fields = ["code", "name", "roman"]


@admin.register(PoliticalStatus)
class PoliticalStatusAdmin(ProvincialReadOnlyAdmin):
    list_display = ["code", "name", "full_name"]
    search_fields = ["code", "name", "full_name"]


@admin.register(EducationLevel)
class EducationLevelAdmin(ProvincialReadOnlyAdmin):
    list_display = ["code", "name", "kind", "parent", "exam_label"]
    list_select_related = ["parent"]
    list_filter = ["kind", "exam_label"]
    search_fields = ["code", "name"]
