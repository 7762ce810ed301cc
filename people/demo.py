"""The demo review tree and its reviewer accounts, shared by `seed_demo` and the tests.

湖北省卫生健康委员会 at the top, the 17 市州, a 卫生健康局 for every one of Hubei's 103
county-level divisions (so a TCM candidate anywhere in the province can choose where to be
confirmed), units under several counties, one 市直 and one 省直 unit. Idempotent: institutions
are matched by code.

仙桃, 潜江, 天门 and 神农架林区 sit directly under the province: they are 市州 in the tree, and
the county-level review of a candidate there is a county-tier bureau of the same place under
them (code `C` + the division code), since a county's parent is always a 市州.
"""

import csv
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from people.institution_batch import NewInstitution, institution_create_many
from people.models import Division, Institution
from people.reference_data import REFERENCE_DIR
from people.services import institution_create, reviewer_add
from people.tiers import Tier
from review.permissions import Perm

DEMO_PASSWORD = "demo12345"
PROVINCE_CODE = "420000"
WUHAN, YICHANG = "420100", "420500"
JIANGAN, WUCHANG = "420102", "420106"

# (code, name, parent code): units are fictitious and say so in their names.
DEMO_UNITS = [
    ("U420102001", "江岸区演示第一医院", JIANGAN),
    ("U420102002", "江岸区演示第二医院", JIANGAN),
    ("U420106001", "武昌区演示中医医院", WUCHANG),
    ("U420103001", "江汉区演示社区卫生服务中心", "420103"),
    ("U420111001", "洪山区演示医院", "420111"),
    ("U420502001", "西陵区演示医院", "420502"),
    ("U420506001", "夷陵区演示人民医院", "420506"),
    ("U420100901", "武汉市演示市直医院", WUHAN),
    ("U420500901", "宜昌市演示市直医院", YICHANG),
    ("U420000901", "湖北省演示省直医院", PROVINCE_CODE),
]

# username → institution code. Each account may also manage its own institution.
DEMO_REVIEWERS = {
    "province": PROVINCE_CODE,
    "city_wuhan": WUHAN,
    "city_yichang": YICHANG,
    "county_jiangan": JIANGAN,
    "county_wuchang": WUCHANG,
    "unit_a": "U420102001",
    "unit_b": "U420102002",
    "unit_c": "U420106001",
}


@dataclass
class DemoTree:
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


def _ensure(tree: DemoTree, code: str, name: str, tier: str, parent: Institution | None) -> None:
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
def build_demo_tree() -> DemoTree:
    """Needs the divisions loaded (`load_reference_data`)."""
    cities = _city_units()
    city_codes = [row["code"] for row in cities]
    counties = _county_bureaus(city_codes)
    codes = [PROVINCE_CODE, *city_codes, *(c[0] for c in counties), *(u[0] for u in DEMO_UNITS)]
    # Whatever exists already is fetched in one query; only the missing ones are created.
    tree = DemoTree(by_code={i.code: i for i in Institution.objects.filter(code__in=codes)})
    _ensure(tree, PROVINCE_CODE, "湖北省卫生健康委员会", Tier.PROVINCE, None)
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
    for code, name, parent_code in DEMO_UNITS:
        _ensure(tree, code, name, Tier.UNIT, tree[parent_code])
    return tree


@transaction.atomic
def ensure_demo_reviewers(tree: DemoTree) -> dict[str, object]:
    """The demo reviewer accounts (password `demo12345`), each with 管理 on its institution."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_REVIEWERS)}
    for username, code in DEMO_REVIEWERS.items():
        user = users.get(username)
        if user is None:
            user = reviewer_add(
                institution=tree[code],
                username=username,
                password=DEMO_PASSWORD,
                extra_perms=[Perm.MANAGE],
            )
        users[username] = user
    return users
