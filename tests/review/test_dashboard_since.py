"""工作台 "since your last visit": what arrived at the reviewer's institution (提交, 重新提交,
材料上报) after the previous visit and still waits there, through the permission selector and
the 当前业务; the baseline holds for the login session."""

import datetime

import pytest
from django.utils import timezone

from exam import services as exam_services
from people.models import ReviewerPreference
from review import services as review_services
from review.dashboard import arrivals_since
from tests.builders import (
    approve_and_report,
    decide,
    in_health_business,
    submitted,
    superuser,
)
from tests.review.test_dashboard import INDEX, client_for
from tests.tree import JIANGAN, UNIT_A, UNIT_B, UNIT_C

pytestmark = pytest.mark.django_db


def arrivals(client):
    return client.get(INDEX).context["dashboard"]["arrivals"]


def test_first_visit_shows_nothing_then_counts_what_arrived(
    tree, reviewers, health_project, tcm_project
):
    county = reviewers["county_jiangan"]
    first = client_for(county)
    assert arrivals(first) is None
    assert ReviewerPreference.objects.get(user=county).dashboard_seen_at is not None

    # Reported up to 江岸区 by both of its units; one more waits still at a unit.
    approve_and_report(submitted(health_project, tree[UNIT_A]))
    approve_and_report(submitted(health_project, tree[UNIT_B]))
    submitted(health_project, tree[UNIT_A])
    # Returned by 江岸区 and resubmitted: back at 江岸区.
    back = approve_and_report(submitted(health_project, tree[UNIT_A]))
    decide(back, "return")
    exam_services.application_resubmit(actor=back.candidate.user, application=back)
    # Not 江岸区's: 武昌区's unit reports to 武昌区; a TCM application (another 当前业务).
    approve_and_report(submitted(health_project, tree[UNIT_C]))
    submitted(tcm_project, tree[JIANGAN], track="apprenticeship")

    seen = arrivals(client_for(county))  # a new session: since the first visit
    assert (seen.submitted, seen.resubmitted, seen.reported) == (0, 1, 2)

    page = client_for(county).get(INDEX).content.decode()
    assert "新提交 0 份，重新提交 0 份，上报至本级 0 份" in page  # nothing since the last


def test_the_entry_tier_counts_new_submissions_and_the_session_keeps_its_baseline(
    tree, reviewers, health_project
):
    unit = reviewers["unit_a"]
    client_for(unit).get(INDEX)
    decided = submitted(health_project, tree[UNIT_A])
    for _ in range(2):
        submitted(health_project, tree[UNIT_A])
    submitted(health_project, tree[UNIT_B])  # another unit's
    review_services.tier_review_decide(
        actor=superuser(),
        tier_review=decided.tier_reviews.get(tier="unit"),
        decision="approve",
    )  # no longer waiting

    session = client_for(unit)
    assert arrivals(session).submitted == 2
    assert arrivals(session).submitted == 2  # a reload within the session: same baseline


def test_counting_is_one_query_plus_the_permission_lookup(
    tree, reviewers, health_project, django_assert_num_queries
):
    county = in_health_business(reviewers["county_jiangan"])
    since = timezone.now() - datetime.timedelta(hours=1)
    institution = tree[JIANGAN]
    arrivals_since(user=county, institution=institution, business=None, since=since)  # warm
    with django_assert_num_queries(2):  # the selector's permission lookup, the count
        few = arrivals_since(user=county, institution=institution, business=None, since=since)
    for _ in range(3):
        approve_and_report(submitted(health_project, tree[UNIT_A]))
    with django_assert_num_queries(2):  # the selector's permission lookup, the count
        many = arrivals_since(user=county, institution=institution, business=None, since=since)
    assert (few.reported, many.reported) == (0, 3)
