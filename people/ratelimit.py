"""Login rate limit of the candidate site (DESIGN: phone + password accounts, rate-limited).

At most `MAX_FAILURES` failed logins per phone number and per client IP within `WINDOW`
seconds, counted in Django's cache (the default LocMemCache suffices for one process; a
shared cache such as Redis makes the limit hold across processes). The window starts at the
first failure; a successful login clears the phone's counter, not the IP's.
"""

import math
import time

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 5
WINDOW = 15 * 60  # seconds
_PREFIX = "candidate-login-failures"


def client_ip(request: HttpRequest) -> str:
    """The peer address. Behind a reverse proxy, configure it to set REMOTE_ADDR (we do not
    trust X-Forwarded-For, which any client can forge)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(phone: str, ip: str) -> list[str]:
    return [f"{_PREFIX}:phone:{phone}", f"{_PREFIX}:ip:{ip}"]


def blocked_message(phone: str, ip: str) -> str | None:
    """The Chinese refusal if the phone or the IP has used up its attempts, else None."""
    now = time.time()
    wait = 0.0
    for key in _keys(phone, ip):
        entry = cache.get(key)
        if entry and entry["count"] >= MAX_FAILURES:
            wait = max(wait, entry["started"] + WINDOW - now)
    if wait <= 0:
        return None
    return f"登录失败次数过多，请 {max(1, math.ceil(wait / 60))} 分钟后再试。"


def record_failure(phone: str, ip: str) -> None:
    now = time.time()
    for key in _keys(phone, ip):
        entry = cache.get(key)
        if not entry or entry["started"] + WINDOW <= now:
            entry = {"count": 0, "started": now}
        entry["count"] += 1
        remaining = max(1, math.ceil(entry["started"] + WINDOW - now))
        cache.set(key, entry, timeout=remaining)


def record_success(phone: str) -> None:
    cache.delete(f"{_PREFIX}:phone:{phone}")
