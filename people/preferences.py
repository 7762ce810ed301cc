"""A reviewer's own settings (ReviewerPreference): read with defaults, changed by the user
alone, every change in the audit log."""

import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import ServiceError
from people.audit_actions import LOG_ACCOUNT_PREFERENCE_CHANGED
from people.models import ReviewerPreference


def reviewer_preference_get(*, user: User | AnonymousUser) -> ReviewerPreference:
    """The user's settings; the defaults (unsaved) until the user changes one."""
    if not user.is_authenticated:
        return ReviewerPreference()
    found = ReviewerPreference.objects.filter(user_id=user.pk).first()
    return found if found is not None else ReviewerPreference(user_id=user.pk)


def reviewer_preference_set_auto_next(
    *, actor: User | AnonymousUser, auto_open_next: bool
) -> ReviewerPreference:
    """审核后自动打开下一条 on or off, for the actor's own account only."""
    if not (actor.is_authenticated and actor.is_active and actor.is_staff):
        raise ServiceError("只有审核人员可以修改审核偏好设置。")
    with transaction.atomic():
        preference, _ = ReviewerPreference.objects.select_for_update().get_or_create(
            user_id=actor.pk
        )
        if preference.auto_open_next == auto_open_next:
            return preference  # nothing changes: nothing to log
        preference.auto_open_next = auto_open_next
        preference.save(update_fields=["auto_open_next", "updated_at"])
        log_action(
            action=LOG_ACCOUNT_PREFERENCE_CHANGED,
            actor=actor,
            subject=preference,
            data={"remark": f"审核后自动打开下一条：{'开启' if auto_open_next else '关闭'}"},
        )
    return preference


def reviewer_dashboard_visit(
    *, user: User | AnonymousUser, previous_needed: bool = True
) -> datetime.datetime | None:
    """The 工作台 is opened: remember now; return the previous visit (None the first time,
    or when the caller says it does not need it). Only the reviewer's own bookkeeping, so
    not in the audit log. One UPDATE (plus one read when `previous_needed`); a concurrent
    visit of the same reviewer at worst loses the earlier of two equal timestamps."""
    if not user.is_authenticated:
        return None
    previous = None
    if previous_needed:
        previous = (
            ReviewerPreference.objects.filter(user_id=user.pk)
            .values_list("dashboard_seen_at", flat=True)
            .first()
        )
    now = timezone.now()
    if not ReviewerPreference.objects.filter(user_id=user.pk).update(dashboard_seen_at=now):
        with transaction.atomic():
            ReviewerPreference.objects.get_or_create(
                user_id=user.pk, defaults={"dashboard_seen_at": now}
            )
    return previous
