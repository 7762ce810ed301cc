"""Login throttling: the hooks config/settings.py gives django-axes (client address, lock page)
and how long an account's lock has left. axes counts the failures; nothing is counted here."""

import datetime
import math

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.addresses import client_ip

__all__ = ["client_ip", "lock_remaining", "locked_message", "lockout_response"]

LOCKED_MESSAGE = "登录失败次数过多，该账号已暂时锁定。请 {minutes} 分钟后再试。"


def lock_remaining(username: str, request: HttpRequest | None = None) -> datetime.timedelta:
    """How long the account stays locked: the cool-off from its latest counted failure."""
    cool_off = get_cool_off(request)
    latest = AccessAttempt.objects.filter(username=username).aggregate(at=Max("attempt_time"))["at"]
    if latest is None:
        return cool_off
    return max(latest + cool_off - timezone.now(), datetime.timedelta(0))


def locked_message(username: str, request: HttpRequest | None = None) -> str:
    minutes = max(1, math.ceil(lock_remaining(username, request).total_seconds() / 60))
    return LOCKED_MESSAGE.format(minutes=minutes)


def _is_admin(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("admin:index"))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the lock page, in the admin's style under /admin/ and in the
    candidate site's style elsewhere, with the wait in minutes."""
    context = {
        "title": "暂时无法登录",
        "message": locked_message(get_client_username(request, credentials) or "", request),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    if _is_admin(request):
        context |= admin.site.each_context(request) | {"login_url": reverse("admin:login")}
        template = "people/admin/lockout.html"
    else:
        context["login_url"] = reverse("account:login")
        template = "people/site/lockout.html"
    return render(request, template, context, status=settings.AXES_HTTP_RESPONSE_CODE)
