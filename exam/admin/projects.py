"""考试项目: provincial staff set each project's registration window and rules; the
project's identity (kind, year, name) stays as created."""

from django.contrib import admin
from django.http import HttpRequest

from exam.models import ExamKind, ExamProject
from people.admin.policy import PROVINCIAL
from people.admin.provincial import ProvincialReadOnlyAdmin

IDENTITY_FIELDS = ("name", "kind", "year")
WINDOW_FIELDS = ("registration_opens_at", "registration_closes_at", "is_active")
TCM_RULE_FIELDS = (
    "case_record_count",
    "apprenticeship_recommenders",
    "apprenticeship_supervisors",
    "practice_recommenders",
    "practice_supervisor_cutoff",
)


@admin.register(ExamProject)
class ExamProjectAdmin(ProvincialReadOnlyAdmin):
    list_display = [
        "name",
        "kind",
        "year",
        "registration_opens_at",
        "registration_closes_at",
        "is_active",
    ]
    list_filter = ["kind", "year", "is_active"]
    search_fields = ["name"]
    readonly_fields = IDENTITY_FIELDS
    warn_unsaved_form = True
    change = PROVINCIAL  # the window and the rules; IDENTITY_FIELDS stay read-only

    def get_fieldsets(self, request: HttpRequest, obj: ExamProject | None = None):
        fieldsets = [
            ("考试项目", {"fields": IDENTITY_FIELDS}),
            ("报名时间", {"fields": WINDOW_FIELDS}),
        ]
        if obj is None or obj.kind == ExamKind.TCM_EXPERTISE:
            fieldsets.append(("中医医术确有专长考核规则", {"fields": TCM_RULE_FIELDS}))
        return fieldsets
