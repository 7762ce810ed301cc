"""本级直属 (scope `direct`): the entry institution is this institution or one of its direct
children, for every kind of entry (unit under a county, 市直 unit, 省直 unit, TCM county
entry), seen from every tier. Issue 12 item 1: a county entry was never 本级直属 above it."""

import pytest
from django.urls import reverse

from people.services import reviewer_add
from review.selectors import SCOPE_DIRECT, SCOPE_SUBTREE, application_list
from tests.builders import advance_to, submitted

UNIT_UNDER_COUNTY, CITY_DIRECT_UNIT, PROVINCE_DIRECT_UNIT = (
    "U420102001",
    "U420100901",
    "U420000901",
)
JIANGAN = "420102"


@pytest.fixture
def at_province(tree, health_project, tcm_project):
    """One application of each entry kind, reported all the way up, so that every tier on
    its chain sees it (下级所有) and only the right ones count it as 本级直属."""
    return {
        "unit_under_county": advance_to(
            submitted(health_project, tree[UNIT_UNDER_COUNTY]), "province"
        ),
        "city_direct_unit": advance_to(
            submitted(health_project, tree[CITY_DIRECT_UNIT]), "province"
        ),
        "province_direct_unit": advance_to(
            submitted(health_project, tree[PROVINCE_DIRECT_UNIT]), "province"
        ),
        "tcm_county_entry": advance_to(
            submitted(tcm_project, tree[JIANGAN], track="apprenticeship"), "province"
        ),
    }


@pytest.fixture
def viewers(tree, reviewers):
    """The demo reviewers plus one reviewer at the 市直 and at the 省直 unit."""
    return {
        **reviewers,
        "unit_city_direct": reviewer_add(
            institution=tree[CITY_DIRECT_UNIT], username="unit_city_direct", password="x"
        ),
        "unit_province_direct": reviewer_add(
            institution=tree[PROVINCE_DIRECT_UNIT], username="unit_province_direct", password="x"
        ),
    }


ALL = {"unit_under_county", "city_direct_unit", "province_direct_unit", "tcm_county_entry"}

# viewer → (下级所有, 本级直属)
EXPECTED = {
    "unit_a": ({"unit_under_county"}, {"unit_under_county"}),
    "unit_city_direct": ({"city_direct_unit"}, {"city_direct_unit"}),
    "unit_province_direct": ({"province_direct_unit"}, {"province_direct_unit"}),
    "county_jiangan": (
        {"unit_under_county", "tcm_county_entry"},
        {"unit_under_county", "tcm_county_entry"},
    ),
    "county_wuchang": (set(), set()),
    # The city: its 市直 unit and the county bureau directly under it are 本级直属; a unit
    # under one of its counties is not (the county sits between).
    "city_wuhan": (
        {"unit_under_county", "city_direct_unit", "tcm_county_entry"},
        {"city_direct_unit", "tcm_county_entry"},
    ),
    "city_yichang": (set(), set()),
    "province": (ALL, {"province_direct_unit"}),
}


def _names(queryset, apps) -> set[str]:
    by_pk = {a.pk: name for name, a in apps.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("viewer", sorted(EXPECTED))
def test_direct_is_entry_here_or_a_direct_child(at_province, viewers, viewer):
    subtree, direct = EXPECTED[viewer]
    user = viewers[viewer]
    assert (
        _names(application_list(business=None, user=user, scope=SCOPE_SUBTREE), at_province)
        == subtree
    )
    assert (
        _names(application_list(business=None, user=user, scope=SCOPE_DIRECT), at_province)
        == direct
    )


def test_direct_at_city_before_it_goes_further_up(tree, reviewers, tcm_project):
    """The city sees a county-entry TCM application as 本级直属 as soon as it arrives."""
    application = advance_to(submitted(tcm_project, tree[JIANGAN], track="practice"), "city")
    direct = application_list(business=None, user=reviewers["city_wuhan"], scope=SCOPE_DIRECT)
    assert list(direct.values_list("pk", flat=True)) == [application.pk]


def test_city_default_list_shows_the_county_entry(client, tree, reviewers, tcm_project):
    """The admin list opens on 本级直属: the city's default list holds the TCM application
    entered at a county bureau directly under it (it showed 0 rows)."""
    application = advance_to(submitted(tcm_project, tree[JIANGAN], track="practice"), "city")
    client.force_login(reviewers["city_wuhan"])
    response = client.get(reverse("admin:review_reviewapplication_changelist"))
    assert [row.pk for row in response.context["cl"].result_list] == [application.pk]
