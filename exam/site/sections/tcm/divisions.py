"""行政区划 picker of the 跟师 / 实践 pages: province → city → county, and the county health
bureau that does 现场确认 and the first review there."""

from __future__ import annotations

from dataclasses import dataclass

from people.models import Division, Institution
from people.tiers import Tier


@dataclass
class DivisionTree:
    provinces: list[tuple[str, str]]
    cities: list[tuple[str, str]]  # (code, name); a province's own code = its direct counties
    counties: list[tuple[str, str]]
    parents: dict[str, str]  # child code → parent code (as the picker chains them)
    names: dict[str, str]  # county code → full name (湖北省武汉市江岸区)


def division_tree() -> DivisionTree:
    """Province → city → county for the provinces the review tree covers."""
    province_codes = list(
        Institution.objects.filter(tier=Tier.PROVINCE, division__isnull=False).values_list(
            "division_id", flat=True
        )
    )
    prefixes = {code[:2] for code in province_codes}
    rows = [
        d
        for d in Division.objects.filter(code__regex=r"^(" + "|".join(prefixes or {"--"}) + ")")
        .only("code", "name", "level", "parent_id")
        .order_by("code")
    ]
    by_code = {d.code: d for d in rows}
    tree = DivisionTree([], [], [], {}, {})
    direct: set[str] = set()
    for d in rows:
        if d.level == Division.Level.PROVINCE:
            tree.provinces.append((d.code, d.name))
        elif d.level == Division.Level.PREFECTURE:
            tree.cities.append((d.code, d.name))
            tree.parents[d.code] = d.parent_id or ""
        elif d.level == Division.Level.COUNTY and d.parent_id:
            parent = by_code.get(d.parent_id)
            if parent is None:
                continue
            tree.counties.append((d.code, d.name))
            tree.parents[d.code] = d.parent_id
            if parent.level == Division.Level.PROVINCE:
                direct.add(parent.code)
                tree.names[d.code] = f"{parent.name}{d.name}"
            else:
                province = by_code.get(parent.parent_id or "")
                tree.names[d.code] = f"{province.name if province else ''}{parent.name}{d.name}"
    for code in sorted(direct):
        tree.cities.append((code, "省直辖县级行政区划"))
        tree.parents.setdefault(code, code)
    return tree


def county_bureau_for(division_code: str) -> Institution | None:
    return Institution.objects.filter(
        tier=Tier.COUNTY, division_id=division_code, is_active=True
    ).first()
