"""The client's address, as the login throttle (people/throttle.py, django-axes) and the
personal-data access log (core/access_log.py) both read it: one rule for proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` reverse proxies the
    entry the outermost of them appended to X-Forwarded-For. Entries further left are whatever
    the client sent and are never trusted; a header our proxies could not have written (too
    short, not addresses) falls back to REMOTE_ADDR."""
    peer = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return peer
    try:
        appended = [ipaddress.ip_address(hop) for hop in hops[-proxies:]]
    except ValueError:
        return peer
    return str(appended[0])
