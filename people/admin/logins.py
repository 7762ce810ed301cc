"""登录安全: django-axes' records in the unfold admin, for the superuser only: 登录失败记录
(the failures it counts, with 解除锁定) and 登录记录 (successful logins). axes' own plain
admin is switched off (AXES_ENABLE_ADMIN = False)."""

import datetime
import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import IntegerField, Max, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from core.errors import ServiceError
from people.admin.policy import SUPERUSER, AccessPolicyMixin
from people.services import login_lock_release


def is_superuser(request: HttpRequest) -> bool:
    """Sidebar permission callback of the 登录安全 items."""
    return request.user.is_active and request.user.is_superuser


def login_page(path: str) -> str:
    if path.startswith(reverse("admin:index")):
        return "管理后台"
    if path.startswith(reverse("account:login")):
        return "考生登录"
    return path


class _ReadOnly(AccessPolicyMixin):
    """Records written by axes alone: viewed by the superuser, never added or edited here."""

    view = SUPERUSER

    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    list_per_page = 50

    @display(description="账号")
    def account(self, obj) -> str:
        return obj.username or "—"

    @display(description="登录页面")
    def page(self, obj) -> str:
        return login_page(obj.path_info)

    @display(description="IP地址")
    def address(self, obj) -> str:
        return obj.ip_address or "—"

    @display(description="浏览器")
    def browser(self, obj) -> str:
        return obj.user_agent


@admin.register(AccessAttempt)
class LoginFailureAdmin(_ReadOnly, ModelAdmin):
    list_display = ["account", "page", "address", "failures", "last_failure", "state"]
    fields = ["account", "page", "address", "browser", "failures", "last_failure", "state"]
    readonly_fields = fields
    actions = ["unlock"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccessAttempt]:
        # The lock is per account: its failures over every address and browser still counted.
        counted = AccessAttempt.objects.filter(
            username=OuterRef("username"), attempt_time__gte=timezone.now() - self._cool_off()
        ).values("username")
        return (
            super()
            .get_queryset(request)
            .annotate(
                account_failures=Coalesce(
                    Subquery(counted.annotate(n=Sum("failures_since_start")).values("n")),
                    0,
                    output_field=IntegerField(),
                ),
                account_latest=Subquery(counted.annotate(at=Max("attempt_time")).values("at")),
            )
        )

    @staticmethod
    def _cool_off() -> datetime.timedelta:
        return get_cool_off()

    @display(description="失败次数")
    def failures(self, obj: AccessAttempt) -> int:
        return obj.failures_since_start

    @display(description="最近一次失败")
    def last_failure(self, obj: AccessAttempt) -> datetime.datetime:
        return obj.attempt_time

    @display(description="状态")
    def state(self, obj: AccessAttempt) -> str:
        if obj.account_latest is None:
            return "已过期"
        left = obj.account_latest + self._cool_off() - timezone.now()
        if obj.account_failures >= settings.AXES_FAILURE_LIMIT and left.total_seconds() > 0:
            return f"已锁定（约 {max(1, math.ceil(left.total_seconds() / 60))} 分钟后解除）"
        return f"未锁定（还可尝试 {settings.AXES_FAILURE_LIMIT - obj.account_failures} 次）"

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request)

    @action(description="解除锁定", permissions=["unlock"], icon="lock_open")
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        names = sorted({name for name in queryset.values_list("username", flat=True) if name})
        try:
            login_lock_release(actor=request.user, usernames=names)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return
        messages.success(request, f"已解除 {len(names)} 个账号的登录锁定：{'、'.join(names)}。")


@admin.register(AccessLog)
class LoginLogAdmin(_ReadOnly, ModelAdmin):
    list_display = ["account", "page", "address", "logged_in", "logged_out"]
    fields = ["account", "page", "address", "browser", "logged_in", "logged_out"]
    readonly_fields = fields

    @display(description="登录时间")
    def logged_in(self, obj: AccessLog) -> datetime.datetime:
        return obj.attempt_time

    @display(description="退出时间")
    def logged_out(self, obj: AccessLog) -> datetime.datetime | None:
        return obj.logout_time
