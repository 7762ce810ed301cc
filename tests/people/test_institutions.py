"""The review tree: tier rules, materialised paths, confirmation codes and per-institution
permissions (django-guardian object permissions; global permissions never count)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from guardian.shortcuts import get_perms
from stdnum.cn import uscc

from core.errors import ServiceError
from core.models import AuditLogEntry
from people import services
from people.audit_actions import LOG_INSTITUTION_CODE_REGENERATED
from people.models import Institution, ReviewerMembership
from people.models.institutions import CONFIRMATION_LENGTH
from people.permissions import Perm, has_institution_perm, institutions_with_perm
from people.tiers import ALLOWED_PARENT_TIERS, Tier
from tests.tree import JIANGAN, PROVINCE_CODE, WUCHANG, WUHAN, YICHANG

User = get_user_model()

UNIT_A, UNIT_B = "U420102001", "U420102002"
WUHAN_DIRECT_UNIT, PROVINCE_DIRECT_UNIT = "U420100901", "U420000901"
DEFAULT_PERMS = {Perm.REVIEW, Perm.REPORT, Perm.VERIFY, Perm.EXPORT}

VALID_CREDIT_CODE = "91110000600037341L"
OTHER_CREDIT_CODE = "91420100177715395" + uscc.calc_check_digit("91420100177715395")


def snapshot() -> tuple[int, int]:
    return Institution.objects.count(), Group.objects.count()


def refused(func, **kwargs) -> str:
    with pytest.raises(ServiceError) as info:
        func(**kwargs)
    return info.value.message


def create(code: str, tier: str, parent: Institution | None, **kwargs) -> Institution:
    return services.institution_create(
        code=code, name=f"测试机构{code}", tier=tier, parent=parent, **kwargs
    )


# --- institution_create: tier and parent rules ---------------------------------------------------


def test_allowed_parent_tiers_are_the_design():
    assert ALLOWED_PARENT_TIERS == {
        Tier.PROVINCE: (),
        Tier.CITY: (Tier.PROVINCE,),
        Tier.COUNTY: (Tier.CITY,),
        Tier.UNIT: (Tier.COUNTY, Tier.CITY, Tier.PROVINCE),
    }


@pytest.mark.parametrize("parent_code", [JIANGAN, WUHAN, PROVINCE_CODE])
def test_unit_under_county_city_or_province(tree, parent_code):
    unit = create("UTEST0001", Tier.UNIT, tree[parent_code])
    unit.refresh_from_db()
    assert unit.parent == tree[parent_code]
    assert unit.path == f"{tree[parent_code].path}UTEST0001/"
    assert unit.reviewer_group.name == "机构审核组 UTEST0001"
    assert set(get_perms(unit.reviewer_group, unit)) == {p.value for p in DEFAULT_PERMS}


@pytest.mark.parametrize(
    ("tier", "parent_code", "message"),
    [
        (Tier.UNIT, UNIT_A, "单位的上级机构只能是区县、市州、省级。"),
        (Tier.COUNTY, PROVINCE_CODE, "区县的上级机构只能是市州。"),
        (Tier.COUNTY, JIANGAN, "区县的上级机构只能是市州。"),
        (Tier.CITY, WUHAN, "市州的上级机构只能是省级。"),
        (Tier.PROVINCE, PROVINCE_CODE, "省级机构没有上级机构。"),
        (Tier.UNIT, None, "请选择上级机构。"),
        (Tier.COUNTY, None, "请选择上级机构。"),
    ],
)
def test_tier_violations_create_nothing(tree, tier, parent_code, message):
    parent = tree[parent_code] if parent_code else None
    before = snapshot()
    assert refused(create, code="XTEST0001", tier=tier, parent=parent) == message
    assert snapshot() == before
    assert not Group.objects.filter(name="机构审核组 XTEST0001").exists()


def test_province_without_parent(reference_data):
    province = create("430000", Tier.PROVINCE, None)
    assert (province.path, province.depth) == ("/430000/", 0)
    assert province.chain() == [province]


def test_duplicate_code_refused(tree):
    before = snapshot()
    refused(create, code=UNIT_A, tier=Tier.UNIT, parent=tree[JIANGAN])
    assert snapshot() == before


class TestCreditCode:
    def test_valid_code_accepted(self, tree):
        assert uscc.is_valid(VALID_CREDIT_CODE)
        unit = create("UTEST0001", Tier.UNIT, tree[JIANGAN], credit_code=VALID_CREDIT_CODE)
        assert Institution.objects.get(pk=unit.pk).credit_code == VALID_CREDIT_CODE

    @pytest.mark.parametrize(
        "credit_code",
        [
            VALID_CREDIT_CODE[:-1] + "X",  # wrong check character
            VALID_CREDIT_CODE[:-1],  # 17 characters
            "91110000600037341I",  # I is not in the alphabet
        ],
    )
    def test_invalid_code_refused(self, tree, credit_code):
        assert not uscc.is_valid(credit_code)
        before = snapshot()
        message = refused(
            create, code="UTEST0001", tier=Tier.UNIT, parent=tree[JIANGAN], credit_code=credit_code
        )
        assert "统一社会信用代码无效" in message
        assert snapshot() == before

    def test_credit_code_unique_but_may_be_empty(self, tree):
        assert uscc.is_valid(OTHER_CREDIT_CODE)
        create("UTEST0001", Tier.UNIT, tree[JIANGAN], credit_code=OTHER_CREDIT_CODE)
        before = snapshot()
        refused(
            create,
            code="UTEST0002",
            tier=Tier.UNIT,
            parent=tree[JIANGAN],
            credit_code=OTHER_CREDIT_CODE,
        )
        assert snapshot() == before
        # Many institutions have none (the whole demo tree, for a start).
        create("UTEST0003", Tier.UNIT, tree[JIANGAN])
        assert Institution.objects.filter(credit_code="").count() == len(tree.by_code) + 1


# --- paths, chains, subtrees -----------------------------------------------------------------


class TestTree:
    @pytest.mark.parametrize(
        ("code", "chain"),
        [
            (UNIT_A, [UNIT_A, JIANGAN, WUHAN, PROVINCE_CODE]),
            (WUHAN_DIRECT_UNIT, [WUHAN_DIRECT_UNIT, WUHAN, PROVINCE_CODE]),
            (PROVINCE_DIRECT_UNIT, [PROVINCE_DIRECT_UNIT, PROVINCE_CODE]),
            (JIANGAN, [JIANGAN, WUHAN, PROVINCE_CODE]),
            (PROVINCE_CODE, [PROVINCE_CODE]),
        ],
    )
    def test_path_and_chain(self, tree, django_assert_num_queries, code, chain):
        institution = Institution.objects.get(code=code)
        assert institution.path == "/" + "/".join(reversed(chain)) + "/"
        assert institution.depth == len(chain) - 1
        assert institution.ancestor_codes == list(reversed(chain))
        with django_assert_num_queries(1):
            result = institution.chain()
        assert [i.code for i in result] == chain
        assert [i.tier for i in result][-1] == Tier.PROVINCE

    def test_tiers_of_the_demo_tree(self, tree):
        assert tree[WUHAN_DIRECT_UNIT].tier == Tier.UNIT
        assert tree[WUHAN_DIRECT_UNIT].parent.tier == Tier.CITY
        assert tree[PROVINCE_DIRECT_UNIT].parent.tier == Tier.PROVINCE
        assert len(tree.of_tier(Tier.PROVINCE)) == 1
        assert len(tree.of_tier(Tier.CITY)) == 17  # 13 prefecture-level + 仙桃 潜江 天门 神农架
        assert tree["429004"].tier == Tier.CITY

    def test_subtree_of_a_city(self, tree):
        codes = set(Institution.objects.subtree_of(tree[WUHAN]).values_list("code", flat=True))
        counties = {i.code for i in tree.of_tier(Tier.COUNTY) if i.parent_id == tree[WUHAN].pk}
        assert len(counties) == 13
        units = {"U420102001", "U420102002", "U420106001", "U420103001", "U420111001"}
        assert codes == {WUHAN, WUHAN_DIRECT_UNIT} | counties | units
        assert not codes & {PROVINCE_CODE, PROVINCE_DIRECT_UNIT, YICHANG, "U420500901"}

    def test_subtree_of_a_county_and_of_a_unit(self, tree):
        jiangan = Institution.objects.subtree_of(tree[JIANGAN])
        assert set(jiangan.values_list("code", flat=True)) == {JIANGAN, UNIT_A, UNIT_B}
        unit = Institution.objects.subtree_of(tree[UNIT_A])
        assert list(unit.values_list("code", flat=True)) == [UNIT_A]

    def test_subtree_of_the_province_is_everything(self, tree):
        assert Institution.objects.subtree_of(tree.province).count() == len(tree.by_code)

    def test_subtree_does_not_match_a_code_prefix(self, tree):
        """/420000/420100/ must not match /420000/4201009/ (the trailing slash matters)."""
        lookalike = create("4201009", Tier.CITY, tree.province)
        create("U4201009001", Tier.UNIT, lookalike)
        codes = set(Institution.objects.subtree_of(tree[WUHAN]).values_list("code", flat=True))
        assert not codes & {"4201009", "U4201009001"}
        assert Institution.objects.subtree_of(lookalike).count() == 2


# --- confirmation codes ----------------------------------------------------------------------


class TestConfirmationCode:
    def test_codes_are_unique_and_readable(self, tree):
        codes = list(Institution.objects.values_list("confirmation_code", flat=True))
        assert len(codes) == len(tree.by_code) > 40
        assert len(set(codes)) == len(codes)
        for code in codes:
            assert len(code) == CONFIRMATION_LENGTH == 8
            assert code.isalnum() and code.upper() == code
            assert not set(code) & set("0O1IL"), code

    def test_regenerate(self, reviewers, tree):
        unit_a = tree[UNIT_A]
        old = unit_a.confirmation_code

        result = services.institution_regenerate_code(actor=reviewers["unit_a"], institution=unit_a)

        unit_a.refresh_from_db()
        assert unit_a.confirmation_code == result.confirmation_code != old
        assert len(unit_a.confirmation_code) == 8
        assert not set(unit_a.confirmation_code) & set("0O1IL")
        log = AuditLogEntry.objects.get(action=LOG_INSTITUTION_CODE_REGENERATED)
        assert log.action == "institution.confirmation_code_regenerated"
        assert (log.institution_id, log.actor, log.tier) == (
            unit_a.pk,
            reviewers["unit_a"],
            Tier.UNIT,
        )
        assert (log.from_state, log.to_state) == (old, unit_a.confirmation_code)
        assert not Institution.objects.filter(confirmation_code=old).exists()

    @pytest.mark.parametrize("username", ["unit_b", "county_jiangan", "city_wuhan", "unit_c"])
    def test_regenerate_needs_manage_on_that_very_institution(self, reviewers, tree, username):
        unit_a = tree[UNIT_A]
        old = unit_a.confirmation_code
        actor = reviewers[username]
        # Each demo account manages its own institution only, not those below it.
        assert has_institution_perm(actor, Perm.MANAGE, actor.reviewer_membership.institution)
        assert not has_institution_perm(actor, Perm.MANAGE, unit_a)

        message = refused(services.institution_regenerate_code, actor=actor, institution=unit_a)

        assert message == f"您没有“{unit_a.name}”的管理权限。"
        unit_a.refresh_from_db()
        assert unit_a.confirmation_code == old
        assert not AuditLogEntry.objects.filter(data__institution=unit_a.pk).exists()

    def test_superuser_may_regenerate(self, tree):
        root = User.objects.create_superuser(username="root", password="x")
        old = tree[UNIT_A].confirmation_code
        services.institution_regenerate_code(actor=root, institution=tree[UNIT_A])
        assert Institution.objects.get(code=UNIT_A).confirmation_code != old


# --- reviewers and object permissions --------------------------------------------------------


class TestReviewerPermissions:
    def test_reviewer_add(self, tree):
        jiangan = tree[JIANGAN]
        user = services.reviewer_add(
            institution=jiangan, username="new_reviewer", password="x-12345", full_name="王五"
        )
        assert user.is_staff and not user.is_superuser
        assert user.first_name == "王五"
        assert ReviewerMembership.objects.get(user=user).institution == jiangan
        assert list(user.groups.all()) == [jiangan.reviewer_group]
        for perm in DEFAULT_PERMS:
            assert has_institution_perm(user, perm, jiangan), perm
        assert not has_institution_perm(user, Perm.MANAGE, jiangan)
        # Nothing on the institutions above, below or beside it.
        for code in (UNIT_A, WUHAN, PROVINCE_CODE, WUCHANG):
            for perm in Perm:
                assert not has_institution_perm(user, perm, tree[code]), (code, perm)
        assert list(institutions_with_perm(user, Perm.REVIEW)) == [jiangan]

    def test_extra_perms_go_to_the_user_alone(self, tree):
        manager = services.reviewer_add(
            institution=tree[UNIT_A],
            username="manager",
            password="x-12345",
            extra_perms=[Perm.MANAGE],
        )
        colleague = services.reviewer_add(
            institution=tree[UNIT_A], username="colleague", password="x-12345"
        )
        assert has_institution_perm(manager, Perm.MANAGE, tree[UNIT_A])
        assert not has_institution_perm(colleague, Perm.MANAGE, tree[UNIT_A])
        assert has_institution_perm(colleague, Perm.REVIEW, tree[UNIT_A])

    def test_demo_reviewers_hold_their_own_institution_only(self, reviewers, tree):
        county = reviewers["county_jiangan"]
        assert has_institution_perm(county, Perm.REVIEW, tree[JIANGAN])
        assert not has_institution_perm(county, Perm.REVIEW, tree[UNIT_A])
        assert not has_institution_perm(reviewers["unit_b"], Perm.REVIEW, tree[UNIT_A])
        assert not has_institution_perm(reviewers["province"], Perm.REVIEW, tree[UNIT_A])

    def test_global_permissions_never_count(self, tree):
        user = services.reviewer_add(
            institution=tree[UNIT_B], username="global_perms", password="x-12345"
        )
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="people",
                codename__in=[p.value for p in Perm],
            )
        )
        user = User.objects.get(pk=user.pk)
        assert user.has_perm(Perm.REVIEW.full)  # Django's model-level check says yes
        for perm in Perm:
            assert not has_institution_perm(user, perm, tree[UNIT_A]), perm
        assert list(institutions_with_perm(user, Perm.REVIEW)) == [tree[UNIT_B]]
        assert not institutions_with_perm(user, Perm.MANAGE).exists()

    def test_inactive_user_has_no_permission(self, reviewers, tree):
        user = reviewers["unit_a"]
        assert has_institution_perm(user, Perm.REVIEW, tree[UNIT_A])
        user.is_active = False
        user.save()
        assert not has_institution_perm(user, Perm.REVIEW, tree[UNIT_A])
        assert not institutions_with_perm(user, Perm.REVIEW).exists()

    def test_superuser_has_every_permission(self, tree):
        root = User.objects.create_superuser(username="root", password="x")
        assert all(has_institution_perm(root, perm, tree[UNIT_A]) for perm in Perm)
