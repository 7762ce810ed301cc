"""工作台 (the admin index): counts per status at my tier, who holds things up below me,
daily submissions and decisions; a constant number of queries."""

import pytest
from django.test import Client
from django.utils import timezone

from review import dashboard
from review.admin.dashboard import review_list_url
from tests.builders import (
    advance_to,
    decide,
    in_health_business,
    new_application,
    submitted,
    superuser,
)
from tests.tree import JIANGAN, PROVINCE_CODE, WUHAN

UNIT_A, UNIT_B = "U420102001", "U420102002"
CITY_DIRECT_UNIT, PROVINCE_DIRECT_UNIT = "U420100901", "U420000901"
INDEX = "/admin/"


def client_for(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(in_health_business(user))
    return client


@pytest.fixture
def scenario(tree, reviewers, health_project, tcm_project):
    unit_a, unit_b = tree[UNIT_A], tree[UNIT_B]
    return {
        "a_draft": new_application(health_project, unit_a),
        "a_p1": submitted(health_project, unit_a),
        "a_p2": submitted(health_project, unit_a),
        "a_def": decide(submitted(health_project, unit_a), "defer"),
        "a_ret": decide(submitted(health_project, unit_a), "return"),
        "a_rej": decide(submitted(health_project, unit_a), "reject"),
        "a_appr": decide(submitted(health_project, unit_a), "approve"),
        "a_cty": advance_to(submitted(health_project, unit_a), "county"),
        "a_city": advance_to(submitted(health_project, unit_a), "city"),
        "a_prov": advance_to(submitted(health_project, unit_a), "province"),
        "b_p1": submitted(health_project, unit_b),
        "b_def": decide(submitted(health_project, unit_b), "defer"),
        "tcm": submitted(tcm_project, tree[JIANGAN], track="apprenticeship"),
        "cd_p1": submitted(health_project, tree[CITY_DIRECT_UNIT]),
        "pd_p1": submitted(health_project, tree[PROVINCE_DIRECT_UNIT]),
        "pd_p2": submitted(health_project, tree[PROVINCE_DIRECT_UNIT]),
    }


ZERO = dict.fromkeys(["pending", "approved", "deferred", "returned", "rejected", "reported"], 0)

# username → (status counts at its tier, not-submitted among 待审核,
#             [(child code, pending, deferred)] in table order, submissions today,
#             review actions today)
EXPECTED = {
    "unit_a": (
        {"pending": 3, "approved": 1, "deferred": 1, "returned": 1, "rejected": 1, "reported": 3},
        1,
        [],
        9,
        # defer, return, reject, approve + (approve, report) for a_cty, a_city, a_prov
        10,
    ),
    # 当前业务 is the health exam: the TCM application waiting at 江岸区 is not counted.
    "county_jiangan": (
        {**ZERO, "pending": 1, "reported": 2},
        0,
        [(UNIT_A, 2, 1), (UNIT_B, 1, 1)],
        11,
        4,
    ),
    "city_wuhan": (
        {**ZERO, "pending": 1, "reported": 1},
        0,
        [(JIANGAN, 1, 0), (CITY_DIRECT_UNIT, 1, 0)],
        12,
        2,
    ),
    "province": (
        {**ZERO, "pending": 1},
        0,
        [(PROVINCE_DIRECT_UNIT, 2, 0), (WUHAN, 1, 0)],
        14,
        0,
    ),
}


INSTITUTION_OF = {
    "unit_a": UNIT_A,
    "county_jiangan": JIANGAN,
    "city_wuhan": WUHAN,
    "province": PROVINCE_CODE,
}


def _today_count(days: list[dashboard.DayCount]) -> int:
    assert len(days) == dashboard.DEFAULT_DAYS
    assert days[-1].day == timezone.localdate()
    assert sum(d.count for d in days[:-1]) == 0
    return days[-1].count


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_dashboard_numbers(scenario, tree, reviewers, username):
    statuses, not_submitted, children, submissions, decisions = EXPECTED[username]
    response = client_for(reviewers[username]).get(INDEX)
    assert response.status_code == 200
    data = response.context["dashboard"]
    assert data["institution"] == tree[INSTITUTION_OF[username]]
    assert {s["status"]: s["total"] for s in data["statuses"]} == statuses
    assert next(s for s in data["statuses"] if s["status"] == "pending")["not_submitted"] == (
        not_submitted
    )
    assert [(c.institution.code, c.pending, c.deferred) for c in data["children"]] == children
    assert data["submissions_total"] == submissions
    assert data["decisions_total"] == decisions

    html = response.content.decode()
    assert f'data-testid="count-pending">{statuses["pending"]}<' in html
    # Each status card links to the review list filtered by that status at my tier.
    for status in statuses:
        assert review_list_url(status).replace("&", "&amp;") in html


def test_selector_functions_directly(scenario, tree, reviewers):
    user, unit_a = reviewers["unit_a"], tree[UNIT_A]
    assert (
        _today_count(dashboard.submissions_per_day(business=None, user=user, institution=unit_a))
        == 9
    )
    assert (
        _today_count(dashboard.decisions_per_day(business=None, user=user, institution=unit_a))
        == 10
    )


def test_no_numbers_of_an_institution_the_user_may_not_review(scenario, tree, reviewers):
    """Asking for another institution's numbers yields nothing, not its numbers."""
    user, unit_a = reviewers["unit_b"], tree[UNIT_A]
    assert (
        sum(s.total for s in dashboard.status_counts(business=None, user=user, institution=unit_a))
        == 0
    )
    assert dashboard.pending_by_child(business=None, user=user, institution=tree[JIANGAN]) == []
    assert (
        _today_count(dashboard.submissions_per_day(business=None, user=user, institution=unit_a))
        == 0
    )
    assert (
        _today_count(dashboard.decisions_per_day(business=None, user=user, institution=unit_a)) == 0
    )


def test_unit_b_does_not_see_unit_a(scenario, reviewers):
    data = client_for(reviewers["unit_b"]).get(INDEX).context["dashboard"]
    assert {s["status"]: s["total"] for s in data["statuses"]} == {
        **ZERO,
        "pending": 1,
        "deferred": 1,
    }
    assert data["submissions_total"] == 2


def test_superuser_sees_the_province_view(scenario, tree):
    data = client_for(superuser()).get(INDEX).context["dashboard"]
    assert data["institution"] == tree[PROVINCE_CODE]
    assert {s["status"]: s["total"] for s in data["statuses"]} == EXPECTED["province"][0]
    assert [(c.institution.code, c.total) for c in data["children"]] == [
        (PROVINCE_DIRECT_UNIT, 2),
        (WUHAN, 1),
    ]
    assert data["submissions_total"] == 14


def test_the_tcm_business_counts_only_the_tcm_application(scenario, tree, reviewers, tcm_project):
    from tests.builders import work_in

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(work_in(reviewers["city_wuhan"], tcm_project))
    data = client.get(INDEX).context["dashboard"]
    assert {s["status"]: s["total"] for s in data["statuses"]} == ZERO
    assert [(c.institution.code, c.pending) for c in data["children"]] == [(JIANGAN, 1)]
    assert data["submissions_total"] == 1


@pytest.mark.parametrize("username", ["unit_a", "county_jiangan"])
def test_status_links_open_the_review_list_with_the_same_numbers(scenario, reviewers, username):
    client = client_for(reviewers[username])
    for status, total in EXPECTED[username][0].items():
        response = client.get(review_list_url(status))
        assert response.status_code == 200
        assert response.context["cl"].result_count == total, status


def _queries_for(client, django_assert_max_num_queries, limit: int) -> int:
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(INDEX)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("username", ["unit_a", "county_jiangan", "province"])
def test_query_count_does_not_grow_with_data(
    scenario, tree, reviewers, health_project, username, django_assert_max_num_queries
):
    from people.services import institution_create

    client = client_for(reviewers[username])
    client.get(INDEX)  # the session's first request resolves 当前业务 (a few queries, once)
    before = _queries_for(client, django_assert_max_num_queries, 15)

    # More institutions (units under 江岸区 and under the province) and more applications
    # everywhere, in every state.
    for n in range(3):
        unit = institution_create(
            code=f"U42010209{n}", name=f"江岸区演示新增医院{n}", tier="unit", parent=tree[JIANGAN]
        )
        submitted(health_project, unit)
        decide(submitted(health_project, unit), "defer")
        advance_to(submitted(health_project, unit), "province")
    for _ in range(3):
        submitted(health_project, tree[UNIT_A])
        decide(submitted(health_project, tree[UNIT_A]), "approve")
        advance_to(submitted(health_project, tree[UNIT_A]), "city")
        submitted(health_project, tree[PROVINCE_DIRECT_UNIT])

    after = _queries_for(client, django_assert_max_num_queries, before)
    assert after == before
