"""审核日志: the review log, read-only, scoped to what the user may see."""

from django.contrib import admin
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from unfold.contrib.filters.admin import DropdownFilter

from people.access import own_institution
from people.admin.policy import PolicyAdmin
from people.permissions import Perm
from review.business import business_id
from review.models import ReviewLog
from review.selectors import application_list
from review.workflow import LOG_LABELS, log_action_label, log_state_label


class ActionFilter(DropdownFilter):
    """操作, with the Chinese labels of the namespaced action codes."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return sorted(LOG_LABELS.items(), key=lambda item: item[0])

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(ReviewLog)
class ReviewLogAdmin(PolicyAdmin):
    """Append-only: no add, change or delete permission, so the row's page is a read-only
    detail (a POST to it is refused). Its fields are display methods with the Chinese labels
    and local time, not the stored codes."""

    list_display = ["created_at", "action_label", "application", "institution", "actor", "remark"]
    fields = [
        "local_time",
        "action_label",
        "tier",
        "institution",
        "actor",
        "application",
        "from_state_label",
        "to_state_label",
        "remark",
    ]
    readonly_fields = fields
    list_select_related = ["application__candidate", "application__project", "institution", "actor"]
    list_filter = ["tier", ActionFilter]
    search_fields = ["application__candidate__name", "application__candidate__id_number"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    view = Perm.REVIEW

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj: ReviewLog) -> str:
        return log_action_label(obj.action)

    @admin.display(description="时间")
    def local_time(self, obj: ReviewLog) -> str:
        return f"{timezone.localtime(obj.created_at):%Y-%m-%d %H:%M:%S}"

    @admin.display(description="原状态")
    def from_state_label(self, obj: ReviewLog) -> str:
        return log_state_label(obj.action, obj.from_state)

    @admin.display(description="新状态")
    def to_state_label(self, obj: ReviewLog) -> str:
        return log_state_label(obj.action, obj.to_state)

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = application_list(
            user=request.user, business=business_id(request), permission=Perm.REVIEW
        ).values("pk")
        condition = Q(application__in=visible)
        institution = own_institution(request)
        if institution is not None:
            condition |= Q(application__isnull=True, institution=institution)
        return queryset.filter(condition)
