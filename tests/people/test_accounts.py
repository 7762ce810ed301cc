"""机构与账号: an institution's administrator (管理) manages the reviewer accounts and the
object permissions of its own institution and subtree, never above or beside it; here through
the services. The admin screens are in test_accounts_admin.py."""

import pytest
from django.http import HttpRequest
from django.test import Client
from guardian.shortcuts import assign_perm, get_perms

from core.audit import log_action_label
from core.errors import ServiceError
from people import services
from people.models import (
    ReviewerMembership,
)
from people.permissions import Perm, has_institution_perm
from people.selectors import managed_institutions, manages, reviewer_accounts
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
from tests.tree import JIANGAN, PROVINCE_CODE, REVIEWER_PASSWORD, WUCHANG, WUHAN, YICHANG

GROUP_PERMS = {Perm.REVIEW, Perm.REPORT, Perm.VERIFY, Perm.EXPORT}


def refused(func, **kwargs) -> str:
    with pytest.raises(ServiceError) as info:
        func(**kwargs)
    return info.value.message


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
            # The group's four and the two granted; 导出完整证件号码 only when granted.
            expected = perm is not Perm.EXPORT_FULL_ID
            assert has_institution_perm(user, perm, tree[UNIT_A]) is expected, perm
        for code in (JIANGAN, UNIT_B, WUHAN):
            assert not any(has_institution_perm(user, p, tree[code]) for p in Perm), code

        log = last_log(services.LOG_ACCOUNT_CREATED)
        assert log.action == "account.created"
        assert (log.actor, log.institution_id, log.tier) == (actor, tree[UNIT_A].pk, "unit")
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
        assert (log.actor, log.institution_id) == (reviewers["city_wuhan"], jiangan.pk)
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
        assert (log.actor, log.institution_id, log.from_state, log.to_state) == (
            actor,
            tree[UNIT_A].pk,
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
        assert (log.actor, log.institution_id) == (actor, tree[UNIT_B].pk)
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
            assert log_action_label(code) == label
