"""Chinese error pages in the look of where they happen: the admin's (django-unfold) under its
URL prefix, the candidate site's elsewhere. config/urls.py names them as Django's handlers;
CSRF_FAILURE_VIEW names csrf_failure. With DEBUG on Django shows its technical 404/500.

400 and 500 are rendered without a request context: no context processors, no session, no
database, because what failed may be exactly those (a 400 from a bad Host header happens
before authentication)."""

import logging

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

from config.csp import is_admin_path

logger = logging.getLogger(__name__)

# Served when even the 500 template cannot be rendered.
BARE_500 = (
    '<!doctype html><html lang="zh-Hans"><meta charset="utf-8"><title>服务器错误</title>'
    "<h1>服务器错误（500）</h1><p>系统暂时出现问题，请稍后再试。</p></html>"
)


TITLES = {"403": "无权访问", "404": "页面不存在", "403_csrf": "页面已过期"}


def _in_admin(request: HttpRequest) -> bool:
    try:
        return is_admin_path(request)
    except Exception:  # a broken URLconf must not turn the error page into another error
        return False


def _render(request: HttpRequest, name: str, status: int) -> HttpResponse:
    context = {"title": TITLES[name]}
    if _in_admin(request):
        context = {**admin.site.each_context(request), **context, "home_url": admin_home()}
        return render(request, f"admin/errors/{name}.html", context, status=status)
    return render(request, f"{name}.html", context, status=status)


def _render_without_context(request: HttpRequest, name: str, status: int) -> HttpResponse:
    template = f"admin/errors/{name}.html" if _in_admin(request) else f"{name}.html"
    try:
        html = loader.get_template(template).render({"home_url": admin_home()})
    except Exception:  # the page that reports an error must not fail itself
        logger.exception("Error page %s could not be rendered", template)
        html = BARE_500
    return HttpResponse(html, status=status)


def admin_home() -> str:
    try:
        return reverse("admin:index")
    except Exception:  # same as _in_admin: a plain link beats a second error
        return "/admin/"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render_without_context(request, "400", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render_without_context(request, "500", 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: usually a page left open past its session, or cookies blocked."""
    return _render(request, "403_csrf", 403)
