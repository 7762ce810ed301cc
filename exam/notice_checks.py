"""The periodic half of 消息 (`manage.py notices_check`): teachers' QR links that expired
unused, and 消息 SMS the worker never received."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from exam.models import Application, Recommender
from exam.notices import notify_links_expired
from exam.recommender_services import LINK_MAX_AGE
from people.notice_tasks import notice_sms_requeue

# Links that expired longer ago than this are not looked at again (the check runs hourly;
# this only bounds the scan).
LOOK_BACK = datetime.timedelta(days=30)
CHUNK = 500
# A 待发送 SMS this old was not picked up: its job was lost (queue down at commit).
SMS_STALE_AFTER = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class CheckCounts:
    links_expired: int
    sms_requeued: int


def expired_links(*, now: datetime.datetime) -> list[Recommender]:
    """Unsigned teachers whose live QR link passed its age, on an application the candidate
    can still change (the message asks for a new QR code)."""
    expired_before = now - datetime.timedelta(seconds=LINK_MAX_AGE)
    return list(
        Recommender.objects.filter(
            invited_at__lt=expired_before,
            invited_at__gte=expired_before - LOOK_BACK,
            application__status__in=[
                Application.Status.DRAFT,
                Application.Status.WITHDRAWN,
                Application.Status.RETURNED,
            ],
        )
        .exclude(invitation_nonce="")
        .exclude(status=Recommender.Status.SIGNED)
        .select_related("application__project")
        .order_by("pk")
    )


def notices_check(*, now: datetime.datetime | None = None) -> CheckCounts:
    """Each expired link's message once (its key is the link), a chunk per transaction."""
    now = now or timezone.now()
    teachers = expired_links(now=now)
    created = 0
    for start in range(0, len(teachers), CHUNK):
        with transaction.atomic():
            created += notify_links_expired(teachers=teachers[start : start + CHUNK])
    return CheckCounts(
        links_expired=created, sms_requeued=notice_sms_requeue(older_than=SMS_STALE_AFTER)
    )
