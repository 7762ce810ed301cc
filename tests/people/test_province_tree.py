"""Issue 12 item 17: every 市州 and every county of Hubei has its health bureau in the province
tree (people.province_tree), so a TCM candidate anywhere in the province can start."""

import pytest
from django.urls import reverse

from core.errors import ServiceError
from exam.models import Application
from exam.site.tcm_start import TcmStartForm
from people.institution_batch import NewInstitution, institution_create_many
from people.models import Division, Institution
from people.permissions import Perm, has_institution_perm
from people.services import institution_create, reviewer_add
from people.tiers import Tier
from tests.factories import CandidateFactory
from tests.tree import build_tree

pytestmark = pytest.mark.django_db


def test_every_hubei_county_has_a_bureau_under_its_city(tree):
    counties = Division.objects.filter(level=Division.Level.COUNTY, code__startswith="42")
    assert counties.count() == 103
    bureaus = {i.division_id: i for i in tree.of_tier(Tier.COUNTY)}
    assert set(bureaus) == set(counties.values_list("code", flat=True))
    for division in counties:
        bureau = bureaus[division.code]
        city = division.parent_id if division.parent_id != "420000" else division.code
        assert bureau.parent.code == city and bureau.parent.tier == Tier.CITY
        assert bureau.name == f"{division.name}卫生健康局"
        assert bureau.path == f"/420000/{city}/{bureau.code}/" and bureau.depth == 2
    assert tree["C429004"].parent == tree["429004"]  # 仙桃: a 市州 directly under the province


def test_tcm_start_offers_all_17_cities_and_103_counties(tree):
    form = TcmStartForm()
    assert len(form.fields["city"].choices) == 1 + 17
    assert len(form.fields["county"].choices) == 1 + 103


@pytest.mark.parametrize("code", ["422802", "C429021", "420303"])  # 利川市, 神农架林区, 十堰张湾区
def test_a_candidate_far_from_wuhan_can_start(client, tree, tcm_project, code):
    candidate = CandidateFactory()
    client.force_login(candidate.user)
    county = tree[code]
    url = reverse("apply:tcm_start") + f"?project={tcm_project.pk}"
    response = client.post(
        url, {"track": "practice", "city": county.parent_id, "county": county.pk}
    )
    assert response.status_code == 302
    assert Application.objects.get(candidate=candidate).entry_institution == county


def test_bulk_created_bureau_is_like_a_service_created_one(tree):
    """Its reviewers hold the same permissions on it as institution_create's group."""
    bulk = tree["420303"]
    single = institution_create(code="420399X", name="对照局", tier=Tier.COUNTY, parent=bulk.parent)
    for institution in (bulk, single):
        user = reviewer_add(institution=institution, username=f"r{institution.code}", password="x")
        for perm in (Perm.REVIEW, Perm.REPORT, Perm.VERIFY, Perm.EXPORT):
            assert has_institution_perm(user, perm, institution)
        assert not has_institution_perm(user, Perm.MANAGE, institution)
        assert institution.confirmation_code and institution.reviewer_group.name.endswith(
            institution.code
        )


def test_bulk_create_refuses_a_county_under_a_county_and_writes_nothing(tree):
    count = Institution.objects.count()
    with pytest.raises(ServiceError, match="上级机构只能是市州"):
        institution_create_many(
            rows=[
                NewInstitution("X1", "甲", Tier.COUNTY, tree["420100"]),
                NewInstitution("X2", "乙", Tier.COUNTY, tree["420102"]),
            ]
        )
    assert Institution.objects.count() == count


def test_rebuilding_the_tree_creates_nothing(tree, django_assert_max_num_queries):
    count = Institution.objects.count()
    with django_assert_max_num_queries(6):
        again = build_tree()
    assert Institution.objects.count() == count == len(again.by_code)
