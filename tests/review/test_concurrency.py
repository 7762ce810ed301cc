"""Two reviewers deciding the same application at once: exactly one wins, the other gets a
clear message and nothing of theirs is written."""

import threading

import pytest
from django.db import connection, connections

from core.errors import CONFLICT_MESSAGE, ServiceError
from core.models import AuditLogEntry
from exam.models import Application, TierReview
from exam.models.applications import ReviewStatus
from review import services as review_services
from review import workflow
from tests.builders import submitted

UNIT_A = "U420102001"


def _stale_copies(application, n=2):
    return [TierReview.objects.get(application=application, tier="unit") for _ in range(n)]


@pytest.mark.parametrize(
    ("first", "second"),
    [("approve", "reject"), ("approve", "approve"), ("defer", "approve"), ("reject", "return")],
)
def test_stale_copy_loses(tree, reviewers, health_project, first, second):
    application = submitted(health_project, tree[UNIT_A])
    mine, theirs = _stale_copies(application)
    review_services.tier_review_decide(
        actor=reviewers["unit_a"], tier_review=mine, decision=first, remark="第一位"
    )
    logs_before = AuditLogEntry.objects.about(application).count()
    state_before = TierReview.objects.get(pk=mine.pk).status
    with pytest.raises(ServiceError) as excinfo:
        review_services.tier_review_decide(
            actor=reviewers["unit_a"], tier_review=theirs, decision=second, remark="第二位"
        )
    # Either the stale copy is caught (conflict) or the fresh state forbids the change.
    assert excinfo.value.message == CONFLICT_MESSAGE or "不能" in excinfo.value.message
    assert TierReview.objects.get(pk=mine.pk).status == state_before
    assert AuditLogEntry.objects.about(application).count() == logs_before
    assert TierReview.objects.get(pk=mine.pk).remark == "第一位"


def test_stale_copy_from_same_state_is_a_conflict(tree, reviewers, health_project):
    application = submitted(health_project, tree[UNIT_A])
    mine, theirs = _stale_copies(application)
    review_services.tier_review_decide(
        actor=reviewers["unit_a"], tier_review=mine, decision="defer"
    )
    # `theirs` still says 待审核; 暂不审核 → 审核通过 would be legal, but they did not see it.
    with pytest.raises(ServiceError) as excinfo:
        review_services.tier_review_decide(
            actor=reviewers["unit_a"], tier_review=theirs, decision="approve"
        )
    assert excinfo.value.message == CONFLICT_MESSAGE
    assert TierReview.objects.get(pk=mine.pk).status == ReviewStatus.DEFERRED
    application.refresh_from_db()
    assert application.unit_review_status == ReviewStatus.DEFERRED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "decisions", [("approve", "reject"), ("approve", "approve"), ("return", "defer")]
)
def test_two_threads_decide_at_once(reference_data, tree, reviewers, health_project, decisions):
    application = submitted(health_project, tree[UNIT_A])
    copies = _stale_copies(application)
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def decide(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            review_services.tier_review_decide(
                actor=reviewers["unit_a"],
                tier_review=copies[i],
                decision=decisions[i],
                remark=f"线程{i}",
            )
            outcomes[i] = "ok"
        except ServiceError as exc:
            outcomes[i] = exc.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes.count("ok") == 1
    winner = outcomes.index("ok")
    application = Application.objects.get(pk=application.pk)
    # The loser is told either that someone else just handled it, or (when the winner's
    # decision took the application out of review) why it can no longer be decided.
    loser_message = outcomes[1 - winner]
    assert loser_message in {
        CONFLICT_MESSAGE,
        workflow.NOT_DECIDABLE_REASONS.get(application.status),
    }
    review = TierReview.objects.get(pk=copies[0].pk)
    assert review.remark == f"线程{winner}"
    assert application.unit_review_status == review.status
    decisions_logged = AuditLogEntry.objects.about(application).filter(action__startswith="review.")
    assert decisions_logged.count() == 1
