"""机构: the institutions a manager (管理) looks after, i.e. the subtrees where they hold 管理.

Read-only on purpose: institutions come from the import (a later issue). Never a
GuardedModelAdmin: object permissions are granted only through the account screens."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin
from unfold.decorators import display

from people.models import Institution
from people.selectors import managed_institutions
from review.admin.access import can_manage


@admin.register(Institution)
class InstitutionAdmin(ModelAdmin):
    list_display = [
        "name",
        "tier",
        "parent_name",
        "division_name",
        "reviewer_count",
        "is_active",
    ]
    list_select_related = ["parent", "division"]
    list_filter = ["tier", "is_active"]
    search_fields = ["name", "code"]
    ordering = ["path"]
    show_full_result_count = False
    fields = [
        "code",
        "name",
        "tier",
        "parent_name",
        "division_name",
        "credit_code",
        "reviewer_count",
        "is_active",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Institution]:
        # One query: an OR of path prefixes, with the member count annotated.
        return (
            managed_institutions(request.user)
            .select_related("parent", "division")
            .annotate(member_count=Count("members"))
        )

    @display(description="上级机构", ordering="parent__path")
    def parent_name(self, obj: Institution) -> str:
        return obj.parent.name if obj.parent_id else "—"

    @display(description="行政区划", ordering="division__code")
    def division_name(self, obj: Institution) -> str:
        return str(obj.division) if obj.division_id else "—"

    @display(description="审核人员数", ordering="member_count")
    def reviewer_count(self, obj: Institution) -> str:
        url = reverse("admin:people_reviewermembership_changelist")
        return format_html(
            '<a class="text-primary-600 dark:text-primary-500" href="{}?institution__id__exact={}">'
            "{}</a>",
            url,
            obj.pk,
            obj.member_count,
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
