"""The permission selector: who sees which applications, by tier, scope and report state."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from guardian.shortcuts import remove_perm

from exam.models import Application, EducationRecord
from people.permissions import Perm
from review.selectors import (
    SCOPE_DIRECT,
    SCOPE_SUBTREE,
    application_get,
    application_list,
    material_list,
)
from tests.builders import advance_to, submitted, superuser
from tests.review.scenario import EXPECTED, UNIT_B


def _names(queryset, apps):
    by_pk = {a.pk: name for name, a in apps.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_scope_subtree_and_direct(apps, reviewers, username):
    user = reviewers[username]
    subtree, direct = EXPECTED[username]
    assert _names(application_list(business=None, user=user, scope=SCOPE_SUBTREE), apps) == subtree
    assert _names(application_list(business=None, user=user, scope=SCOPE_DIRECT), apps) == direct


@pytest.mark.parametrize("username", sorted(EXPECTED))
@pytest.mark.parametrize("scope", [SCOPE_SUBTREE, SCOPE_DIRECT])
def test_material_list_is_the_materials_of_the_visible_applications(
    apps, materials, reviewers, username, scope
):
    """material_list filters through the join; it must match application_list exactly."""
    user = reviewers[username]
    for permission in (Perm.VERIFY, Perm.REVIEW):
        visible = application_list(business=None, user=user, permission=permission, scope=scope)
        expected = set(
            EducationRecord.objects.filter(application__in=visible).values_list("pk", flat=True)
        )
        listed = material_list(
            business=None, user=user, model=EducationRecord, permission=permission, scope=scope
        )
        assert set(listed.values_list("pk", flat=True)) == expected
        assert len(expected) == len(EXPECTED[username][0 if scope == SCOPE_SUBTREE else 1])


def test_material_list_for_superuser_and_outsiders(apps, materials):
    assert material_list(business=None, user=superuser(), model=EducationRecord).count() == len(
        apps
    )
    assert material_list(business=None, user=AnonymousUser(), model=EducationRecord).count() == 0


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_get_outside_scope_is_does_not_exist(apps, reviewers, username):
    user = reviewers[username]
    visible, _ = EXPECTED[username]
    for name, application in apps.items():
        if name in visible:
            assert application_get(user=user, pk=application.pk) == application
        else:
            with pytest.raises(Application.DoesNotExist):
                application_get(user=user, pk=application.pk)


def test_nothing_visible_before_it_is_reported_up(apps, reviewers):
    # a_pending is visible to unit_a only; once reported it shows up for the county too.
    county = reviewers["county_jiangan"]
    assert not application_list(business=None, user=county).filter(pk=apps["a_pending"].pk).exists()
    advance_to(apps["a_pending"], "county")
    assert application_list(business=None, user=county).filter(pk=apps["a_pending"].pk).exists()
    assert (
        not application_list(business=None, user=reviewers["city_wuhan"])
        .filter(pk=apps["a_pending"].pk)
        .exists()
    )


def test_users_without_institution_permission_see_nothing(apps):
    User = get_user_model()
    plain = User.objects.create_user("plain", password="x", is_staff=True)
    # Global model permissions never count: only object permissions on institutions do.
    plain.user_permissions.add(Permission.objects.get(codename="review_applications"))
    plain = User.objects.get(pk=plain.pk)
    assert application_list(business=None, user=plain).count() == 0
    assert application_list(business=None, user=AnonymousUser()).count() == 0
    inactive = User.objects.get(username="unit_a")
    inactive.is_active = False
    assert application_list(business=None, user=inactive).count() == 0


def test_superuser_sees_everything(apps):
    assert application_list(business=None, user=superuser()).count() == len(apps)


def test_permission_kind_is_respected(apps, tree, reviewers):
    unit_b = tree[UNIT_B]
    remove_perm(Perm.EXPORT.full, unit_b.reviewer_group, unit_b)
    user = get_user_model().objects.get(username="unit_b")
    assert _names(application_list(business=None, user=user, permission=Perm.REVIEW), apps) == {
        "b_pending"
    }
    assert application_list(business=None, user=user, permission=Perm.EXPORT).count() == 0


def test_selector_query_count_does_not_grow_with_rows(apps, reviewers, django_assert_num_queries):
    user = reviewers["unit_a"]
    with django_assert_num_queries(2) as captured:
        rows = list(application_list(business=None, user=user))
    assert len(rows) == 5
    advance_to(submitted(apps["a_draft"].project, apps["a_draft"].entry_institution), "county")
    with django_assert_num_queries(len(captured.captured_queries)):
        assert len(list(application_list(business=None, user=user))) == 6
