"""审核人员: reviewer accounts of the institutions a manager (管理) looks after.

The list covers the manager's subtrees only; the five permissions of each account are
annotated in the same query. Creating an account, 停用/启用, 重置密码 and 设置权限 are form
pages that call the services in people/services.py, which check the scope again, write in
one transaction and write the audit log. Nothing here edits a User or a permission row directly.
"""

from datetime import datetime
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.timezone import localtime
from unfold.decorators import action, display

from core.errors import ServiceError
from people.access import can_manage
from people.admin.forms import AccountCreateForm, AccountPermsForm, ConfirmForm, PasswordResetForm
from people.admin.imports import PlatformImportMixin
from people.admin.policy import PolicyAdmin
from people.imports import ReviewerAccountResource
from people.models import ReviewerMembership
from people.permissions import Perm
from people.selectors import (
    group_perms_on,
    managed_institutions,
    perms_of,
    reviewer_accounts,
    user_perms_on,
    with_perm_flags,
)
from people.services import (
    ACTIVE_LABELS,
    account_label,
    institution_perms_set,
    perm_labels,
    reviewer_account_create,
    reviewer_account_set_active,
    reviewer_password_reset,
)

FORM_TEMPLATE = "people/admin/accounts/form.html"
ACCOUNT_ACTIONS = ["edit_perms", "reset_password", "toggle_active"]


def _when(moment: datetime | None) -> str:
    return date_format(localtime(moment), "Y-m-d H:i") if moment else ""


class ActiveFilter(admin.SimpleListFilter):
    title = "启用"
    parameter_name = "active"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "启用"), ("0", "停用")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("0", "1"):
            return queryset.filter(user__is_active=self.value() == "1")
        return queryset


@admin.register(ReviewerMembership)
class ReviewerAccountAdmin(PlatformImportMixin, PolicyAdmin):
    # Every change goes through the form pages below (change stays NOBODY); accounts are
    # deactivated, never deleted (the log refers to them).
    view = add = Perm.MANAGE
    list_display = [
        "account",
        "full_name",
        "institution_name",
        "active",
        "perm_list",
        "last_login",
    ]
    list_filter = [ActiveFilter, "institution__tier"]
    search_fields = ["user__username", "user__first_name", "institution__name"]
    ordering = ["institution__path", "user__username"]
    show_full_result_count = False
    actions = ["deactivate_selected", "activate_selected"]
    actions_row = ACCOUNT_ACTIONS
    actions_detail = ACCOUNT_ACTIONS
    fields = [
        "account",
        "full_name",
        "institution_name",
        "active",
        "perm_list",
        "own_perm_list",
        "last_login",
        "date_joined",
    ]
    readonly_fields = fields
    resource_classes = [ReviewerAccountResource]
    import_help = (
        "批量创建审核账号：只能导入到您管理的机构（本机构及其下级机构）。已存在的账号按“账号”匹配，"
        "更新姓名和单独授予的权限；初始密码只用于新账号，不会保存到导入日志。"
    )

    # --- scope and permissions ---------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewerMembership]:
        return with_perm_flags(reviewer_accounts(request.user))

    def has_manage_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_manage(request)

    def _get_account(self, request: HttpRequest, object_id: str) -> ReviewerMembership:
        """The account if it lies in the user's subtrees; 404 otherwise (no hint that it
        exists)."""
        try:
            return self.get_queryset(request).get(pk=int(object_id))
        except (ValueError, ReviewerMembership.DoesNotExist) as exc:
            raise Http404("没有找到该审核人员账号。") from exc

    # --- columns -------------------------------------------------------------------------

    @display(description="账号", ordering="user__username")
    def account(self, obj: ReviewerMembership) -> str:
        return obj.user.get_username()

    @display(description="姓名", ordering="user__first_name")
    def full_name(self, obj: ReviewerMembership) -> str:
        return obj.user.first_name or "—"

    @display(description="所属机构", ordering="institution__path")
    def institution_name(self, obj: ReviewerMembership) -> str:
        return obj.institution.name

    @display(description="启用", boolean=True, ordering="user__is_active")
    def active(self, obj: ReviewerMembership) -> bool:
        return obj.user.is_active

    @display(description="权限")
    def perm_list(self, obj: ReviewerMembership) -> str:
        return perm_labels(perms_of(obj))

    @display(description="单独授予的权限")
    def own_perm_list(self, obj: ReviewerMembership) -> str:
        return perm_labels(user_perms_on(obj.user, obj.institution))

    @display(description="最后登录", ordering="user__last_login")
    def last_login(self, obj: ReviewerMembership) -> str:
        return _when(obj.user.last_login) or "从未登录"

    @display(description="创建时间", ordering="user__date_joined")
    def date_joined(self, obj: ReviewerMembership) -> str:
        return _when(obj.user.date_joined)

    # --- form pages ----------------------------------------------------------------------

    @staticmethod
    def _data(request: HttpRequest):
        """Bind forms on POST, even an empty one (the confirmation page posts no field)."""
        return request.POST if request.method == "POST" else None

    @staticmethod
    def _facts(membership: ReviewerMembership) -> list[tuple[str, str]]:
        user, institution = membership.user, membership.institution
        return [
            ("账号", user.get_username()),
            ("姓名", user.first_name or "—"),
            ("所属机构", f"{institution.name}（{institution.get_tier_display()}）"),
            ("状态", ACTIVE_LABELS[user.is_active]),
        ]

    def _changelist_url(self) -> str:
        return reverse("admin:people_reviewermembership_changelist")

    def _change_url(self, membership: ReviewerMembership) -> str:
        return reverse("admin:people_reviewermembership_change", args=[membership.pk])

    def _render(
        self,
        request: HttpRequest,
        *,
        form,
        title: str,
        submit_label: str,
        membership: ReviewerMembership | None = None,
        intro: str = "",
        submit_variant: str = "primary",
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "membership": membership,
            "original": membership,  # the header's breadcrumbs end at the account
            "account_facts": self._facts(membership) if membership else [],
            "intro": intro,
            "submit_label": submit_label,
            "submit_variant": submit_variant,
            "cancel_url": self._change_url(membership) if membership else self._changelist_url(),
        }
        return TemplateResponse(request, FORM_TEMPLATE, context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        """创建审核账号: in an institution of the user's subtrees."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        institutions = managed_institutions(request.user).filter(is_active=True).order_by("path")
        form = AccountCreateForm(self._data(request), institutions=institutions)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                user = reviewer_account_create(
                    actor=request.user,
                    institution=data["institution"],
                    username=data["username"],
                    full_name=data["full_name"],
                    password=data["password1"],
                    perms=data["perms"],
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"已创建审核账号 {account_label(user)}。")
                return HttpResponseRedirect(self._change_url(user.reviewer_membership))
        return self._render(request, form=form, title="创建审核账号", submit_label="创建账号")

    @action(description="设置权限", url_path="perms", icon="key", permissions=["manage"])
    def edit_perms(self, request: HttpRequest, object_id: str) -> HttpResponse:
        membership = self._get_account(request, object_id)
        user, institution = membership.user, membership.institution
        group_perms = group_perms_on(user, institution)
        form = AccountPermsForm(
            self._data(request),
            group_perms=group_perms,
            initial={"perms": [perm.value for perm in user_perms_on(user, institution)]},
        )
        if request.method == "POST" and form.is_valid():
            try:
                granted, revoked = institution_perms_set(
                    actor=request.user,
                    institution=institution,
                    user=user,
                    perms=form.cleaned_data["perms"],
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                if granted or revoked:
                    messages.success(request, f"已保存账号 {account_label(user)} 的权限。")
                else:
                    messages.info(request, "权限没有变化。")
                return HttpResponseRedirect(self._change_url(membership))
        return self._render(
            request,
            form=form,
            title=f"设置权限：{account_label(user)}",
            submit_label="保存权限",
            membership=membership,
            intro=f"权限对“{institution.name}”有效。审核人员组已具有：{perm_labels(group_perms)}。",
        )

    @action(description="重置密码", url_path="password", icon="lock_reset", permissions=["manage"])
    def reset_password(self, request: HttpRequest, object_id: str) -> HttpResponse:
        membership = self._get_account(request, object_id)
        user = membership.user
        form = PasswordResetForm(self._data(request))
        if request.method == "POST" and form.is_valid():
            try:
                reviewer_password_reset(
                    actor=request.user, user=user, password=form.cleaned_data["password1"]
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                if user.pk == request.user.pk:
                    user.refresh_from_db()
                    update_session_auth_hash(request, user)
                messages.success(request, f"已重置账号 {account_label(user)} 的密码。")
                return HttpResponseRedirect(self._change_url(membership))
        return self._render(
            request,
            form=form,
            title=f"重置密码：{account_label(user)}",
            submit_label="重置密码",
            membership=membership,
            intro="请将新密码当面或通过安全渠道告知本人，并提醒其登录后尽快修改。",
        )

    @action(description="启用/停用", url_path="active", icon="toggle_on", permissions=["manage"])
    def toggle_active(self, request: HttpRequest, object_id: str) -> HttpResponse:
        membership = self._get_account(request, object_id)
        user = membership.user
        target = not user.is_active
        form = ConfirmForm(self._data(request))
        if request.method == "POST" and form.is_valid():
            try:
                reviewer_account_set_active(actor=request.user, user=user, active=target)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"已{ACTIVE_LABELS[target]}账号 {account_label(user)}。")
                return HttpResponseRedirect(self._change_url(membership))
        intro = (
            "启用后该账号可以重新登录。"
            if target
            else "停用后该账号不能登录，已登录的会话随即失效；账号及其审核记录保留，可随时重新启用。"
        )
        return self._render(
            request,
            form=form,
            title=f"{ACTIVE_LABELS[target]}账号：{account_label(user)}",
            submit_label=f"确认{ACTIVE_LABELS[target]}",
            submit_variant="primary" if target else "danger",
            membership=membership,
            intro=intro,
        )

    # --- bulk actions --------------------------------------------------------------------

    @action(description="停用所选账号", permissions=["manage"])
    def deactivate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active_bulk(request, queryset, active=False)

    @action(description="启用所选账号", permissions=["manage"])
    def activate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_active_bulk(request, queryset, active=True)

    def _set_active_bulk(self, request: HttpRequest, queryset: QuerySet, *, active: bool) -> None:
        """All or nothing: one refused account (e.g. one's own) leaves every account as it was."""
        label = ACTIVE_LABELS[active]
        users = [m.user for m in queryset if m.user.is_active != active]
        if not users:
            messages.warning(request, f"所选账号均已是{label}状态。")
            return
        try:
            with transaction.atomic():
                for user in users:
                    reviewer_account_set_active(actor=request.user, user=user, active=active)
        except ServiceError as exc:
            messages.error(request, f"{exc.message}所选账号均未修改。")
            return
        messages.success(request, f"已{label} {len(users)} 个账号。")
