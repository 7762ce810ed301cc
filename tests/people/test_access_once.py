"""people.access answers every permission question of a request from one query, with the
same answers as people.permissions (guardian) gives one question at a time."""

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from people.access import has_perm_on, has_perm_somewhere, is_provincial_staff
from people.permissions import Perm, has_institution_perm, institutions_with_perm
from tests.review.scenario import UNIT_A


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_one_query_answers_every_question_as_guardian_does(reviewers, tree):
    unit_user = reviewers["unit_a"]
    assign_perm(
        Perm.EXPORT.full, unit_user, tree[UNIT_A]
    )  # a direct permission besides the group's
    for user in (unit_user, reviewers["province"], reviewers["county_jiangan"]):
        user.refresh_from_db()
        request = _request(user)
        with CaptureQueriesContext(connection) as captured:
            somewhere = {perm: has_perm_somewhere(request, perm) for perm in Perm}
            provincial = is_provincial_staff(request)
            on_unit = {perm: has_perm_on(request, perm, tree[UNIT_A]) for perm in Perm}
        assert len(captured.captured_queries) == 1
        assert somewhere == {perm: institutions_with_perm(user, perm).exists() for perm in Perm}
        assert (
            provincial == institutions_with_perm(user, Perm.MANAGE).filter(tier="province").exists()
        )
        assert on_unit == {perm: has_institution_perm(user, perm, tree[UNIT_A]) for perm in Perm}
    # The last, county_jiangan: reviews somewhere (its county), holds nothing on the unit.
    assert somewhere[Perm.REVIEW] and not any(on_unit.values()) and not provincial
