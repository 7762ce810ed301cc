"""机构与账号 through the admin screens: the reviewer account list, its forms and actions, the
institution admin, and Django's own auth admins."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people import services
from people.permissions import Perm
from tests.people.account_helpers import (
    CHANGELIST,
    STRONG,
    UNIT_A,
    UNIT_B,
    UNIT_C,
    User,
    colleague,
    last_log,
    snapshot,
    user_perms,
)
from tests.tree import JIANGAN, REVIEWER_PASSWORD

ADD = reverse("admin:people_reviewermembership_add")
INSTITUTIONS = reverse("admin:people_institution_changelist")


# --- the admin screens -----------------------------------------------------------------------


@pytest.fixture
def login(reviewers):
    def _login(user_or_name):
        user = reviewers[user_or_name] if isinstance(user_or_name, str) else user_or_name
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        return client

    return _login


def listed(response) -> set[str]:
    return {m.user.username for m in response.context["cl"].queryset}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def change_url(user) -> str:
    return reverse("admin:people_reviewermembership_change", args=[user.reviewer_membership.pk])


def action_url(name, user) -> str:
    return reverse(f"admin:people_reviewermembership_{name}", args=[user.reviewer_membership.pk])


class TestAccountAdmin:
    @pytest.mark.parametrize(
        ("username", "expected"),
        [
            ("unit_a", {"unit_a"}),
            ("unit_b", {"unit_b"}),
            ("county_jiangan", {"county_jiangan", "unit_a", "unit_b"}),
            ("county_wuchang", {"county_wuchang", "unit_c"}),
            (
                "city_wuhan",
                {"city_wuhan", "county_jiangan", "county_wuchang", "unit_a", "unit_b", "unit_c"},
            ),
            ("city_yichang", {"city_yichang"}),
        ],
    )
    def test_list_shows_the_subtree_only(self, login, username, expected):
        response = login(username).get(CHANGELIST)
        assert response.status_code == 200
        assert listed(response) == expected

    def test_columns_and_permission_labels(self, login, reviewers, tree):
        colleague(tree, UNIT_A, "reader")
        response = login("county_jiangan").get(CHANGELIST)
        html = response.content.decode()
        for header in ("账号", "姓名", "所属机构", "启用", "权限", "最后登录"):
            assert header in html
        rows = {m.user.username: m for m in response.context["cl"].result_list}
        admin = response.context["cl"].model_admin
        assert admin.perm_list(rows["unit_a"]) == "审核、上报、核验、导出、管理"
        assert admin.perm_list(rows["reader"]) == "审核、上报、核验、导出"
        assert "从未登录" in html

    def test_no_query_per_row(self, login, reviewers, tree):
        client = login("city_wuhan")
        client.get(CHANGELIST)  # warm caches (content types, session)
        with CaptureQueriesContext(connection) as few:
            client.get(CHANGELIST)
        for i in range(12):
            colleague(tree, UNIT_C if i % 2 else UNIT_A, f"extra{i}", extra_perms=[Perm.EXPORT])
        with CaptureQueriesContext(connection) as many:
            response = client.get(CHANGELIST)
        assert len(listed(response)) == 18
        assert len(many) == len(few)

    def test_filter_by_institution_from_the_institution_list(self, login, tree):
        response = login("county_jiangan").get(
            CHANGELIST, {"institution__id__exact": tree[UNIT_A].pk}
        )
        assert response.status_code == 200
        assert listed(response) == {"unit_a"}

    def test_filters(self, login, reviewers):
        services.reviewer_account_set_active(
            actor=reviewers["county_jiangan"], user=reviewers["unit_b"], active=False
        )
        client = login("county_jiangan")
        assert listed(client.get(CHANGELIST, {"active": "0"})) == {"unit_b"}
        assert listed(client.get(CHANGELIST, {"active": "1"})) == {"county_jiangan", "unit_a"}
        units = client.get(CHANGELIST, {"institution__tier__exact": "unit"})
        assert listed(units) == {"unit_a", "unit_b"}
        assert listed(client.get(CHANGELIST, {"q": "第二医院"})) == {"unit_b"}

    def test_other_subtrees_accounts_cannot_be_opened(self, login, reviewers):
        client = login("unit_b")
        target = reviewers["unit_a"]
        response = client.get(change_url(target))
        assert response.status_code == 302  # Django admin: "不存在" and back to the index
        assert response.url == reverse("admin:index")
        for name in ("edit_perms", "reset_password", "toggle_active"):
            assert client.get(action_url(name, target)).status_code == 404
            assert (
                client.post(
                    action_url(name, target),
                    {"password1": STRONG, "password2": STRONG, "perms": ["manage_institution"]},
                ).status_code
                == 404
            )
        target.refresh_from_db()
        assert target.is_active and target.check_password(REVIEWER_PASSWORD)
        assert not user_perms(target, target.reviewer_membership.institution) - {Perm.MANAGE}

    def test_detail_pages_render(self, login, reviewers):
        client = login("county_jiangan")
        target = reviewers["unit_a"]
        response = client.get(change_url(target))
        assert response.status_code == 200
        html = response.content.decode()
        assert "设置权限" in html and "重置密码" in html and "启用/停用" in html
        for name, text in (
            ("edit_perms", "保存权限"),
            ("reset_password", "确认新密码"),
            ("toggle_active", "确认停用"),
        ):
            response = client.get(action_url(name, target))
            assert response.status_code == 200
            assert text in response.content.decode()
        target.refresh_from_db()
        assert target.is_active  # a GET changes nothing

    def test_non_manager_gets_403(self, login, tree):
        client = login(colleague(tree, JIANGAN, "plain"))
        for url in (CHANGELIST, ADD, INSTITUTIONS):
            assert client.get(url).status_code == 403
        index = client.get(reverse("admin:index")).content.decode()
        assert CHANGELIST not in index and INSTITUTIONS not in index

    def test_manager_sees_the_sidebar_items(self, login):
        html = login("unit_a").get(reverse("admin:index")).content.decode()
        assert CHANGELIST in html and INSTITUTIONS in html and "机构与账号" in html

    def test_candidate_is_sent_to_login(self, tree):
        candidate = services.candidate_register(phone="13800000001", password=STRONG)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(candidate.user)
        for url in (CHANGELIST, ADD, INSTITUTIONS, reverse("admin:auth_user_changelist")):
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith(reverse("admin:login"))

    def test_anonymous_is_sent_to_login(self, tree):
        response = Client(HTTP_HOST="127.0.0.1").get(CHANGELIST)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


class TestAccountForms:
    def _create_data(self, institution, **overrides):
        data = {
            "institution": institution.pk,
            "username": "wang_wu",
            "full_name": "王五",
            "password1": STRONG,
            "password2": STRONG,
            "perms": ["export_data", "manage_institution"],
        }
        data.update(overrides)
        return data

    def test_create_end_to_end(self, login, reviewers, tree):
        client = login("county_jiangan")
        page = client.get(ADD)
        assert page.status_code == 200
        choices = page.context["form"].fields["institution"].queryset
        assert set(choices.values_list("code", flat=True)) == {JIANGAN, UNIT_A, UNIT_B}

        response = client.post(ADD, self._create_data(tree[UNIT_A]))

        user = User.objects.get(username="wang_wu")
        assert response.status_code == 302
        assert response.url == change_url(user)
        assert user.first_name == "王五" and user.check_password(STRONG)
        assert user.reviewer_membership.institution == tree[UNIT_A]
        assert user_perms(user, tree[UNIT_A]) == {Perm.EXPORT, Perm.MANAGE}
        assert "已创建审核账号 wang_wu（王五）。" in messages_of(response)
        assert last_log(services.LOG_ACCOUNT_CREATED).actor == reviewers["county_jiangan"]

    def test_create_beside_the_subtree_is_not_offered(self, login, tree):
        before = snapshot()
        response = login("county_jiangan").post(ADD, self._create_data(tree[UNIT_C]))
        assert response.status_code == 200
        assert "institution" in response.context["form"].errors
        assert snapshot() == before

    def test_create_errors(self, login, tree):
        client = login("county_jiangan")
        before = snapshot()
        response = client.post(ADD, self._create_data(tree[UNIT_A], password2="other-2026-x"))
        assert response.context["form"].errors["password2"] == ["两次输入的密码不一致。"]
        response = client.post(
            ADD, self._create_data(tree[UNIT_A], password1="12345678", password2="12345678")
        )
        assert response.status_code == 200
        assert any("密码只包含数字。" in m for m in messages_of(response))
        response = client.post(ADD, self._create_data(tree[UNIT_A], username="unit_b"))
        assert "账号“unit_b”已存在，请换一个账号名。" in messages_of(response)
        assert snapshot() == before

    def test_edit_permissions(self, login, reviewers, tree):
        target = colleague(tree, UNIT_B)
        client = login("county_jiangan")
        page = client.get(action_url("edit_perms", target))
        labels = dict(page.context["form"].fields["perms"].choices)
        assert labels["review_applications"] == "审核（审核人员组已具有）"
        assert labels["manage_institution"] == "管理"

        response = client.post(
            action_url("edit_perms", target), {"perms": ["manage_institution", "export_data"]}
        )

        assert response.status_code == 302
        assert user_perms(target, tree[UNIT_B]) == {Perm.MANAGE, Perm.EXPORT}
        assert "已保存账号 colleague（李四） 的权限。" in messages_of(response)
        response = client.post(action_url("edit_perms", target), {"perms": ["export_data"]})
        assert user_perms(target, tree[UNIT_B]) == {Perm.EXPORT}
        response = client.post(action_url("edit_perms", target), {"perms": ["export_data"]})
        assert "权限没有变化。" in messages_of(response)

    def test_edit_own_permissions_refused(self, login, reviewers, tree):
        actor = reviewers["county_jiangan"]
        before = snapshot()
        response = login(actor).post(action_url("edit_perms", actor), {"perms": []})
        assert response.status_code == 200
        assert "不能修改自己的权限，请联系上级机构的管理员。" in messages_of(response)
        assert snapshot() == before

    def test_reset_password(self, login, reviewers):
        target = reviewers["unit_a"]
        client = login("county_jiangan")
        before = snapshot()
        response = client.post(
            action_url("reset_password", target), {"password1": "87654321", "password2": "87654321"}
        )
        assert response.status_code == 200
        assert any("密码只包含数字。" in m for m in messages_of(response))
        assert snapshot() == before

        response = client.post(
            action_url("reset_password", target), {"password1": STRONG, "password2": STRONG}
        )
        assert response.status_code == 302
        target.refresh_from_db()
        assert target.check_password(STRONG)
        assert "已重置账号 unit_a 的密码。" in messages_of(response)

    def test_toggle_active(self, login, reviewers):
        target = reviewers["unit_b"]
        client = login("county_jiangan")
        response = client.post(action_url("toggle_active", target))
        assert response.status_code == 302
        target.refresh_from_db()
        assert not target.is_active
        assert "已停用账号 unit_b。" in messages_of(response)
        page = client.get(action_url("toggle_active", target))
        assert "确认启用" in page.content.decode()
        client.post(action_url("toggle_active", target))
        target.refresh_from_db()
        assert target.is_active

    def test_toggle_self_refused(self, login, reviewers):
        actor = reviewers["county_jiangan"]
        response = login(actor).post(action_url("toggle_active", actor))
        assert response.status_code == 200
        assert "不能停用或启用自己的账号。" in messages_of(response)
        actor.refresh_from_db()
        assert actor.is_active

    def test_bulk_deactivate_and_activate(self, login, reviewers):
        client = login("county_jiangan")
        ids = [reviewers[n].reviewer_membership.pk for n in ("unit_a", "unit_b")]
        response = client.post(
            CHANGELIST, {"action": "deactivate_selected", "_selected_action": ids}
        )
        assert response.status_code == 302
        assert "已停用 2 个账号。" in messages_of(response)
        assert not User.objects.filter(username__in=["unit_a", "unit_b"], is_active=True).exists()
        client.post(CHANGELIST, {"action": "activate_selected", "_selected_action": ids})
        assert User.objects.filter(username__in=["unit_a", "unit_b"], is_active=True).count() == 2

    def test_bulk_with_oneself_changes_nothing(self, login, reviewers):
        client = login("county_jiangan")
        ids = [reviewers[n].reviewer_membership.pk for n in ("unit_a", "county_jiangan", "unit_b")]
        before = snapshot()
        response = client.post(
            CHANGELIST, {"action": "deactivate_selected", "_selected_action": ids}
        )
        assert "不能停用或启用自己的账号。所选账号均未修改。" in messages_of(response)
        assert snapshot() == before

    def test_bulk_ignores_accounts_outside_the_subtree(self, login, reviewers):
        client = login("county_jiangan")
        ids = [reviewers["unit_c"].reviewer_membership.pk]
        client.post(CHANGELIST, {"action": "deactivate_selected", "_selected_action": ids})
        assert User.objects.get(username="unit_c").is_active


class TestInstitutionAdmin:
    def test_list_shows_the_subtree_with_member_counts(self, login, tree):
        colleague(tree, UNIT_A, "second_a")
        response = login("county_jiangan").get(INSTITUTIONS)
        assert response.status_code == 200
        rows = {i.code: i for i in response.context["cl"].queryset}
        assert set(rows) == {JIANGAN, UNIT_A, UNIT_B}
        assert rows[UNIT_A].member_count == 2 and rows[JIANGAN].member_count == 1
        html = response.content.decode()
        for header in ("机构名称", "层级", "上级机构", "行政区划", "审核人员数", "启用"):
            assert header in html

    def test_unit_sees_itself_only(self, login, tree):
        response = login("unit_a").get(INSTITUTIONS)
        assert [i.code for i in response.context["cl"].queryset] == [UNIT_A]

    def test_search_and_filter(self, login, tree):
        client = login("city_wuhan")
        response = client.get(INSTITUTIONS, {"q": "江岸区"})
        assert {i.code for i in response.context["cl"].queryset} == {JIANGAN, UNIT_A, UNIT_B}
        response = client.get(INSTITUTIONS, {"tier__exact": "unit"})
        codes = {i.code for i in response.context["cl"].queryset}
        assert {UNIT_A, UNIT_B, UNIT_C} <= codes and JIANGAN not in codes

    def test_no_query_per_row(self, login, tree):
        client = login("province")
        client.get(INSTITUTIONS)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(INSTITUTIONS)
        assert len(response.context["cl"].result_list) > 40
        assert len(queries) < 15

    def test_read_only(self, login, tree):
        client = login("county_jiangan")
        url = reverse("admin:people_institution_change", args=[tree[UNIT_A].pk])
        response = client.get(url)
        assert response.status_code == 200
        name_before = tree[UNIT_A].name
        client.post(url, {"name": "改名", "code": "X"})
        tree[UNIT_A].refresh_from_db()
        assert tree[UNIT_A].name == name_before
        assert client.get(reverse("admin:people_institution_add")).status_code == 403
        assert (
            client.post(
                reverse("admin:people_institution_delete", args=[tree[UNIT_A].pk])
            ).status_code
            == 403
        )

    def test_other_subtree_not_reachable(self, login, tree):
        response = login("county_jiangan").get(
            reverse("admin:people_institution_change", args=[tree[UNIT_C].pk])
        )
        assert response.status_code == 302

    def test_no_guardian_permission_admin(self, login, tree):
        url = reverse("admin:people_institution_change", args=[tree[UNIT_A].pk]) + "permissions/"
        assert login("county_jiangan").get(url).status_code in (302, 404)


class TestAuthAdmins:
    @pytest.mark.parametrize("name", ["auth_user_changelist", "auth_group_changelist"])
    def test_closed_to_reviewers(self, login, name):
        assert login("province").get(reverse(f"admin:{name}")).status_code == 403

    def test_closed_even_with_global_permissions(self, login, reviewers):
        user = reviewers["province"]
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
        client = login(user)
        assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
        assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
        assert Group.objects.exists()

    def test_open_to_the_superuser(self, tree):
        root = User.objects.create_superuser(username="root", password="x")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(root)
        assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
        assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
        assert client.get(CHANGELIST).status_code == 200
        assert client.get(INSTITUTIONS).status_code == 200
