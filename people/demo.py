"""The demo review tree and its reviewer accounts, shared by `seed_demo` and the tests.

湖北省卫生健康委员会 at the top, the 17 市州, every county of 武汉市 and 宜昌市, units under
several counties, one 市直 and one 省直 unit. Idempotent: institutions are matched by code.
"""

import csv
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

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


def _demo_codes() -> list[str]:
    codes = [PROVINCE_CODE, *(row["code"] for row in _city_units())]
    codes += Division.objects.filter(parent_id__in=[WUHAN, YICHANG]).values_list("code", flat=True)
    return codes + [code for code, _, _ in DEMO_UNITS]


@transaction.atomic
def build_demo_tree() -> DemoTree:
    """Needs the divisions loaded (`load_reference_data`)."""
    # Whatever exists already is fetched in one query; only the missing ones are created.
    tree = DemoTree(by_code={i.code: i for i in Institution.objects.filter(code__in=_demo_codes())})
    _ensure(tree, PROVINCE_CODE, "湖北省卫生健康委员会", Tier.PROVINCE, None)
    for row in _city_units():
        _ensure(tree, row["code"], f"{row['name']}卫生健康委员会", Tier.CITY, tree.province)
    for city_code in (WUHAN, YICHANG):
        for division in Division.objects.filter(parent_id=city_code).order_by("code"):
            _ensure(tree, division.code, f"{division.name}卫生健康局", Tier.COUNTY, tree[city_code])
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
