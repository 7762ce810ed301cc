"""exam.eligibility.services: stored results follow the facts and the rules' version, keep a
reviewer's override, and cost the same queries for 1 or many applications (judged by the
stand-in kind of tests/exam/eligibility_helpers.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exam.eligibility.outcomes import Outcome
from exam.eligibility.services import eligibility_evaluate, eligibility_refresh
from exam.models import EligibilityResult
from tests.builders import new_application
from tests.exam.eligibility_helpers import name_candidate


def _apps(project, institution, names):
    return [name_candidate(new_application(project, institution), name) for name in names]


@pytest.mark.django_db
def test_results_are_stored_then_rewritten_only_when_something_changed(
    stand_in_kind, health_project, tree
):
    short, long = _apps(health_project, tree["U420102001"], ["王芳", "欧阳娜娜"])
    counts = eligibility_refresh(applications=[short, long])
    assert (counts.created, counts.updated, counts.unchanged) == (2, 0, 0)
    stored = {r.application_id: r for r in EligibilityResult.objects.all()}
    assert stored[short.pk].outcome == Outcome.ELIGIBLE
    assert stored[long.pk].outcome == Outcome.INELIGIBLE
    assert stored[long.pk].results == [
        {"code": "name", "title": "姓名", "outcome": "ineligible", "explanation": "4 字：不符合"}
    ]
    assert stored[short.pk].rule_set_version == 1

    assert eligibility_refresh(applications=[short, long]).unchanged == 2

    # The rules change (a new version): every result is rewritten with it.
    stand_in_kind.rules, stand_in_kind.version = {"max": 4}, 2
    stand_in_kind.save()
    counts = eligibility_refresh(applications=[short, long])
    assert (counts.updated, counts.unchanged) == (2, 0)
    long_result = EligibilityResult.objects.get(application=long)
    assert (long_result.outcome, long_result.rule_set_version) == (Outcome.ELIGIBLE, 2)


@pytest.mark.django_db
def test_an_override_stays_beside_what_the_engine_now_says(stand_in_kind, health_project, tree):
    (application,) = _apps(health_project, tree["U420102001"], ["欧阳娜娜"])
    eligibility_refresh(applications=[application])
    result = EligibilityResult.objects.get(application=application)
    result.override_outcome = result.outcome = Outcome.ELIGIBLE
    result.override_remark = "复姓，核实无误"
    result.save()

    application.candidate.name = "欧阳娜娜娜"
    application.candidate.save(update_fields=["name"])
    assert eligibility_refresh(applications=[application]).updated == 1
    result.refresh_from_db()
    assert result.outcome == Outcome.ELIGIBLE  # the reviewer's judgement counts
    assert result.computed_outcome == Outcome.INELIGIBLE
    assert result.results[0]["explanation"] == "5 字：不符合"


@pytest.mark.django_db
def test_no_rule_set_no_result(stand_in_kind, tcm_project, health_project, tree):
    (health,) = _apps(health_project, tree["U420102001"], ["王芳"])
    tcm = new_application(tcm_project, tree["420102"])
    counts = eligibility_refresh(applications=[health, tcm])
    assert (counts.created, counts.skipped) == (1, 1)
    assert not EligibilityResult.objects.filter(application=tcm).exists()
    assert set(eligibility_evaluate(applications=[health, tcm])) == {health.pk}


@pytest.mark.django_db
def test_the_queries_do_not_grow_with_the_batch(stand_in_kind, health_project, tree):
    def queries(apps) -> int:
        EligibilityResult.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            eligibility_refresh(applications=apps)
        return len(ctx.captured_queries)

    apps = _apps(health_project, tree["U420102001"], ["王芳"] * 12)
    assert queries(apps[:1]) == queries(apps)
