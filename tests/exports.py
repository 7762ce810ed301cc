"""Exports in tests: every export asks for 导出用途 (people/admin/export_form.py), so a test
POSTs it to the export URL with the list's filters in the query string."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

PURPOSE = "核对本级审核名单"


def export_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    query = urlencode(dict(params or {}), doseq=True)
    return f"{url}?{query}" if query else url


def export_post(
    client,
    url: str,
    params: Mapping[str, Any] | None = None,
    *,
    purpose: str = PURPOSE,
    full_id: bool = False,
    **extra: Any,
):
    """The export's file (or its form again with an error, or a job's redirect)."""
    data = {"purpose": purpose, **({"full_id": "on"} if full_id else {})}
    return client.post(export_url(url, params), data, **extra)


def without_footer(rows: list) -> list:
    """An exported sheet's rows without its 导出人 footer row, which must be there (cells or
    openpyxl cells)."""
    last = rows[-1]
    first = getattr(last[0], "value", last[0])
    assert isinstance(first, str) and first.startswith("导出人："), first
    return rows[:-1]


def grant_full_id(user) -> None:
    """导出完整证件号码 on the account's own institution, as the accounts admin grants it."""
    from guardian.shortcuts import assign_perm

    from people.models import ReviewerMembership
    from people.permissions import Perm

    institution = ReviewerMembership.objects.get(user=user).institution
    assign_perm(Perm.EXPORT_FULL_ID.full, user, institution)
