"""Two changes of one teacher's places at the same moment on PostgreSQL (threads, each its own
connection): the second waits for the first (the project's rule set is locked) and every
stored result ends as a fresh evaluation finds it, with no error."""

import threading

import pytest
from django.db import connection, connections

from exam import services as exam_services
from exam.eligibility.services import eligibility_evaluate
from exam.models import Application, EligibilityResult
from tests.exam.test_eligibility_fact_changes import (  # noqa: F401  (rules: a fixture)
    JIANGAN,
    apprentice,
    apprentices,
    rules,
)
from tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
@pytest.mark.usefixtures("rules")
@pytest.mark.parametrize("round_", range(3))
def test_a_withdrawal_and_a_submission_at_once_leave_every_result_right(tree, tcm_project, round_):
    teacher = PhysicianFactory()
    five = apprentices(tcm_project, tree[JIANGAN], teacher, 5)
    sixth = apprentice(tcm_project, tree[JIANGAN], teacher, submit=False)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(action) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    actions = [
        lambda: exam_services.application_withdraw(
            actor=five[0].candidate.user, application=five[0]
        ),
        lambda: exam_services.application_submit(actor=sixth.candidate.user, application=sixth),
    ]
    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    applications = list(Application.objects.filter(project=tcm_project))
    fresh = eligibility_evaluate(applications=applications)
    stored = {r.application_id: r.results for r in EligibilityResult.objects.all()}
    assert {pk: e.as_list() for pk, e in fresh.items()} == stored
