"""The province's review tree from the reference data: 湖北省卫生健康委员会 at the top, the
17 市州 (fixtures/hubei_city_units.csv) and a 卫生健康局 for every one of Hubei's 103
county-level divisions, plus whatever units the caller names below them; and reviewer
accounts for named institutions. Both are idempotent: institutions are matched by code,
accounts by username. The demo data and the test fixtures build their trees with these.

仙桃, 潜江, 天门 and 神农架林区 sit directly under the province: they are 市州 in the tree, and
the county-level review of a candidate there is a county-tier bureau of the same place under
them (code `C` + the division code), since a county's parent is always a 市州.
"""

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from people.institution_batch import NewInstitution, institution_create_many
from people.models import Division, Institution
from people.permissions import Perm
from people.reference_data import REFERENCE_DIR
from people.services import institution_create, reviewer_add
from people.tiers import Tier

PROVINCE_CODE = "420000"
PROVINCE_NAME = "湖北省卫生健康委员会"


@dataclass
class InstitutionTree:
    by_code: dict[str, Institution] = field(default_factory=dict)

    def __getitem__(self, code: str) -> Institution:
        return self.by_code[code]

    @property
    def province(self) -> Institution:
        return self.by_code[PROVINCE_CODE]

    def of_tier(self, tier: str) -> list[Institution]:
        return [i for i in self.by_code.values() if i.tier == tier]


def _city_units() -> list[dict[str, str]]:
    with open(REFERENCE_DIR / "hubei_city_units.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _ensure(
    tree: InstitutionTree, code: str, name: str, tier: str, parent: Institution | None
) -> None:
    existing = tree.by_code.get(code)
    if existing is None:
        division = Division.objects.filter(code=code).first()
        existing = institution_create(
            code=code, name=name, tier=tier, parent=parent, division=division
        )
    tree.by_code[code] = existing


def _county_bureaus(city_codes: list[str]) -> list[tuple[str, str, str, str]]:
    """(code, name, parent city code, division code) of every county-level division of Hubei.

    A county under a prefecture gets its own code; one directly under the province (仙桃 …)
    is a 市州 already, so its county-tier bureau is `C` + its code, under it."""
    counties = Division.objects.filter(
        level=Division.Level.COUNTY, parent_id__in=[PROVINCE_CODE, *city_codes]
    ).order_by("code")
    return [
        (d.code, f"{d.name}卫生健康局", d.parent_id, d.code)
        if d.parent_id != PROVINCE_CODE
        else (f"C{d.code}", f"{d.name}卫生健康局", d.code, d.code)
        for d in counties
        if d.parent_id != PROVINCE_CODE or d.code in city_codes
    ]


@transaction.atomic
def province_tree_ensure(*, units: Iterable[tuple[str, str, str]] = ()) -> InstitutionTree:
    """The province, its 市州 and county bureaus, and `units` as (code, name, parent code).
    Needs the divisions loaded (`load_reference_data`)."""
    units = list(units)
    cities = _city_units()
    city_codes = [row["code"] for row in cities]
    counties = _county_bureaus(city_codes)
    codes = [PROVINCE_CODE, *city_codes, *(c[0] for c in counties), *(u[0] for u in units)]
    # Whatever exists already is fetched in one query; only the missing ones are created.
    tree = InstitutionTree(by_code={i.code: i for i in Institution.objects.filter(code__in=codes)})
    _ensure(tree, PROVINCE_CODE, PROVINCE_NAME, Tier.PROVINCE, None)
    for row in cities:
        _ensure(tree, row["code"], f"{row['name']}卫生健康委员会", Tier.CITY, tree.province)
    # ~100 bureaus: in a few bulk queries, not a service call each (the tests rebuild the
    # tree after every transactional test).
    missing = [c for c in counties if c[0] not in tree.by_code]
    divisions = Division.objects.in_bulk([c[3] for c in missing])
    created = institution_create_many(
        rows=[
            NewInstitution(code, name, Tier.COUNTY, tree[parent], divisions.get(division))
            for code, name, parent, division in missing
        ]
    )
    tree.by_code.update({i.code: i for i in created})
    for code, name, parent_code in units:
        _ensure(tree, code, name, Tier.UNIT, tree[parent_code])
    return tree


@transaction.atomic
def reviewer_accounts_ensure(
    *, tree: InstitutionTree, accounts: Mapping[str, str], password: str
) -> dict[str, AbstractBaseUser]:
    """Reviewer accounts by username → institution code, each with 管理 on its institution;
    an account that exists already is left as it is."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=accounts)}
    for username, code in accounts.items():
        if username not in users:
            users[username] = reviewer_add(
                institution=tree[code],
                username=username,
                password=password,
                extra_perms=[Perm.MANAGE],
            )
    return users
