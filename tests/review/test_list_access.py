"""The review and 专项信息 lists take the user's institutions from the permissions read once
per request (people.access), not from a query of their own: a permission granted or taken
away shows on the next page, and the guardian tables are read once per page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm, remove_perm

from people.permissions import Perm
from tests.builders import in_health_business, submitted
from tests.review.materials import education
from tests.review.scenario import UNIT_A, UNIT_B

LISTS = [
    ("admin:review_reviewapplication_changelist", Perm.REVIEW, False),
    ("admin:review_verifyeducation_changelist", Perm.VERIFY, True),
]


def _listed(client, url: str, materials: bool) -> set[int]:
    cl = client.get(url).context["cl"]
    return {row.application_id if materials else row.pk for row in cl.result_list}


@pytest.mark.parametrize(("changelist", "perm", "materials"), LISTS)
def test_a_permission_change_shows_on_the_next_page(
    client, reviewers, tree, health_project, material_media, changelist, perm, materials
):
    user = in_health_business(reviewers["unit_a"])
    client.force_login(user)
    own = submitted(health_project, tree[UNIT_A])
    other = submitted(health_project, tree[UNIT_B])
    if materials:
        education(own, graduated=2015)
        education(other, graduated=2016)
    url = reverse(changelist)
    assert _listed(client, url, materials) == {own.pk}

    assign_perm(perm.full, user, tree[UNIT_B])
    assert _listed(client, url, materials) == {own.pk, other.pk}

    remove_perm(perm.full, user, tree[UNIT_B])
    assert _listed(client, url, materials) == {own.pk}


@pytest.mark.parametrize(("changelist", "perm", "materials"), LISTS)
def test_the_permissions_are_read_once_per_page(
    client, reviewers, tree, health_project, material_media, changelist, perm, materials
):
    client.force_login(in_health_business(reviewers["unit_a"]))
    url = reverse(changelist)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    reads = [
        q["sql"] for q in captured.captured_queries if "institutionuserobjectpermission" in q["sql"]
    ]
    assert len(reads) == 1, reads
