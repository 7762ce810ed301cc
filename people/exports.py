"""What every export of personal data asks and records (the rules; the admin's form and view
helper are people/admin/export_form.py).

- 导出用途: required free text, trimmed, at most PURPOSE_MAX_LENGTH characters.
- Full ID numbers and phones only for a user who holds 导出完整证件号码 on their own
  institution (the superuser counts as holding it) AND asked for it; otherwise the
  exporter's declared columns are masked (core.masking, core.xlsx).
- The file carries who exported it, when and why (`export_stamp`).
- Every export ends in `export_logged`: one audit row (data.exported) with the purpose, the
  full-ID decision, the filters and the row count.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from core.access_log import Kind, access_record_now, export_data
from core.audit import log_action
from core.models import AuditLogEntry
from core.xlsx import Exporter, ExportStamp
from people.audit_actions import LOG_DATA_EXPORTED
from people.models import Institution, ReviewerMembership
from people.permissions import Perm, has_institution_perm

PURPOSE_MAX_LENGTH = 200
PURPOSE_REQUIRED = "请填写导出用途。"
PURPOSE_TOO_LONG = f"导出用途最多 {PURPOSE_MAX_LENGTH} 个字。"
# Filter parameters recorded with an export: the list's own, not paging or the form's.
_IGNORED_PARAMS = frozenset({"p", "export", "csrfmiddlewaretoken", "purpose", "full_id"})


def clean_purpose(value: Any) -> str:
    """The purpose as recorded: trimmed, runs of whitespace and control characters (which
    an xlsx cannot hold) made one space; ValidationError (Chinese) when empty or too long."""
    raw = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in str(value or ""))
    text = " ".join(raw.split())
    if not text:
        raise ValidationError(PURPOSE_REQUIRED)
    if len(text) > PURPOSE_MAX_LENGTH:
        raise ValidationError(PURPOSE_TOO_LONG)
    return text


def _own_institution(user) -> Institution | None:
    membership = (
        ReviewerMembership.objects.select_related("institution").filter(user_id=user.pk).first()
    )
    return membership.institution if membership else None


def may_export_full_id(user) -> bool:
    """Whether `user` may ask for full ID numbers and phones: 导出完整证件号码 on their own
    institution (granted per account, people/admin accounts), or the superuser."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    institution = _own_institution(user)
    return institution is not None and has_institution_perm(user, Perm.EXPORT_FULL_ID, institution)


def full_id_granted(user, *, asked: bool) -> bool:
    """Full values for this export: asked for AND allowed (a forged field reads as masked)."""
    return bool(asked) and may_export_full_id(user)


def export_stamp(*, user, purpose: str, at=None) -> ExportStamp:
    """Who (账号 and 姓名, institution), when and why, as written into the file."""
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    who = f"{user.get_username()}（{name}）" if name else user.get_username()
    institution = _own_institution(user)
    return ExportStamp(
        exporter=who,
        institution=institution.name if institution else "全省（系统管理员）",
        at=at or timezone.now(),
        purpose=purpose,
    )


def export_prepare(exporter: Exporter, *, user, purpose: str, full_id: bool) -> Exporter:
    """`exporter` masked or not (the permission is checked here again) and stamped."""
    exporter.full_id = full_id_granted(user, asked=full_id)
    exporter.stamp = export_stamp(user=user, purpose=purpose)
    return exporter


def export_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The list's filters as recorded (a QueryDict's lists kept when a key repeats)."""
    recorded: dict[str, Any] = {}
    getlist = getattr(params, "getlist", None)
    for key in params:
        if key in _IGNORED_PARAMS:
            continue
        values = getlist(key) if getlist else [params[key]]
        recorded[key] = values[0] if len(values) == 1 else list(values)
    return recorded


def export_logged(
    *,
    user,
    ip: str | None,
    export_name: str,
    params: Mapping[str, Any],
    purpose: str,
    full_id: bool,
    row_count: int,
) -> AuditLogEntry:
    """The one record every export ends in (the admin's downloads and the background jobs):
    who, from where, which export with which filters, why, full values or masked, how many
    rows. Its subject is the exporter's institution."""
    institution = _own_institution(user)
    # The province reads exports in the 个人信息访问记录 with every other access to personal
    # data; the audit entry below keeps it in the institution's own 审核日志.
    access_record_now(
        kind=Kind.EXPORT,
        user=user,
        origin={
            "ip": ip or None,
            "institution_id": institution.pk if institution else None,
            "institution_name": institution.name if institution else "",
        },
        what=export_name,
        row_count=row_count,
        data=export_data(params=params, purpose=purpose, full_id=full_id),
    )
    return log_action(
        action=LOG_DATA_EXPORTED,
        actor=user,
        subject=institution,
        data={
            "institution": institution.pk if institution else None,
            "tier": institution.tier if institution else "",
            "remark": f"{export_name}，{row_count} 行，"
            + ("完整证件号码" if full_id else "证件号码已脱敏")
            + f"；用途：{purpose}",
            "export": export_name,
            "purpose": purpose,
            "full_id": bool(full_id),
            "filters": export_params(params),
            "row_count": row_count,
            "ip": ip or "",
        },
    )
