"""机构: the institutions a manager (管理) looks after, i.e. the subtrees where they hold 管理.

Read-only on purpose: provincial staff import the tree from Excel (new institutions through
`institution_create`, with their reviewer group). Never a GuardedModelAdmin: object
permissions are granted only through the account screens."""

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from unfold.decorators import display

from people.admin.imports import PlatformImportMixin
from people.admin.policy import PolicyAdmin
from people.imports import InstitutionResource
from people.models import Institution
from people.permissions import Perm
from people.selectors import managed_institutions


@admin.register(Institution)
class InstitutionAdmin(PlatformImportMixin, PolicyAdmin):
    view = Perm.MANAGE
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
    resource_classes = [InstitutionResource]
    import_help = (
        "按机构编码匹配：已有的机构更新名称、行政区划和统一社会信用代码，没有的新增（同时建立其审核人员组"
        "和默认权限）。上级机构可以是系统中已有的机构或本文件中的另一行。仅省级管理员可导入。"
    )

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
