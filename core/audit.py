"""Writing the audit log, and what its action codes mean in words.

Every service that changes a state calls `log_action` (or builds rows with `audit_entry` and
writes them with `log_actions`, one INSERT for a batch). Each app owns its codes: it
registers them with their Chinese labels (and how to read its states) from its own
`audit_actions` module when Django starts (its AppConfig.ready). To add an action: a
constant and a label in that module; nothing here changes.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from core.models import AuditLogEntry

_LABELS: dict[str, str] = {}
# How the 原状态 / 新状态 of a row read, by the action's prefix (the longest one wins).
_STATE_LABELS: dict[str, Mapping[str, str]] = {}


def register_actions(
    labels: Mapping[str, str], *, state_labels: Mapping[str, Mapping[str, str]] | None = None
) -> None:
    """Add an app's action codes with their labels, and its state words per code prefix.
    Registering the same code twice with another label is a mistake and raises."""
    for code, label in labels.items():
        if _LABELS.setdefault(code, label) != label:
            raise ValueError(f"audit action {code!r} is registered twice")
    for prefix, words in (state_labels or {}).items():
        if _STATE_LABELS.setdefault(prefix, words) != words:
            raise ValueError(f"audit state labels for {prefix!r} are registered twice")


def registered_actions() -> dict[str, str]:
    """Every registered code with its label (the admin's 操作 filter)."""
    return dict(_LABELS)


def log_action_label(action: str) -> str:
    """The code in words; an unregistered code reads as itself."""
    return _LABELS.get(action, action)


def log_state_label(action: str, state: str) -> str:
    """原状态 / 新状态 of a row in words ("pending" after review.* is 待审核); a state with
    no rule (accounts, 确认码 store words already) reads as itself."""
    for prefix in sorted(_STATE_LABELS, key=len, reverse=True):
        if action.startswith(prefix):
            return _STATE_LABELS[prefix].get(state, state)
    return state


def _payload(data: Mapping[str, object] | None) -> dict[str, object]:
    # Empty values are left out: the readers treat a missing key as "".
    return {key: value for key, value in (data or {}).items() if value not in ("", None)}


def audit_entry(
    *,
    action: str,
    actor: User | AnonymousUser | None,
    subject: models.Model | None = None,
    data: Mapping[str, object] | None = None,
    created_at: datetime.datetime | None = None,
) -> AuditLogEntry:
    """An unsaved row, for `log_actions` (created_at: now unless given)."""
    return AuditLogEntry(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        # A proxy (ReviewApplication) is logged as its concrete model: one history per row.
        content_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        object_id=subject.pk if subject is not None else None,
        data=_payload(data),
        created_at=created_at or timezone.now(),
    )


def log_action(
    *,
    action: str,
    actor: User | AnonymousUser | None,
    subject: models.Model | None = None,
    data: Mapping[str, object] | None = None,
) -> AuditLogEntry:
    """One row: `action` by `actor` (None, or anonymous: the system or a candidate's teacher)
    about `subject`, with `data` (see core/models.py for the usual keys)."""
    entry = audit_entry(action=action, actor=actor, subject=subject, data=data)
    entry.save()
    return entry


def log_actions(entries: Iterable[AuditLogEntry]) -> int:
    """Many rows in one INSERT (材料上报, batch actions): still one row per subject."""
    rows = list(entries)
    AuditLogEntry.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


SCRUB_BATCH = 500


def audit_payloads_scrub(*, rows: models.QuerySet[AuditLogEntry], key: str, text: str) -> int:
    """The one change the append-only log allows: the retention purge (review/purge.py)
    replaces the free text under `key` (the remark) of `rows` with `text`, when it holds one.
    Every row stays, with its action, actor, time, subject and states. Returns the number of
    rows changed. Reads and writes SCRUB_BATCH rows at a time: a project's log can be large."""
    pending = rows.filter(data__has_key=key).exclude(**{f"data__{key}": text})
    ids = list(pending.order_by("pk").values_list("pk", flat=True))
    # Past AuditLogEntryQuerySet.update, which refuses every other change.
    plain: models.QuerySet[AuditLogEntry] = models.QuerySet(model=AuditLogEntry)
    total = 0
    for start in range(0, len(ids), SCRUB_BATCH):
        batch = list(plain.filter(pk__in=ids[start : start + SCRUB_BATCH]).only("pk", "data"))
        for entry in batch:
            entry.data = {**entry.data, key: text}
        total += plain.bulk_update(batch, ["data"])
    return total
