"""Content-Security-Policy: one policy (settings.CONTENT_SECURITY_POLICY) for the whole site,
and the admin's additions (settings.ADMIN_CSP_UPDATE) on every response under its URL prefix,
error pages included, which a per-view decorator would miss."""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import get_script_prefix, reverse


def admin_path_prefix() -> str:
    """The admin's prefix as request.path_info sees it ("/admin/")."""
    return "/" + reverse("admin:index").removeprefix(get_script_prefix())


def is_admin_path(request: HttpRequest) -> bool:
    return request.path_info.startswith(admin_path_prefix())


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if is_admin_path(request):
            update = {key: list(values) for key, values in settings.ADMIN_CSP_UPDATE.items()}
            for key, values in (parts.update or {}).items():
                extra = values if isinstance(values, list | tuple) else [values]
                update.setdefault(key, []).extend(extra)
            parts.update = update
        return parts
