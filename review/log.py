"""Writing the review log. Every service that changes a state calls one of these."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from exam.models import Application
from people.models import Institution
from review.models import ReviewLog


def log_write(
    *,
    action: str,
    actor: AbstractBaseUser | None,
    application: Application | None = None,
    institution: Institution | None = None,
    tier: str = "",
    from_state: str = "",
    to_state: str = "",
    remark: str = "",
) -> ReviewLog:
    return ReviewLog.objects.create(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        application=application,
        institution=institution,
        tier=tier or (institution.tier if institution else ""),
        from_state=from_state,
        to_state=to_state,
        remark=remark,
        created_at=timezone.now(),
    )


def log_bulk(entries: Iterable[ReviewLog]) -> int:
    """Many rows in one INSERT (材料上报, batch actions): one row per application still."""
    now = timezone.now()
    rows = []
    for entry in entries:
        entry.created_at = entry.created_at or now
        rows.append(entry)
    ReviewLog.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
