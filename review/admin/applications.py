"""报名材料审核 (seed 003 §2.2–2.5): the list, the detail page, decisions and 材料上报.

Every query starts from `review.selectors.application_list`; every change calls a service.
"""

import functools

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST
from unfold.decorators import action, display
from unfold.utils import display_for_label

from core.access_log import Kind, access_record, file_label
from core.errors import CONFLICT_MESSAGE, ServiceError
from core.fast_list import choice_label, pk_url
from core.files import file_response
from core.paging import BoundedCountChangeList, BoundedCountMixin
from core.thumbnails import thumbnail_response
from exam.eligibility.outcomes import Outcome
from exam.files import find_file
from exam.models import Application, EligibilityResult, PaymentStatus, TierReview
from exam.models.applications import ReviewStatus
from people.access import has_perm_on, has_perm_somewhere, institutions_held, own_institution
from people.admin.imports import PlatformImportMixin
from people.admin.policy import PolicyAdmin
from people.permissions import Perm
from review import services, workflow
from review.admin import detail, sequence
from review.admin.badges import colours_by_label, label_display
from review.admin.exports import registry_export
from review.admin.filters import (
    REVIEW_LIST_COMMON_FILTERS,
    REVIEW_LIST_FILTERS,
    ScopeFilter,
    specialty_options,
)
from review.admin.image_viewer import rotation_post
from review.business import business_id
from review.duplicates import with_duplicate_mark
from review.eligibility import eligibility_override, eligibility_override_revoke
from review.exporters import ReviewListExporter
from review.list_selectors import application_is_revised
from review.models import ReviewApplication
from review.selectors import SCOPE_CHOICES, application_get, application_list, reference_matches
from review.snapshots import SNAPSHOT_FILE_KIND, snapshot_file

# unfold's badges look the colour up by the text shown: review.workflow's maps, by label.
STATUS_LABEL_COLOURS = colours_by_label(
    Application.Status.choices, workflow.APPLICATION_STATUS_COLOURS
)
REVIEW_LABEL_COLOURS = colours_by_label(ReviewStatus.choices, workflow.REVIEW_STATUS_COLOURS)
PAYMENT_LABEL_COLOURS = colours_by_label(PaymentStatus.choices, workflow.PAYMENT_STATUS_COLOURS)
ELIGIBILITY_LABEL_COLOURS = colours_by_label(Outcome.choices, workflow.ELIGIBILITY_COLOURS)
OVERRIDE_MARK = "人工认定"
REVISED_MARK = "已修改"


@functools.cache
def status_cell(label: str, revised: bool) -> SafeString:
    """The 提交状态 cell: unfold's badge, and 已修改 when the candidate resubmitted after
    允许修改 (the 修改内容 tab on the detail page says what)."""
    badge = display_for_label(label, "-", STATUS_LABEL_COLOURS)
    if not revised:
        return badge
    return format_html(
        '{}<span class="review-flag review-flag--revised" title="退回修改后已重新提交">{}</span>',
        badge,
        REVISED_MARK,
    )


@functools.cache
def eligibility_cell(outcome: str, overridden: bool) -> SafeString:
    """The 报考条件 cell: unfold's badge of the outcome, marked when a reviewer overrode the
    engine. Six possible cells, each rendered once per process."""
    badge = display_for_label(Outcome(outcome).label, "-", ELIGIBILITY_LABEL_COLOURS)
    if not overridden:
        return badge
    return format_html(
        '{}<span class="review-flag review-flag--override" title="系统判断已被人工认定替代">{}</span>',
        badge,
        OVERRIDE_MARK,
    )


class ReviewChangeList(BoundedCountChangeList):
    """Numbers the rows (序号) and fetches the page's 对比库 flags in one query."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        # page_num is 1-based (Django ≥ 4.1).
        offset = (self.page_num - 1) * self.list_per_page if not self.show_all else 0
        matches = reference_matches(id_numbers=[a.candidate.id_number for a in self.result_list])
        change_url = pk_url("admin:review_reviewapplication_change")
        # 查看 carries the list's filters and sort (上一条 / 下一条 walk the same list).
        preserved = self.model_admin.get_preserved_filters(request)
        suffix = f"?{preserved}" if preserved else ""
        for i, application in enumerate(self.result_list, start=1):
            application.row_number = offset + i
            application.change_url = change_url(application.pk) + suffix
            libraries = {r.library for r in matches.get(application.candidate.id_number, [])}
            # 违纪 first: the flags that need attention lead.
            application.flags = sorted(
                libraries, key=lambda lib: (not lib.needs_attention, lib.sort_order)
            )


@admin.register(ReviewApplication)
class ReviewApplicationAdmin(BoundedCountMixin, PlatformImportMixin, PolicyAdmin):
    list_display = [
        "row_number",
        "view_link",
        "status_badge",
        "submitted_time",
        "province_badge",
        "city_badge",
        "county_badge",
        "unit_badge",
        "payment_badge",
        "candidate_name",
        "id_type",
        "id_number",
        "level",
        "specialty",
        "entry_institution",
        "flag_badges",
        "eligibility_badge",
    ]
    list_display_links = None
    # eligibility: the stored 报考条件 in the rows' query (a LEFT JOIN on its unique key).
    list_select_related = ["candidate", "level", "specialty", "entry_institution", "eligibility"]
    list_filter = REVIEW_LIST_FILTERS
    list_filter_submit = True
    # The filter panel shows the guide's common filters; 高级搜索 reveals the rest.
    list_filter_common = REVIEW_LIST_COMMON_FILTERS
    # The specialties of every level, for the chained 类别(专业) select.
    list_before_template = "review/admin/review_list_before.html"
    # The rows rendered by core.fast_list (same HTML as unfold's, a fraction of the time).
    change_list_template = "core/change_list_fast.html"
    list_fullwidth = True
    list_per_page = 20
    list_max_show_all = 500
    show_full_result_count = False
    ordering = ["-submitted_at", "-id"]
    actions = ["report_selected"]
    actions_list = ["report_all"]
    # Export (the filtered list, xlsx: review.exporters.ReviewListExporter) and the 审核结果
    # import (the same file filled in): django-import-export through the platform mixin
    # (preview, all or nothing, ImportLog).
    import_help = (
        "离线审核：先在列表中筛选（如本级审核状态为“待审核”）并点击“导出”，在导出文件的"
        "“审核状态”列填写审核通过、暂不审核、允许修改或审核不通过，在“审核备注”列填写备注"
        "（允许修改和审核不通过必填），其他列不要修改，然后在这里导入。审核状态留空的行不处理。"
        "每一行都按在详情页点击审核的同样规则检查，并以您的名义记入审核进度；"
        "允许修改不会锁定分项，如需锁定请在详情页操作。"
    )

    # --- list columns ---------------------------------------------------------------------

    @display(description="序号")
    def row_number(self, obj: Application) -> int:
        return getattr(obj, "row_number", "")

    @display(description="操作")
    def view_link(self, obj: Application) -> str:
        url = getattr(obj, "change_url", None) or reverse(
            "admin:review_reviewapplication_change", args=[obj.pk]
        )
        return format_html('<a class="text-primary-600 font-medium" href="{}">查看</a>', url)

    @display(description="提交时间", ordering="submitted_at")
    def submitted_time(self, obj: Application) -> str:
        return (
            timezone.localtime(obj.submitted_at).strftime("%Y-%m-%d %H:%M")
            if obj.submitted_at
            else ""
        )

    @display(description="提交状态")
    def status_badge(self, obj: Application) -> SafeString:
        return status_cell(choice_label(obj, "status"), application_is_revised(obj))

    def _tier_badge(self, obj: Application, tier: str) -> str:
        return choice_label(obj, f"{tier}_review_status") or ""

    @label_display(description="省级审核状态", colours=REVIEW_LABEL_COLOURS)
    def province_badge(self, obj: Application) -> str:
        return self._tier_badge(obj, "province")

    @label_display(description="市州审核状态", colours=REVIEW_LABEL_COLOURS)
    def city_badge(self, obj: Application) -> str:
        return self._tier_badge(obj, "city")

    @label_display(description="区县审核状态", colours=REVIEW_LABEL_COLOURS)
    def county_badge(self, obj: Application) -> str:
        return self._tier_badge(obj, "county")

    @label_display(description="单位审核状态", colours=REVIEW_LABEL_COLOURS)
    def unit_badge(self, obj: Application) -> str:
        return self._tier_badge(obj, "unit")

    @label_display(description="缴费状态", colours=PAYMENT_LABEL_COLOURS)
    def payment_badge(self, obj: Application) -> str:
        return choice_label(obj, "payment_status")

    @display(description="姓名", ordering="candidate__name")
    def candidate_name(self, obj: Application) -> str:
        return obj.candidate.name

    @display(description="证件类型")
    def id_type(self, obj: Application) -> str:
        return choice_label(obj.candidate, "id_type")

    @display(description="证件号码")
    def id_number(self, obj: Application) -> str:
        return obj.candidate.id_number

    @display(description="对比库")
    def flag_badges(self, obj: Application) -> str:
        flags = getattr(obj, "flags", [])
        if not flags:  # most rows: what format_html_join gives for nothing
            return SafeString("")
        return format_html_join(
            "",
            '<span class="review-flag{}">{}</span>',
            (
                (" review-flag--attention" if lib.needs_attention else "", lib.flag_label)
                for lib in flags
            ),
        )

    @display(description="报考条件")
    def eligibility_badge(self, obj: Application) -> SafeString:
        try:
            result = obj.eligibility
        except EligibilityResult.DoesNotExist:
            return SafeString("")  # not evaluated yet: blank, as 对比库 without a match
        return eligibility_cell(result.outcome, bool(result.override_outcome))

    class Media:
        js = ["review/review-filters.js"]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        advanced = [f.parameter_name for f in REVIEW_LIST_FILTERS[REVIEW_LIST_COMMON_FILTERS:]]
        extra_context = {
            **(extra_context or {}),
            "specialty_options": specialty_options(),
            "advanced_filters_open": any(request.GET.get(name) for name in advanced),
        }
        return super().changelist_view(request, extra_context)

    # --- access ---------------------------------------------------------------------------

    view = Perm.REVIEW

    def get_changelist(self, request: HttpRequest, **kwargs):
        return ReviewChangeList

    def get_queryset(self, request: HttpRequest):
        scope = request.GET.get(ScopeFilter.parameter_name) or SCOPE_CHOICES[0][0]
        if scope not in dict(SCOPE_CHOICES):
            scope = SCOPE_CHOICES[0][0]
        return application_list(
            user=request.user,
            business=business_id(request),
            permission=Perm.REVIEW,
            scope=scope,
            held=institutions_held(request, Perm.REVIEW),
        )

    def has_report_permission(self, request: HttpRequest) -> bool:
        institution = own_institution(request)
        return (
            institution is not None
            and institution.parent_id is not None
            and has_perm_on(request, Perm.REPORT, institution)
        )

    def has_export_permission(self, request: HttpRequest) -> bool:
        return has_perm_somewhere(request, Perm.EXPORT)

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if not self.has_report_permission(request):
            actions.pop("report_selected", None)
        return actions

    # --- export and the 审核结果 import -------------------------------------------------------

    def get_template_links(self, request: HttpRequest) -> list[tuple[str, str]]:
        links = super().get_template_links(request)
        if self.has_export_permission(request):
            pending = reverse("admin:review_reviewapplication_export") + "?review_status=pending"
            links.insert(0, ("导出本级待审核名单", pending))
        return links

    def export_action(self, request: HttpRequest) -> HttpResponse:
        """The filtered list (in the user's 导出 scope) as xlsx, streamed by the registry's
        exporter: a few queries and flat memory however many rows; over
        settings.JOB_THRESHOLD_ROWS rows a background job (我的任务) instead."""
        return registry_export(
            request,
            identifier=ReviewListExporter.identifier,
            back_url=reverse("admin:review_reviewapplication_changelist"),
        )

    # --- 材料上报 --------------------------------------------------------------------------

    @action(description="材料上报", icon="upload", permissions=["report"], url_path="report")
    def report_all(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:review_reviewapplication_report"))

    @admin.action(description="上报所选申报")
    def report_selected(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if not self.has_report_permission(request):
            raise PermissionDenied
        ids = list(queryset.values_list("pk", flat=True))
        institution = own_institution(request)
        try:
            count = services.institution_report(
                actor=request.user,
                institution=institution,
                business=business_id(request),
                application_ids=ids,
            )
        except ServiceError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None
        self.message_user(
            request, f"已上报 {count} 条申报至{institution.parent.name}。", messages.SUCCESS
        )
        return None

    def report_view(self, request: HttpRequest) -> HttpResponse:
        """The 材料上报 dialog: how many go up, how many are still pending; POST confirms."""
        if not self.has_report_permission(request):
            raise PermissionDenied
        institution = own_institution(request)
        if request.method == "POST":
            try:
                count = services.institution_report(
                    actor=request.user, institution=institution, business=business_id(request)
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"已上报 {count} 条申报至{institution.parent.name}。")
            return HttpResponseRedirect(reverse("admin:review_reviewapplication_changelist"))
        summary = services.institution_report_preview(
            actor=request.user, institution=institution, business=business_id(request)
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "材料上报",
            "institution": institution,
            "summary": summary,
        }
        return TemplateResponse(request, "review/admin/report_confirm.html", context)

    # --- detail and decisions -------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("report/confirm/", wrap(self.report_view), name="review_reviewapplication_report"),
            path(
                "sequence/auto-next/",
                wrap(require_POST(sequence.auto_next_view)),
                name="review_reviewapplication_auto_next",
            ),
            path(
                "<int:pk>/decide/",
                wrap(require_POST(self.decide_view)),
                name="review_reviewapplication_decide",
            ),
            path(
                "<int:pk>/reopen/",
                wrap(require_POST(self.reopen_view)),
                name="review_reviewapplication_reopen",
            ),
            path(
                "<int:pk>/onsite/",
                wrap(require_POST(self.onsite_view)),
                name="review_reviewapplication_onsite",
            ),
            path(
                "<int:pk>/eligibility/",
                wrap(require_POST(self.eligibility_view)),
                name="review_reviewapplication_eligibility",
            ),
            path(
                "<int:pk>/eligibility/revoke/",
                wrap(require_POST(self.eligibility_revoke_view)),
                name="review_reviewapplication_eligibility_revoke",
            ),
            path(
                "<int:pk>/files/<str:kind>/<int:obj_id>/",
                wrap(self.file_view),
                name="review_reviewapplication_file",
            ),
            path(
                "<int:pk>/files/<str:kind>/<int:obj_id>/rotate/",
                wrap(require_POST(self.file_rotate_view)),
                name="review_reviewapplication_file_rotate",
            ),
            *super().get_urls(),
        ]

    def _visible(self, request: HttpRequest, pk: int, *, related: tuple[str, ...] = ()):
        try:
            if related:  # the detail page: what it shows comes with the scoped query
                scoped = application_list(user=request.user, business=None, permission=Perm.REVIEW)
                return with_duplicate_mark(scoped.select_related(*related)).get(pk=pk)
            return application_get(user=request.user, pk=pk, permission=Perm.REVIEW)
        except Application.DoesNotExist as exc:
            raise Http404("没有找到该申报，或您无权查看。") from exc

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404
        application = self._visible(request, int(object_id), related=detail.DETAIL_RELATED)
        access_record(
            request,
            kind=Kind.DETAIL,
            application_id=application.pk,
            candidate_id=application.candidate_id,
        )
        context = {
            **self.admin_site.each_context(request),
            **detail.build_context(request, application),
            "opts": self.opts,
            "title": f"材料审核：{application.candidate.name}",
        }
        return TemplateResponse(request, "review/admin/application_detail.html", context)

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        # Django's own history reads LogEntry, which this app does not write; 审核进度 is
        # the review log, shown on the detail page.
        if not str(object_id).isdigit():
            raise Http404
        self._visible(request, int(object_id))
        return HttpResponseRedirect(
            reverse("admin:review_reviewapplication_change", args=[object_id]) + "#progress"
        )

    def _back(self, request: HttpRequest, pk: int) -> HttpResponseRedirect:
        return sequence.stay(request, pk)  # the detail page, the list's filters kept

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self._visible(request, pk)
        review = get_object_or_404(
            TierReview, application=application, tier=application.current_tier
        )
        seen = request.POST.get("seen_status", "")
        if seen and seen != review.status:
            messages.error(request, CONFLICT_MESSAGE)
            return self._back(request, pk)
        decision = request.POST.get("decision", "")
        locked = request.POST.getlist("locked_sections") if decision == "return" else None
        try:
            services.tier_review_decide(
                actor=request.user,
                tier_review=review,
                decision=decision,
                remark=request.POST.get("remark", ""),
                locked_sections=locked,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self._back(request, pk)
        messages.success(request, f"已提交审核：{review.get_status_display()}。")
        # 审核后自动打开下一条 (the reviewer's setting) or back here, the list's filters kept.
        return sequence.after_decision(request, pk)

    def reopen_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self._visible(request, pk)
        review = get_object_or_404(
            TierReview, application=application, tier=application.current_tier
        )
        try:
            services.tier_review_reopen(
                actor=request.user, tier_review=review, remark=request.POST.get("remark", "")
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已撤销审核通过，状态恢复为待审核。")
        return self._back(request, pk)

    def onsite_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        application = self._visible(request, pk)
        try:
            services.application_confirm_onsite(
                actor=request.user, application=application, remark=request.POST.get("remark", "")
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已记录现场确认。")
        return self._back(request, pk)

    def eligibility_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """人工认定报考条件: the service decides who may and checks the remark."""
        application = self._visible(request, pk)
        try:
            result = eligibility_override(
                actor=request.user,
                application=application,
                outcome=request.POST.get("outcome", ""),
                remark=request.POST.get("remark", ""),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已人工认定报考条件为“{result.get_outcome_display()}”。")
        return self._back(request, pk)

    def eligibility_revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """撤销人工认定: the engine's result counts again (the service decides who may)."""
        application = self._visible(request, pk)
        try:
            result = eligibility_override_revoke(actor=request.user, application=application)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            label = result.get_outcome_display()
            messages.success(request, f"已撤销人工认定，报考条件恢复为系统判断“{label}”。")
        return self._back(request, pk)

    def file_view(self, request: HttpRequest, pk: int, kind: str, obj_id: int) -> HttpResponse:
        """Attachments are personal data: streamed only to users who may see the application.
        `?thumb=1`: the file's thumbnail (core.thumbnails), as private as the file."""
        application = self._visible(request, pk)
        if kind == SNAPSHOT_FILE_KIND:  # 修改内容: a file as it was when returned
            file_field = snapshot_file(application, obj_id, request.GET.get("f", ""))
        else:
            file_field = find_file(application, kind, obj_id)
        if not file_field:
            raise Http404("文件不存在。")
        thumb = request.GET.get("thumb") == "1"
        access_record(
            request,
            kind=Kind.FILE,
            application_id=application.pk,
            candidate_id=application.candidate_id,
            what=file_label(file_field, f"{kind} #{obj_id}"),
            data={"file": file_field.name, "thumb": thumb or None},
        )
        if thumb:
            return thumbnail_response(file_field)
        return file_response(file_field, as_attachment=request.GET.get("download") == "1")

    def file_rotate_view(self, request: HttpRequest, pk: int, kind: str, obj_id: int):
        """The image viewer saves a reviewer's rotation of the file (JSON)."""
        application = self._visible(request, pk)
        return rotation_post(request, application=application, kind=kind, obj_id=obj_id)
