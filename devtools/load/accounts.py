"""The reviewer accounts of a load test: one per session, at the province, a 市州, a county
or a unit, named bench_load_<tier>_<n> (the bench prefix: `seed_bench --clear` removes
them with the rest), all with the bench password and working in the health exam.

Each tier's accounts sit at that tier's busiest institutions (most applications that
have reached them), so every session has a list to page through."""

from __future__ import annotations

from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Count

from devtools.bench.constants import BENCH_PASSWORD, BENCH_USER_PREFIX
from exam.models import Application, ExamKind
from people.models import Institution, ReviewerMembership
from people.services import DEFAULT_GROUP_PERMS, reviewer_add
from people.tiers import Tier
from review.business import business_choices, business_choose

User = get_user_model()

TIERS = (Tier.PROVINCE, Tier.CITY, Tier.COUNTY, Tier.UNIT)
# --tier mixed: of every 10 sessions 1 province, 2 市州, 3 county and 4 unit reviewers.
MIXED_PATTERN = (
    Tier.PROVINCE,
    Tier.CITY,
    Tier.COUNTY,
    Tier.UNIT,
    Tier.UNIT,
    Tier.COUNTY,
    Tier.CITY,
    Tier.UNIT,
    Tier.COUNTY,
    Tier.UNIT,
)
TIER_CHOICES = ("mixed", *TIERS)


@dataclass(frozen=True)
class LoadAccount:
    user_id: int
    username: str
    tier: str
    institution_id: int
    institution: str
    project_id: int | None  # the 当前业务 it works in


def session_tiers(*, sessions: int, tier: str) -> list[str]:
    """The tier of each session: all the same, or the mixed pattern repeated."""
    if tier == "mixed":
        return [MIXED_PATTERN[i % len(MIXED_PATTERN)] for i in range(sessions)]
    if tier not in TIERS:
        raise ValueError(f"未知的层级：{tier}（可用：{'、'.join(TIER_CHOICES)}）")
    return [tier] * sessions


def busiest_institutions(tier: str) -> list[int]:
    """Institution ids of `tier`, most applications first (those an account there can see)."""
    reached = Application.objects.exclude(**{f"{tier}_review_status": ""}).filter(
        **{f"{tier}__isnull": False}
    )
    ranked = [
        row[f"{tier}_id"]
        for row in reached.values(f"{tier}_id")
        .annotate(n=Count("id"))
        .order_by("-n", f"{tier}_id")[:200]
    ]
    if ranked:
        return ranked
    return list(Institution.objects.filter(tier=tier).order_by("pk").values_list("pk", flat=True))


def load_accounts_ensure(*, tiers: list[str]) -> list[LoadAccount]:
    """Find or create one account per entry of `tiers` and give them all the bench password
    (one hash for all of them: a hash costs ~0.2 s) and the health exam as 当前业务."""
    places: dict[str, list[int]] = {}
    numbered: dict[str, int] = {}
    accounts: list[LoadAccount] = []
    for tier in tiers:
        if tier not in places:
            places[tier] = busiest_institutions(tier)
            if not places[tier]:
                raise LookupError(f"没有{Tier(tier).label}机构，请先运行 seed_bench。")
        numbered[tier] = numbered.get(tier, 0) + 1
        n = numbered[tier]
        username = f"{BENCH_USER_PREFIX}load_{tier}_{n:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            institution = Institution.objects.get(pk=places[tier][(n - 1) % len(places[tier])])
            user = reviewer_add(
                institution=institution,
                username=username,
                password=BENCH_PASSWORD,
                # Generated units have no reviewer group: their permissions go to the account.
                extra_perms=() if institution.reviewer_group_id else DEFAULT_GROUP_PERMS,
                full_name=f"压力测试{Tier(tier).label}账号{n}",
            )
        membership = ReviewerMembership.objects.select_related("institution").get(user=user)
        accounts.append(
            LoadAccount(
                user_id=user.pk,
                username=username,
                tier=tier,
                institution_id=membership.institution_id,
                institution=membership.institution.name,
                project_id=_work_in_health_exam(user),
            )
        )
    ids = [a.user_id for a in accounts]
    User.objects.filter(pk__in=ids).update(
        password=make_password(BENCH_PASSWORD), is_active=True, is_staff=True
    )
    for account in accounts:  # a lock-out left by an earlier run would refuse the login
        axes_reset(username=account.username)
    return accounts


def _work_in_health_exam(user) -> int | None:
    """Choose the health exam where the account may choose (most applications are there)."""
    choices = business_choices(user=user)
    health = [p for p in choices if p.kind == ExamKind.HEALTH_QUALIFICATION]
    if len(choices) > 1 and health:
        business_choose(user=user, project_id=health[0].pk)
        return health[0].pk
    return choices[0].pk if choices else None
