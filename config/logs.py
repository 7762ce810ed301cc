"""Operations' view of the running site: one log line per request, a request id on every
line logged while serving it, JSON logs for production and optional error reports to Sentry.

The request line is written here (a few lines) rather than by a library: django-structlog
would bring structlog and its own formatter in place of python-json-logger; the request-id
packages log no request line. Production's LOGGING (config/settings/production.py) turns
these records into JSON with python-json-logger; development prints them as text if asked.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

logger = logging.getLogger("hbwsrc.request")

REQUEST_ID_HEADER = "X-Request-ID"
# A balancer's id is kept when it looks like one; anything else gets a fresh id.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
HEALTH_PATH = "/health/"

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")

# One JSON object per record, for the site's LOGGING (json_logging) and gunicorn's own lines
# (deploy/gunicorn.conf.py), so both read alike.
JSON_FORMATTER: dict[str, Any] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s",
    "timestamp": True,  # ISO 8601, UTC
    "rename_fields": {"levelname": "level", "name": "logger"},
    "json_ensure_ascii": False,  # Chinese messages stay readable
}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (or "") to every record, so an error's traceback can be matched
    with its request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except Exception:  # the session store unreachable: the line is still worth writing
        return None


class RequestLogMiddleware:
    """One INFO record per request on `hbwsrc.request`: method, path (never the query
    string: searches hold names and ID numbers), status, duration_ms, user_id, request_id.
    Healthy /health/ probes (every few seconds from the balancer) are not logged."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = request_id
            if not (request.path == HEALTH_PATH and response.status_code == 200):
                logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra=request_fields(request, response.status_code, duration_ms),
                )
            return response
        finally:
            current_request_id.reset(token)


def request_fields(request, status: int, duration_ms: float) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "status": status,
        "duration_ms": duration_ms,
        "user_id": _user_id(request),
        "request_id": current_request_id.get(),
    }


def json_logging(*, level: str = "INFO") -> dict[str, Any]:
    """LOGGING for production: every record one JSON object on stderr (journald keeps it),
    tracebacks in its `exc_info` field."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
        "formatters": {"json": JSON_FORMATTER},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "hbwsrc.request": {"level": level},
            "core.jobs": {"level": "INFO"},
            "django_tasks_db": {"level": "INFO"},
            # A failing check is one line from config.health; the library's traceback only
            # for an unexpected exception.
            "health_check": {"level": "ERROR"},
        },
    }


def sentry_init(*, dsn: str, environment: str, release: str = "") -> None:
    """Errors to Sentry without personal data of candidates: no user, address, cookies or
    headers (send_default_pii=False), no request bodies or query strings, no local
    variables of the failing frames, no breadcrumbs (log lines, SQL)."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        max_breadcrumbs=0,
        traces_sample_rate=0.0,
        before_send=strip_request,
    )


def strip_request(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "data", "cookies", "headers", "env"):
            request.pop(key, None)
    return event
