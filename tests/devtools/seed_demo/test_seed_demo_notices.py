"""`seed_demo` goes through the real services, so its candidates have 消息: candidate3 (the
returned application) reads why it came back, and the review chain's kinds all appear."""

import pytest

from exam.models import Application
from people.models import Candidate, Notification, NotificationKind
from tests.devtools.seed_demo.seeded import Seeded

pytestmark = pytest.mark.django_db


def test_the_returned_demo_candidate_has_the_message(seeded: Seeded) -> None:
    candidate = Candidate.objects.get(phone="13900000003")
    returned = Application.objects.filter(candidate=candidate, status="returned")
    assert returned.exists()
    kinds = set(Notification.objects.filter(candidate=candidate).values_list("kind", flat=True))
    assert {NotificationKind.SUBMITTED, NotificationKind.RETURNED} <= kinds


def test_the_review_chains_kinds_appear(seeded: Seeded) -> None:
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {
        NotificationKind.SUBMITTED,
        NotificationKind.RETURNED,
        NotificationKind.REJECTED,
        NotificationKind.TIER_APPROVED,
        NotificationKind.APPROVED,
    } <= kinds
