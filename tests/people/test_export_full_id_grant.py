"""导出完整证件号码 is granted like 管理: per account, in the accounts admin (新增 and 修改权限),
never by the institution's reviewer group; the export then offers the checkbox."""

from django.test import Client
from django.urls import reverse

from people.exports import may_export_full_id
from people.permissions import Perm
from tests.people.account_helpers import STRONG, UNIT_A, UNIT_B, User, colleague, user_perms

ADD = reverse("admin:people_reviewermembership_add")
LABEL = "导出完整证件号码"


def _login(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _edit_url(user) -> str:
    return reverse("admin:people_reviewermembership_edit_perms", args=[user.reviewer_membership.pk])


def test_the_add_form_offers_and_saves_it(reviewers, tree):
    client = _login(reviewers["county_jiangan"])
    page = client.get(ADD)
    labels = dict(page.context["form"].fields["perms"].choices)
    # Not one of the group's: no “（审核人员组已具有）”.
    assert labels[Perm.EXPORT_FULL_ID.value] == LABEL
    assert LABEL in page.content.decode()
    response = client.post(
        ADD,
        {
            "institution": tree[UNIT_A].pk,
            "username": "wang_wu",
            "full_name": "王五",
            "password1": STRONG,
            "password2": STRONG,
            "perms": [Perm.EXPORT_FULL_ID.value],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="wang_wu")
    assert user_perms(user, tree[UNIT_A]) == {Perm.EXPORT_FULL_ID}
    assert may_export_full_id(user)


def test_the_permission_form_grants_and_takes_it_back(reviewers, tree):
    target = colleague(tree, UNIT_B)
    assert not may_export_full_id(target)
    client = _login(reviewers["county_jiangan"])
    page = client.get(_edit_url(target))
    assert page.status_code == 200 and LABEL in page.content.decode()
    client.post(_edit_url(target), {"perms": [Perm.EXPORT.value, Perm.EXPORT_FULL_ID.value]})
    assert user_perms(target, tree[UNIT_B]) == {Perm.EXPORT, Perm.EXPORT_FULL_ID}
    assert may_export_full_id(target)
    client.post(_edit_url(target), {"perms": [Perm.EXPORT.value]})
    assert user_perms(target, tree[UNIT_B]) == {Perm.EXPORT}
    assert not may_export_full_id(target)
