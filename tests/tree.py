"""The tests' review tree and reviewer accounts (conftest's `tree` and `reviewers`): the
province tree of people.province_tree with ten fictitious units and eight accounts. The
same codes, names and accounts as the demo data's tree (devtools.demo.tree), so tests read
like the demo a reviewer knows, but defined here: the tests do not depend on the demo."""

from django.contrib.auth.models import AbstractBaseUser

from people.province_tree import (
    PROVINCE_CODE,
    InstitutionTree,
    province_tree_ensure,
    reviewer_accounts_ensure,
)

REVIEWER_PASSWORD = "demo12345"
WUHAN, YICHANG = "420100", "420500"
JIANGAN, WUCHANG = "420102", "420106"
UNIT_A, UNIT_B, UNIT_C = "U420102001", "U420102002", "U420106001"

# (code, name, parent code)
UNITS = [
    (UNIT_A, "江岸区演示第一医院", JIANGAN),
    (UNIT_B, "江岸区演示第二医院", JIANGAN),
    (UNIT_C, "武昌区演示中医医院", WUCHANG),
    ("U420103001", "江汉区演示社区卫生服务中心", "420103"),
    ("U420111001", "洪山区演示医院", "420111"),
    ("U420502001", "西陵区演示医院", "420502"),
    ("U420506001", "夷陵区演示人民医院", "420506"),
    ("U420100901", "武汉市演示市直医院", WUHAN),
    ("U420500901", "宜昌市演示市直医院", YICHANG),
    ("U420000901", "湖北省演示省直医院", PROVINCE_CODE),
]

# username → institution code; each account also manages its own institution.
REVIEWERS = {
    "province": PROVINCE_CODE,
    "city_wuhan": WUHAN,
    "city_yichang": YICHANG,
    "county_jiangan": JIANGAN,
    "county_wuchang": WUCHANG,
    "unit_a": UNIT_A,
    "unit_b": UNIT_B,
    "unit_c": UNIT_C,
}


def build_tree() -> InstitutionTree:
    return province_tree_ensure(units=UNITS)


def ensure_reviewers(tree: InstitutionTree) -> dict[str, AbstractBaseUser]:
    return reviewer_accounts_ensure(tree=tree, accounts=REVIEWERS, password=REVIEWER_PASSWORD)
