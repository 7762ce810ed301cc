"""Recording who saw what (个人信息访问记录, core.models.PersonalDataAccess).

In a request, `access_record` only adds a row to the request's buffer; `AccessLogMiddleware`
writes the buffer in ONE INSERT once the view has returned, so the page pays one statement
however many things it recorded. Background jobs (exports, imports) have no request: they call
`access_record_now` with the user, institution and address saved when the job was asked for
(`access_origin`).

If the INSERT fails, the page is still served (the user did nothing wrong and the data has
already been shown), but the rows are not dropped silently: each is written to the
`core.access_log` logger at ERROR level, with everything it would have stored, so the operator's
log collection keeps it and alerts on it (README, "个人信息访问记录").

core cannot import people (layering): the viewer's institution comes from the function people
registers at start-up (`register_viewer`), called once per request that recorded anything.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.addresses import client_ip
from core.models import PersonalDataAccess

logger = logging.getLogger("core.access_log")

Kind = PersonalDataAccess.Kind
_BUFFER_ATTR = "_personal_data_access"

# request -> (institution id, institution name) of the viewer; (None, "") when none.
Viewer = Callable[[HttpRequest], tuple[int | None, str]]
_viewer: Viewer | None = None


def register_viewer(resolve: Viewer) -> None:
    """people registers how a request's institution is found (people.access.own_institution)."""
    global _viewer
    _viewer = resolve


def access_log_enabled() -> bool:
    """settings.ACCESS_LOG_ENABLED (True unless turned off: the bench's reference run)."""
    return getattr(settings, "ACCESS_LOG_ENABLED", True)


def _clean(data: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (data or {}).items() if value not in ("", None)}


def access_record(
    request: HttpRequest,
    *,
    kind: str,
    application_id: int | None = None,
    candidate_id: int | None = None,
    what: str = "",
    row_count: int | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Record that the request's user looked at personal data; written at the end of the
    request (AccessLogMiddleware). A request outside the middleware (a test's RequestFactory)
    writes at once."""
    if not access_log_enabled():
        return
    row = PersonalDataAccess(
        kind=kind,
        at=timezone.now(),
        application_id=application_id,
        candidate_id=candidate_id,
        what=what[:200],
        row_count=row_count,
        data=_clean(data),
    )
    buffer = getattr(request, _BUFFER_ATTR, None)
    if buffer is None:
        access_flush(request, [row])
    else:
        buffer.append(row)


def file_label(field_file: Any, fallback: str = "") -> str:
    """How the log names a served file: its model and field in words and the row's number
    (学历信息·证书图片 #12); `fallback` for a file that is not a model's field."""
    field = getattr(field_file, "field", None)
    instance = getattr(field_file, "instance", None)
    model = getattr(field, "model", None)
    if field is None or model is None or instance is None:
        return fallback
    return f"{model._meta.verbose_name}·{field.verbose_name} #{instance.pk}"


def export_data(
    *, params: Mapping[str, Any] | None, purpose: str = "", full_id: bool = False
) -> dict[str, Any]:
    """What an export row keeps in `data`: the filters (a QueryDict's lists flattened)."""
    filters: dict[str, Any] = {}
    if params is not None:
        getlist = getattr(params, "getlist", None)
        for key in params:
            values = getlist(key) if getlist else [params[key]]
            filters[key] = values[0] if len(values) == 1 else list(values)
    return _clean({"filters": filters or None, "purpose": purpose, "full_id": full_id or None})


def access_origin(request: HttpRequest) -> dict[str, Any]:
    """Who asks and from where, kept in a background job's params so the job's record names
    the requesting user, institution and address (`access_record_now(origin=...)`)."""
    institution_id, institution_name = _viewer(request) if _viewer else (None, "")
    return {
        "ip": client_ip(request),
        "institution_id": institution_id,
        "institution_name": institution_name,
    }


def access_record_now(
    *,
    kind: str,
    user: Any,
    origin: Mapping[str, Any] | None = None,
    application_id: int | None = None,
    candidate_id: int | None = None,
    what: str = "",
    row_count: int | None = None,
    data: Mapping[str, Any] | None = None,
) -> PersonalDataAccess | None:
    """One row written now, without a request (a background job): `origin` is what
    `access_origin` saved when the job was asked for."""
    if not access_log_enabled():
        return None
    origin = origin or {}
    authenticated = user is not None and user.is_authenticated
    row = PersonalDataAccess(
        kind=kind,
        at=timezone.now(),
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        institution_id=origin.get("institution_id"),
        institution_name=(origin.get("institution_name") or "")[:200],
        ip=origin.get("ip"),
        application_id=application_id,
        candidate_id=candidate_id,
        what=what[:200],
        row_count=row_count,
        data=_clean(data),
    )
    _write([row])
    return row


def access_flush(request: HttpRequest, rows: list[PersonalDataAccess]) -> None:
    """Fill in who and from where (the same for every row of a request) and write the rows
    in one INSERT. The institution is looked up last: if that fails, the rows are still
    written with the account and the address."""
    if not rows:
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        user = None
    ip = client_ip(request)
    username = user.get_username() if user is not None else ""
    for row in rows:
        row.user, row.username, row.ip = user, username, ip
    if _viewer is not None and user is not None:
        try:
            institution_id, institution_name = _viewer(request)
        except Exception:
            logger.exception("personal data access: the viewer's institution not found")
        else:
            for row in rows:
                row.institution_id = institution_id
                row.institution_name = institution_name[:200]
    _write(rows)


def _write(rows: list[PersonalDataAccess]) -> None:
    try:
        if len(rows) == 1:
            # One row (nearly every request): a plain INSERT, without the transaction
            # bulk_create opens around it (BEGIN and COMMIT are two more statements on SQLite).
            rows[0].save(force_insert=True)
        else:
            PersonalDataAccess.objects.bulk_create(rows)
    except Exception:
        # Never lose the user's page, never lose the record: the rows go to the log.
        for row in rows:
            logger.exception("personal data access not stored: %s", json.dumps(_as_dict(row)))


def _as_dict(row: PersonalDataAccess) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "at": row.at.isoformat() if row.at else None,
        "user_id": row.user_id,
        "username": row.username,
        "institution_id": row.institution_id,
        "institution_name": row.institution_name,
        "ip": row.ip,
        "application_id": row.application_id,
        "candidate_id": row.candidate_id,
        "what": row.what,
        "row_count": row.row_count,
        "data": row.data,
    }


class AccessLogMiddleware:
    """Gives each request a buffer for `access_record` and writes it once the view is done
    (before a file streams: the record does not wait for the download)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rows: list[PersonalDataAccess] = []
        setattr(request, _BUFFER_ATTR, rows)
        try:
            return self.get_response(request)
        finally:
            # A view that raised after recording has still shown nothing; but a page that
            # rendered and then failed had the data on screen: keep the rows either way.
            access_flush(request, rows)
