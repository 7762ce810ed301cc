"""The benchmark's review tree: the province, 市州 and county health authorities (shared
with the demo data) and the generated units below them, with reviewer accounts."""

from __future__ import annotations

import csv

from devtools.bench.constants import BENCH_UNIT_PREFIX, PROVINCE_CODE, UNIT_KINDS
from devtools.bench.context import Context, Node, Picker
from people.models import Division, Institution
from people.reference_data import REFERENCE_DIR
from people.services import institution_create
from people.tiers import Tier

# --- the tree ------------------------------------------------------------------------------


def ensure_authorities() -> tuple[Node, list[Node], list[Node]]:
    """The province, the 17 市州 and the counties of the 13 prefectures, created like the
    demo tree does (institution_create, with reviewer groups) where missing."""
    with open(REFERENCE_DIR / "hubei_city_units.csv", encoding="utf-8", newline="") as fh:
        cities = list(csv.DictReader(fh))
    counties = list(
        Division.objects.filter(parent_id__in=[c["code"] for c in cities], level="county")
        .order_by("code")
        .values_list("code", "name", "parent_id")
    )
    codes = [PROVINCE_CODE, *(c["code"] for c in cities), *(c[0] for c in counties)]
    existing = {i.code: i for i in Institution.objects.filter(code__in=codes)}

    def ensure(code: str, name: str, tier: str, parent: Institution | None) -> Institution:
        if code not in existing:
            existing[code] = institution_create(
                code=code,
                name=name,
                tier=tier,
                parent=parent,
                division=Division.objects.filter(code=code).first(),
            )
        return existing[code]

    province = ensure(PROVINCE_CODE, "湖北省卫生健康委员会", Tier.PROVINCE, None)
    for city in cities:
        ensure(city["code"], f"{city['name']}卫生健康委员会", Tier.CITY, province)
    for code, name, parent_code in counties:
        ensure(code, f"{name}卫生健康局", Tier.COUNTY, existing[parent_code])

    nodes: dict[str, Node] = {}

    def node(code: str) -> Node:
        if code not in nodes:
            i = existing[code]
            parent = node(i.parent.code) if i.parent_id else None
            nodes[code] = Node(i.pk, i.code, i.name, i.tier, parent, i.path, code)
        return nodes[code]

    return (
        node(PROVINCE_CODE),
        [node(c["code"]) for c in cities],
        [node(c[0]) for c in counties],
    )


def make_units(ctx: Context, count: int, cities: list[Node]) -> None:
    rng = ctx.rng
    # Parents: counties (weighted: Wuhan's districts are busier), 市直 and 省直 units.
    county_pick = Picker(
        ctx.counties, [3 if c.code.startswith("4201") else 1 for c in ctx.counties]
    )
    taken = set(Institution.objects.values_list("confirmation_code", flat=True))
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    ids = ctx.writer.next_ids(Institution, count)
    rows = []
    for n, pk in enumerate(ids, start=1):
        roll = rng.random()
        if roll < 0.88:
            parent = county_pick(rng)
        elif roll < 0.97:
            parent = rng.choice(cities)
        else:
            parent = ctx.province
        place = parent.name.removesuffix("卫生健康局").removesuffix("卫生健康委员会")
        name = f"{place}第{n}{rng.choice(UNIT_KINDS)}"
        code = f"{BENCH_UNIT_PREFIX}{n:06d}"
        while True:
            confirmation = "".join(rng.choice(alphabet) for _ in range(8))
            if confirmation not in taken:
                taken.add(confirmation)
                break
        path = f"{parent.path}{code}/"
        node = Node(pk, code, name, Tier.UNIT, parent, path)
        ctx.units.append(node)
        rows.append(
            (
                pk,
                code,
                name,
                Tier.UNIT,
                parent.pk,
                None,
                "",
                confirmation,
                path,
                path.count("/") - 2,
                None,
                True,
            )
        )
    ctx.writer.insert(
        Institution,
        [
            "id",
            "code",
            "name",
            "tier",
            "parent_id",
            "division_id",
            "credit_code",
            "confirmation_code",
            "path",
            "depth",
            "reviewer_group_id",
            "is_active",
        ],
        rows,
    )
