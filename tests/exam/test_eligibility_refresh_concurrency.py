"""A whole project's re-evaluation rewrites its changed results (deleted and inserted again,
same ids, one transaction). A refresh of one of its applications at that moment (a
submission, a teacher's place freed) waits for it, then finds the rewritten row: no
unique-key error, one result, and the new rules' word. PostgreSQL: row locks."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from exam.eligibility.outcomes import Outcome
from exam.eligibility.services import eligibility_refresh, eligibility_refresh_project
from exam.models import Application, EligibilityResult
from tests.exam.eligibility_helpers import UNIT_A, applications

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
]


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_a_refresh_during_a_project_rewrite_waits_and_finds_the_new_row(
    stand_in_kind, tree, health_project
):
    short, long_ = applications(health_project, tree[UNIT_A], ["张三", "欧阳小明"])
    eligibility_refresh(applications=[short, long_])
    assert EligibilityResult.objects.get(application=long_).outcome == Outcome.INELIGIBLE
    stand_in_kind.rules = {"max": 4}  # every result changes its version; 欧阳小明 now passes
    stand_in_kind.version += 1
    stand_in_kind.save()

    rewritten, commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def project_job() -> None:
        try:
            with transaction.atomic():
                eligibility_refresh_project(project_id=health_project.pk)
                rewritten.set()
                assert commit.wait(30)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            rewritten.set()
            connections.close_all()

    def one_refresh() -> None:
        try:
            eligibility_refresh(applications=[Application.objects.get(pk=long_.pk)])
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    job = threading.Thread(target=project_job)
    job.start()
    assert rewritten.wait(30)
    refresh = threading.Thread(target=one_refresh)
    refresh.start()
    deadline = time.monotonic() + 10
    while _waiting_on_a_lock() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    waited = _waiting_on_a_lock()
    commit.set()
    job.join(30)
    refresh.join(30)

    assert waited == 1  # the refresh did meet the job's rewritten row
    assert errors == []
    result = EligibilityResult.objects.get(application=long_)
    assert (result.outcome, result.rule_set_version) == (Outcome.ELIGIBLE, stand_in_kind.version)
    assert Application.objects.get(pk=long_.pk).eligibility_outcome == Outcome.ELIGIBLE
