"""The demo review tree and its reviewer accounts (`seed_demo`, `demo_info`): the province
tree of people.province_tree with fictitious units under several counties, one 市直 and one
省直 unit, and a reviewer account for eight of its institutions."""

from django.contrib.auth.models import AbstractBaseUser

from people.province_tree import (
    PROVINCE_CODE,
    InstitutionTree,
    province_tree_ensure,
    reviewer_accounts_ensure,
)

DemoTree = InstitutionTree
DEMO_PASSWORD = "demo12345"
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


def build_demo_tree() -> DemoTree:
    """Needs the divisions loaded (`load_reference_data`)."""
    return province_tree_ensure(units=DEMO_UNITS)


def ensure_demo_reviewers(tree: DemoTree) -> dict[str, AbstractBaseUser]:
    """The demo reviewer accounts (password `demo12345`), each with 管理 on its institution."""
    return reviewer_accounts_ensure(tree=tree, accounts=DEMO_REVIEWERS, password=DEMO_PASSWORD)
