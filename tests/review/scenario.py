"""A spread of applications over the demo tree, and who may see which (下级所有, 本级直属).

Shared by the selector tests and the admin tests."""

import pytest

from tests.builders import advance_to, new_application, submitted

UNIT_A, UNIT_B, UNIT_C = "U420102001", "U420102002", "U420106001"
CITY_DIRECT_UNIT, PROVINCE_DIRECT_UNIT, XILING_UNIT = "U420100901", "U420000901", "U420502001"


@pytest.fixture
def apps(tree, reviewers, health_project, tcm_project):
    """Applications spread over the tree; the key says where each one sits."""
    unit = lambda code: tree[code]  # noqa: E731
    return {
        "a_draft": new_application(health_project, unit(UNIT_A)),
        "a_pending": submitted(health_project, unit(UNIT_A)),
        "b_pending": submitted(health_project, unit(UNIT_B)),
        "c_pending": submitted(health_project, unit(UNIT_C)),
        "a_at_county": advance_to(submitted(health_project, unit(UNIT_A)), "county"),
        "c_at_county": advance_to(submitted(health_project, unit(UNIT_C)), "county"),
        "a_at_city": advance_to(submitted(health_project, unit(UNIT_A)), "city"),
        "citydirect_pending": submitted(health_project, unit(CITY_DIRECT_UNIT)),
        "citydirect_at_city": advance_to(submitted(health_project, unit(CITY_DIRECT_UNIT)), "city"),
        "provdirect_at_province": advance_to(
            submitted(health_project, unit(PROVINCE_DIRECT_UNIT)), "province"
        ),
        "a_at_province": advance_to(submitted(health_project, unit(UNIT_A)), "province"),
        "tcm_jiangan": submitted(tcm_project, tree["420102"], track="apprenticeship"),
        "xiling_at_city": advance_to(submitted(health_project, unit(XILING_UNIT)), "city"),
    }


# user → (visible with 下级所有, visible with 本级直属)
EXPECTED = {
    "unit_a": (
        {"a_draft", "a_pending", "a_at_county", "a_at_city", "a_at_province"},
        {"a_draft", "a_pending", "a_at_county", "a_at_city", "a_at_province"},
    ),
    "unit_b": ({"b_pending"}, {"b_pending"}),
    "unit_c": ({"c_pending", "c_at_county"}, {"c_pending", "c_at_county"}),
    "county_jiangan": (
        {"a_at_county", "a_at_city", "a_at_province", "tcm_jiangan"},
        {"a_at_county", "a_at_city", "a_at_province", "tcm_jiangan"},
    ),
    "county_wuchang": ({"c_at_county"}, {"c_at_county"}),
    "city_wuhan": ({"a_at_city", "a_at_province", "citydirect_at_city"}, {"citydirect_at_city"}),
    "city_yichang": ({"xiling_at_city"}, set()),
    "province": ({"provdirect_at_province", "a_at_province"}, {"provdirect_at_province"}),
}


# The screens show one business at a time (当前业务, review/business.py): the admin tests
# work in the health exam, where the scenario's TCM application is not listed.
TCM_APPS = {"tcm_jiangan"}
EXPECTED_HEALTH = {
    user: (subtree - TCM_APPS, direct - TCM_APPS) for user, (subtree, direct) in EXPECTED.items()
}
