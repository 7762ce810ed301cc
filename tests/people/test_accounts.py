"""机构与账号: an institution's administrator (管理) manages the reviewer accounts and the
object permissions of its own institution and subtree, never above or beside it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_perms

from people import services
from people.models import (
    InstitutionGroupObjectPermission,
    InstitutionUserObjectPermission,
    ReviewerMembership,
)
from people.selectors import managed_institutions, manages, reviewer_accounts
from review import workflow
from review.errors import ServiceError
from review.models import ReviewLog
from review.permissions import Perm, has_institution_perm
from tests.tree import JIANGAN, PROVINCE_CODE, REVIEWER_PASSWORD, WUCHANG, WUHAN, YICHANG

User = get_user_model()

UNIT_A, UNIT_B, UNIT_C = "U420102001", "U420102002", "U420106001"
GROUP_PERMS = {Perm.REVIEW, Perm.REPORT, Perm.VERIFY, Perm.EXPORT}
STRONG = "Zhang-2026-strong"

CHANGELIST = reverse("admin:people_reviewermembership_changelist")
ADD = reverse("admin:people_reviewermembership_add")
INSTITUTIONS = reverse("admin:people_institution_changelist")


def refused(func, **kwargs) -> str:
    with pytest.raises(ServiceError) as info:
        func(**kwargs)
    return info.value.message


def snapshot() -> tuple:
    """Everything the account services may write."""
    return (
        list(User.objects.order_by("pk").values_list("pk", "is_active", "password")),
        list(ReviewerMembership.objects.order_by("pk").values_list("pk", "institution_id")),
        sorted(
            InstitutionUserObjectPermission.objects.values_list(
                "user_id", "content_object_id", "permission_id"
            )
        ),
        sorted(
            InstitutionGroupObjectPermission.objects.values_list(
                "group_id", "content_object_id", "permission_id"
            )
        ),
        list(User.groups.through.objects.order_by("pk").values_list("user_id", "group_id")),
        ReviewLog.objects.count(),
    )


def create(actor, institution, username="new_reviewer", perms=(), **kwargs):
    return services.reviewer_account_create(
        actor=actor,
        institution=institution,
        username=username,
        full_name=kwargs.pop("full_name", "张三"),
        password=kwargs.pop("password", STRONG),
        perms=perms,
        **kwargs,
    )


def colleague(tree, code, username="colleague", extra_perms=()):
    """A plain reviewer of an institution (its group's permissions only)."""
    return services.reviewer_add(
        institution=tree[code],
        username=username,
        password=STRONG,
        extra_perms=extra_perms,
        full_name="李四",
    )


def last_log(action):
    return ReviewLog.objects.filter(action=action).latest("created_at", "id")


def user_perms(user, institution) -> set[Perm]:
    return {
        Perm(c)
        for c in InstitutionUserObjectPermission.objects.filter(
            user=user, content_object=institution
        ).values_list("permission__codename", flat=True)
    }


# --- scope: who manages what ---------------------------------------------------------------


class TestScope:
    def test_managed_subtrees(self, reviewers, tree):
        codes = set(
            managed_institutions(reviewers["county_jiangan"]).values_list("code", flat=True)
        )
        assert codes == {JIANGAN, UNIT_A, UNIT_B}
        assert list(managed_institutions(reviewers["unit_a"]).values_list("code", flat=True)) == [
            UNIT_A
        ]
        wuhan = set(managed_institutions(reviewers["city_wuhan"]).values_list("code", flat=True))
        assert {WUHAN, JIANGAN, WUCHANG, UNIT_A, UNIT_C} <= wuhan
        assert not wuhan & {PROVINCE_CODE, YICHANG}
        assert managed_institutions(reviewers["province"]).count() == len(tree.by_code)

    def test_manages(self, reviewers, tree):
        county = reviewers["county_jiangan"]
        assert manages(county, tree[UNIT_A]) and manages(county, tree[JIANGAN])
        assert not manages(county, tree[UNIT_C])
        assert not manages(county, tree[WUHAN])
        assert not manages(reviewers["unit_a"], tree[JIANGAN])

    def test_several_roots_in_one_query(self, reviewers, tree, django_assert_num_queries):
        user = colleague(tree, UNIT_C, "two_roots", extra_perms=[Perm.MANAGE])
        assign_perm(Perm.MANAGE.full, user, tree[YICHANG])
        with django_assert_num_queries(2):  # the roots, then the institutions
            codes = set(managed_institutions(user).values_list("code", flat=True))
        assert UNIT_C in codes and YICHANG in codes and "420502" in codes
        assert not codes & {JIANGAN, WUCHANG, WUHAN, PROVINCE_CODE}

    def test_reviewer_accounts_never_include_superusers(self, reviewers, tree):
        root = User.objects.create_superuser(username="root", password="x")
        ReviewerMembership.objects.create(user=root, institution=tree[UNIT_A])
        names = set(
            reviewer_accounts(reviewers["county_jiangan"]).values_list("user__username", flat=True)
        )
        assert names == {"county_jiangan", "unit_a", "unit_b"}


# --- reviewer_account_create -----------------------------------------------------------------


class TestCreate:
    def test_county_creates_an_account_in_its_unit(self, reviewers, tree):
        actor = reviewers["county_jiangan"]
        user = create(actor, tree[UNIT_A], perms=[Perm.EXPORT, Perm.MANAGE])

        user.refresh_from_db()
        assert user.is_active and user.is_staff and not user.is_superuser
        assert user.first_name == "张三"
        assert user.check_password(STRONG)
        assert user.reviewer_membership.institution == tree[UNIT_A]
        assert list(user.groups.all()) == [tree[UNIT_A].reviewer_group]
        assert user_perms(user, tree[UNIT_A]) == {Perm.EXPORT, Perm.MANAGE}
        for perm in Perm:
            assert has_institution_perm(user, perm, tree[UNIT_A]), perm
        for code in (JIANGAN, UNIT_B, WUHAN):
            assert not any(has_institution_perm(user, p, tree[code]) for p in Perm), code

        log = last_log(services.LOG_ACCOUNT_CREATED)
        assert log.action == "account.created"
        assert (log.actor, log.institution, log.tier) == (actor, tree[UNIT_A], "unit")
        assert "new_reviewer（张三）" in log.remark and "导出、管理" in log.remark
        assert STRONG not in log.remark

    def test_county_cannot_create_beside_its_subtree(self, reviewers, tree):
        before = snapshot()
        message = refused(create, actor=reviewers["county_jiangan"], institution=tree[UNIT_C])
        assert message == (
            f"您没有“{tree[UNIT_C].name}”的管理权限：只能管理本机构及其下级机构的账号。"
        )
        assert snapshot() == before
        assert not User.objects.filter(username="new_reviewer").exists()

    def test_unit_creates_in_its_own_unit_but_not_in_its_county(self, reviewers, tree):
        actor = reviewers["unit_a"]
        user = create(actor, tree[UNIT_A], username="unit_a_2")
        assert user.reviewer_membership.institution == tree[UNIT_A]
        before = snapshot()
        refused(create, actor=actor, institution=tree[JIANGAN], username="unit_a_3")
        refused(create, actor=actor, institution=tree[UNIT_B], username="unit_a_4")
        assert snapshot() == before

    @pytest.mark.parametrize("username", ["city_wuhan", "province"])
    def test_higher_tiers_create_anywhere_below(self, reviewers, tree, username):
        user = create(reviewers[username], tree[UNIT_C], perms=[Perm.MANAGE])
        assert has_institution_perm(user, Perm.MANAGE, tree[UNIT_C])

    def test_city_cannot_create_in_another_city_or_above(self, reviewers, tree):
        before = snapshot()
        refused(create, actor=reviewers["city_wuhan"], institution=tree["420502"])
        refused(create, actor=reviewers["city_wuhan"], institution=tree[PROVINCE_CODE])
        assert snapshot() == before

    def test_superuser_may_create_anywhere(self, tree):
        root = User.objects.create_superuser(username="root", password="x")
        user = create(root, tree[YICHANG])
        assert user.reviewer_membership.institution == tree[YICHANG]

    def test_plain_reviewer_cannot_create(self, reviewers, tree):
        actor = colleague(tree, JIANGAN)
        before = snapshot()
        refused(create, actor=actor, institution=tree[UNIT_A])
        assert snapshot() == before

    def test_inactive_manager_cannot_create(self, reviewers, tree):
        actor = reviewers["county_jiangan"]
        actor.is_active = False
        actor.save()
        before = snapshot()
        refused(create, actor=actor, institution=tree[UNIT_A])
        assert snapshot() == before

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"username": "unit_a"}, "账号“unit_a”已存在，请换一个账号名。"),
            ({"username": "UNIT_A"}, "账号“UNIT_A”已存在，请换一个账号名。"),
            ({"username": "  "}, "请填写账号。"),
            ({"username": "有 空格"}, "账号："),
            ({"full_name": " "}, "请填写姓名。"),
            ({"password": ""}, "请输入密码。"),
            ({"password": "12345678"}, "密码只包含数字。"),
            ({"password": "abc"}, "密码长度太短。密码必须包含至少 8 个字符。"),
            ({"perms": ["superpower"]}, "未知的权限：superpower。"),
        ],
    )
    def test_invalid_input_creates_nothing(self, reviewers, tree, kwargs, message):
        before = snapshot()
        result = refused(
            create, actor=reviewers["county_jiangan"], institution=tree[UNIT_A], **kwargs
        )
        assert message in result
        assert snapshot() == before

    def test_inactive_institution(self, reviewers, tree):
        unit = tree[UNIT_B]
        unit.is_active = False
        unit.save()
        before = snapshot()
        message = refused(create, actor=reviewers["county_jiangan"], institution=unit)
        assert message == f"“{unit.name}”已停用，不能创建账号。"
        assert snapshot() == before


# --- institution_perms_set -------------------------------------------------------------------


class TestPermissions:
    def test_city_grants_manage_on_a_county(self, reviewers, tree):
        jiangan = tree[JIANGAN]
        user = colleague(tree, JIANGAN)
        assert not has_institution_perm(user, Perm.MANAGE, jiangan)

        granted, revoked = services.institution_perms_set(
            actor=reviewers["city_wuhan"], institution=jiangan, user=user, perms=[Perm.MANAGE]
        )

        assert (granted, revoked) == ([Perm.MANAGE], [])
        assert has_institution_perm(user, Perm.MANAGE, jiangan)
        assert user_perms(user, jiangan) == {Perm.MANAGE}
        # The new manager manages the county's subtree now, and nothing else.
        assert manages(user, tree[UNIT_A]) and not manages(user, tree[UNIT_C])
        log = last_log(services.LOG_ACCOUNT_PERMS_CHANGED)
        assert (log.actor, log.institution) == (reviewers["city_wuhan"], jiangan)
        assert log.remark == "账号 colleague（李四）：授予 管理（单独授予的权限现为：管理）"

    def test_county_cannot_grant_beside_its_subtree(self, reviewers, tree):
        user = colleague(tree, JIANGAN)
        before = snapshot()
        message = refused(
            services.institution_perms_set,
            actor=reviewers["county_wuchang"],
            institution=tree[JIANGAN],
            user=user,
            perms=[Perm.MANAGE],
        )
        assert "您没有“江岸区卫生健康局”的管理权限" in message
        assert snapshot() == before
        assert not has_institution_perm(user, Perm.MANAGE, tree[JIANGAN])

    def test_unit_cannot_grant_above(self, reviewers, tree):
        """unit_a cannot make anyone a manager of its county, not even a county account."""
        user = colleague(tree, JIANGAN)
        before = snapshot()
        refused(
            services.institution_perms_set,
            actor=reviewers["unit_a"],
            institution=tree[JIANGAN],
            user=user,
            perms=[Perm.MANAGE],
        )
        assert snapshot() == before

    def test_only_on_the_accounts_own_institution(self, reviewers, tree):
        """The city manages both, yet a unit account gets nothing on the county above it."""
        user = colleague(tree, UNIT_A)
        before = snapshot()
        message = refused(
            services.institution_perms_set,
            actor=reviewers["city_wuhan"],
            institution=tree[JIANGAN],
            user=user,
            perms=[Perm.MANAGE],
        )
        assert "只能设置其所属机构的权限" in message
        assert snapshot() == before

    def test_grant_and_revoke_leave_the_group_alone(self, reviewers, tree):
        unit = tree[UNIT_A]
        user = colleague(tree, UNIT_A, extra_perms=[Perm.EXPORT])
        group_before = set(get_perms(unit.reviewer_group, unit))

        granted, revoked = services.institution_perms_set(
            actor=reviewers["county_jiangan"],
            institution=unit,
            user=user,
            perms=[Perm.MANAGE.value, Perm.REVIEW.value],
        )

        assert (granted, revoked) == ([Perm.REVIEW, Perm.MANAGE], [Perm.EXPORT])
        assert user_perms(user, unit) == {Perm.REVIEW, Perm.MANAGE}
        assert set(get_perms(unit.reviewer_group, unit)) == group_before
        # Export is still there through the group.
        assert has_institution_perm(user, Perm.EXPORT, unit)
        assert last_log(services.LOG_ACCOUNT_PERMS_CHANGED).remark == (
            "账号 colleague（李四）：授予 审核、管理；撤销 导出（单独授予的权限现为：审核、管理）"
        )

    def test_no_change_writes_nothing(self, reviewers, tree):
        user = colleague(tree, UNIT_A, extra_perms=[Perm.EXPORT])
        before = snapshot()
        result = services.institution_perms_set(
            actor=reviewers["county_jiangan"],
            institution=tree[UNIT_A],
            user=user,
            perms=["export_data"],
        )
        assert result == ([], [])
        assert snapshot() == before

    def test_not_on_oneself(self, reviewers, tree):
        actor = reviewers["county_jiangan"]
        before = snapshot()
        message = refused(
            services.institution_perms_set,
            actor=actor,
            institution=tree[JIANGAN],
            user=actor,
            perms=[],
        )
        assert message == "不能修改自己的权限，请联系上级机构的管理员。"
        assert snapshot() == before

    def test_not_on_superusers_or_non_reviewers(self, reviewers, tree):
        root = User.objects.create_superuser(username="root", password="x")
        ReviewerMembership.objects.create(user=root, institution=tree[UNIT_A])
        outsider = User.objects.create_user(username="outsider", password="x")
        before = snapshot()
        for target, message in (
            (root, "系统管理员账号不能在这里管理。"),
            (outsider, "“outsider”不是审核人员账号，不能在这里管理。"),
        ):
            assert (
                refused(
                    services.institution_perms_set,
                    actor=reviewers["province"],
                    institution=tree[UNIT_A],
                    user=target,
                    perms=[Perm.MANAGE],
                )
                == message
            )
        assert snapshot() == before


# --- reviewer_account_set_active -------------------------------------------------------------


class TestActive:
    def test_deactivate_and_reactivate(self, reviewers, tree, client):
        actor, user = reviewers["county_jiangan"], reviewers["unit_a"]
        assert client.login(request=HttpRequest(), username="unit_a", password=REVIEWER_PASSWORD)

        services.reviewer_account_set_active(actor=actor, user=user, active=False)

        user.refresh_from_db()
        assert not user.is_active
        assert not has_institution_perm(user, Perm.REVIEW, tree[UNIT_A])
        assert not Client().login(
            request=HttpRequest(), username="unit_a", password=REVIEWER_PASSWORD
        )
        log = last_log(services.LOG_ACCOUNT_DEACTIVATED)
        assert (log.actor, log.institution, log.from_state, log.to_state) == (
            actor,
            tree[UNIT_A],
            "启用",
            "停用",
        )
        assert log.remark == "停用账号 unit_a"
        # The open session ends at its next request.
        client.defaults["HTTP_HOST"] = "127.0.0.1"
        assert client.get(CHANGELIST).status_code == 302

        before = snapshot()
        assert refused(
            services.reviewer_account_set_active, actor=actor, user=user, active=False
        ) == ("账号 unit_a 已是停用状态。")
        assert snapshot() == before

        services.reviewer_account_set_active(actor=actor, user=user, active=True)
        user.refresh_from_db()
        assert user.is_active
        assert Client().login(request=HttpRequest(), username="unit_a", password=REVIEWER_PASSWORD)
        assert last_log(services.LOG_ACCOUNT_ACTIVATED).to_state == "启用"

    def test_not_oneself(self, reviewers):
        actor = reviewers["county_jiangan"]
        before = snapshot()
        message = refused(
            services.reviewer_account_set_active, actor=actor, user=actor, active=False
        )
        assert message == "不能停用或启用自己的账号。"
        assert snapshot() == before

    @pytest.mark.parametrize("username", ["unit_b", "county_wuchang", "unit_a"])
    def test_not_beside_or_above(self, reviewers, username):
        target = reviewers["county_jiangan"] if username == "unit_a" else reviewers["unit_a"]
        before = snapshot()
        refused(
            services.reviewer_account_set_active,
            actor=reviewers[username],
            user=target,
            active=False,
        )
        assert snapshot() == before


# --- reviewer_password_reset -----------------------------------------------------------------


class TestPasswordReset:
    def test_reset(self, reviewers, tree):
        actor, user = reviewers["county_jiangan"], reviewers["unit_b"]
        services.reviewer_password_reset(actor=actor, user=user, password=STRONG)
        user.refresh_from_db()
        assert user.check_password(STRONG)
        log = last_log(services.LOG_ACCOUNT_PASSWORD_RESET)
        assert (log.actor, log.institution) == (actor, tree[UNIT_B])
        assert log.remark == "重置账号 unit_b 的密码"
        assert STRONG not in log.remark

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("12345678", "密码只包含数字。"),
            ("a1b2", "密码长度太短。密码必须包含至少 8 个字符。"),
            ("", "请输入密码。"),
        ],
    )
    def test_weak_password_refused_in_chinese(self, reviewers, password, message):
        user = reviewers["unit_b"]
        before = snapshot()
        result = refused(
            services.reviewer_password_reset,
            actor=reviewers["county_jiangan"],
            user=user,
            password=password,
        )
        assert message in result
        assert snapshot() == before
        user.refresh_from_db()
        assert user.check_password(REVIEWER_PASSWORD)

    def test_not_beside(self, reviewers):
        before = snapshot()
        refused(
            services.reviewer_password_reset,
            actor=reviewers["county_wuchang"],
            user=reviewers["unit_b"],
            password=STRONG,
        )
        assert snapshot() == before

    def test_log_labels(self):
        for code, label in {
            "account.created": "创建审核账号",
            "account.deactivated": "停用审核账号",
            "account.activated": "启用审核账号",
            "account.password_reset": "重置审核账号密码",
            "account.perms_changed": "修改审核账号权限",
        }.items():
            assert workflow.LOG_LABELS[code] == label


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
