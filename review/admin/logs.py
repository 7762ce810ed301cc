"""审核日志: the audit log (core.AuditLogEntry), read-only, scoped to what the user may see."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import smart_split, unescape_string_literal

from core.audit import log_action_label, log_state_label, registered_actions
from core.jobs.models import Job
from core.list_filters import DropdownFilter
from core.models import AuditLogEntry
from exam.models import Application
from people.access import own_institution
from people.admin.policy import PolicyAdmin
from people.models import Institution, ReviewerMembership
from people.permissions import Perm
from people.tiers import Tier
from review.business import business_id
from review.selectors import application_list, with_institution_names


def _unquoted(bit: str) -> str:
    """A quoted phrase searches as one term (Django's admin search does the same)."""
    if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
        return unescape_string_literal(bit)
    return bit


class ActionFilter(DropdownFilter):
    """操作, with the Chinese labels of the namespaced action codes."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return sorted(registered_actions().items(), key=lambda item: item[0])

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class TierFilter(admin.SimpleListFilter):
    """层级: the tier whose work the row records (the payload's tier)."""

    title = "层级"
    parameter_name = "tier"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return list(Tier.choices)

    def queryset(self, request: HttpRequest, queryset):
        return queryset.filter(data__tier=self.value()) if self.value() else queryset


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(PolicyAdmin):
    """Append-only: no add, change or delete permission, so the row's page is a read-only
    detail (a POST to it is refused). Its fields are display methods with the Chinese labels
    and local time, not the stored codes."""

    list_display = [
        "created_at",
        "action_label",
        "application",
        "institution",
        "actor",
        "remark_text",
    ]
    fields = [
        "local_time",
        "action_label",
        "tier_label",
        "institution",
        "actor",
        "application",
        "from_state_label",
        "to_state_label",
        "remark_text",
    ]
    readonly_fields = fields
    list_select_related = ["actor"]
    list_filter = [TierFilter, ActionFilter]
    # Searched by get_search_results (the candidate of the row's application); listed so the
    # admin shows the search box.
    search_fields = ["candidate__name", "candidate__id_number"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    view = Perm.REVIEW

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj: AuditLogEntry) -> str:
        return log_action_label(obj.action)

    @admin.display(description="时间")
    def local_time(self, obj: AuditLogEntry) -> str:
        return f"{timezone.localtime(obj.created_at):%Y-%m-%d %H:%M:%S}"

    @admin.display(description="层级")
    def tier_label(self, obj: AuditLogEntry) -> str:
        return Tier(obj.tier).label if obj.tier in Tier.values else obj.tier

    @admin.display(description="申报")
    def application(self, obj: AuditLogEntry) -> Application | None:
        return obj.subject if isinstance(obj.subject, Application) else None

    @admin.display(description="机构")
    def institution(self, obj: AuditLogEntry) -> str | None:
        return obj.institution_name  # type: ignore[attr-defined]  (get_queryset's)

    @admin.display(description="备注")
    def remark_text(self, obj: AuditLogEntry) -> str:
        return obj.remark

    @admin.display(description="原状态")
    def from_state_label(self, obj: AuditLogEntry) -> str:
        return log_state_label(obj.action, obj.from_state)

    @admin.display(description="新状态")
    def to_state_label(self, obj: AuditLogEntry) -> str:
        return log_state_label(obj.action, obj.to_state)

    def get_queryset(self, request: HttpRequest):
        # The subjects in two queries for the page (GenericPrefetch), the institutions' names
        # in the page's own query.
        queryset = with_institution_names(super().get_queryset(request)).prefetch_related(
            GenericPrefetch(
                "subject",
                [
                    Application.objects.select_related("candidate", "project"),
                    Institution.objects.all(),
                    Job.objects.all(),
                ],
            )
        )
        if request.user.is_superuser:
            return queryset
        application_type = ContentType.objects.get_for_model(Application)
        visible = application_list(
            user=request.user, business=business_id(request), permission=Perm.REVIEW
        ).values("pk")
        condition = Q(content_type=application_type, object_id__in=visible)
        institution = own_institution(request)
        if institution is not None:
            # Rows with no application are about the institution itself (accounts, 确认码).
            condition |= Q(
                content_type=ContentType.objects.get_for_model(Institution),
                object_id=institution.pk,
            )
            # A job's rows (中断, 重新开始) belong to its owner's institution.
            colleagues = ReviewerMembership.objects.filter(institution=institution)
            condition |= Q(
                content_type=ContentType.objects.get_for_model(Job),
                object_id__in=Job.objects.filter(owner_id__in=colleagues.values("user_id")).values(
                    "pk"
                ),
            )
        return queryset.filter(condition)

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """姓名 or 证件号码 of the candidate whose application the row is about; each word must
        match one of them, as the admin's own search does."""
        applications = Application.objects.all()
        terms = [_unquoted(bit) for bit in smart_split(search_term)]
        for term in terms:
            applications = applications.filter(
                Q(candidate__name__icontains=term) | Q(candidate__id_number__icontains=term)
            )
        if not terms:
            return queryset, False
        return queryset.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id__in=applications.values("pk"),
        ), False
