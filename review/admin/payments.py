"""缴费状态 (provincial staff): the applications the province sees, by payment status, with
导入 (review.imports.payments: every row through `application_set_payment`) and 导出 (the
same columns, so an exported list can be edited and imported back)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from unfold.decorators import display

from core.list_filters import DropdownFilter
from exam.models import Application, ExamProject
from people.access import is_provincial_staff
from people.admin.imports import PlatformImportMixin
from people.admin.policy import PROVINCIAL, PolicyAdmin
from people.permissions import Perm
from review.admin.applications import PAYMENT_LABEL_COLOURS, STATUS_LABEL_COLOURS
from review.admin.badges import label_display
from review.admin.filters import IdNumberFilter, NameFilter, PaymentFilter, StatusFilter
from review.business import business_id
from review.imports.payments import PaymentResource
from review.models import PaymentApplication
from review.selectors import SCOPE_SUBTREE, application_list


class ProjectFilter(DropdownFilter):
    title = "考试项目"
    parameter_name = "project"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(str(p.pk), p.name) for p in ExamProject.objects.all()]

    def queryset(self, request: HttpRequest, queryset):
        value = self.value()
        return queryset.filter(project_id=int(value)) if value and value.isdigit() else queryset


@admin.register(PaymentApplication)
class PaymentApplicationAdmin(PlatformImportMixin, PolicyAdmin):
    list_display = [
        "candidate_name",
        "id_type",
        "id_number",
        "project",
        "status_badge",
        "payment_badge",
    ]
    list_display_links = None
    list_select_related = ["candidate", "project"]
    list_filter = [ProjectFilter, PaymentFilter, StatusFilter, NameFilter, IdNumberFilter]
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    ordering = ["-id"]
    resource_classes = [PaymentResource]
    import_help = (
        "每行一名考生在一个考试项目中的缴费状态：填写证件号码、考试项目和缴费状态（已缴费或已退费）。"
        "待缴费只能改为已缴费，已缴费才能改为已退费；已是该状态的行显示为“未变化”，可以重复导入。"
        "只能导入已上报至省级的申报。"
    )

    # --- columns ------------------------------------------------------------------------

    @display(description="姓名", ordering="candidate__name")
    def candidate_name(self, obj: Application) -> str:
        return obj.candidate.name

    @display(description="证件类型")
    def id_type(self, obj: Application) -> str:
        return obj.candidate.get_id_type_display()

    @display(description="证件号码")
    def id_number(self, obj: Application) -> str:
        return obj.candidate.id_number

    @label_display(description="提交状态", colours=STATUS_LABEL_COLOURS)
    def status_badge(self, obj: Application) -> str:
        return obj.get_status_display()

    @label_display(description="缴费状态", colours=PAYMENT_LABEL_COLOURS)
    def payment_badge(self, obj: Application) -> str:
        return obj.get_payment_status_display()

    # --- access: provincial staff, applications through the selector ---------------------------

    view = PROVINCIAL

    def get_queryset(self, request: HttpRequest):
        return application_list(
            user=request.user,
            business=business_id(request),
            permission=Perm.MANAGE,
            scope=SCOPE_SUBTREE,
        )

    def get_export_queryset(self, request: HttpRequest):
        return super().get_export_queryset(request).select_related("candidate", "project")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return is_provincial_staff(request)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        # The application's page is the review detail page (which checks its own scope).
        return HttpResponseRedirect(
            reverse("admin:review_reviewapplication_change", args=[object_id])
        )
