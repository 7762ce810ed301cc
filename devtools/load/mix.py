"""What a load-test session asks for next: the review list with a realistic filter, the
detail page of an application in its scope, or a 专项信息 list, in the proportions of the
mix. Pure Python (no Django, no locust), so the locustfile and the tests share it.

The plan (plan.py writes it as JSON) gives the paths, the filter values and, per account,
application ids, names, ID numbers and institution names from that account's own scope.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

KINDS = ("list", "detail", "materials")
DEFAULT_MIX = "40,40,20"


@dataclass(frozen=True)
class Mix:
    """Weights of the review list, the detail page and the 专项信息 lists."""

    list: float
    detail: float
    materials: float

    @property
    def weights(self) -> tuple[float, float, float]:
        return (self.list, self.detail, self.materials)

    def shares(self) -> dict[str, float]:
        total = sum(self.weights)
        return {kind: w / total for kind, w in zip(KINDS, self.weights, strict=True)}

    def __str__(self) -> str:
        return ",".join(f"{w:g}" for w in self.weights)


def mix_parse(text: str) -> Mix:
    """'40,40,20' → Mix; ValueError (in Chinese) for anything else."""
    parts = [p.strip() for p in (text or "").split(",")]
    try:
        weights = [float(p) for p in parts]
    except ValueError:
        weights = []
    if len(weights) != 3 or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(
            f"--mix 应为三个非负数，依次是审核列表、详情页和专项信息的比重，如 {DEFAULT_MIX}（收到 {text!r}）。"
        )
    return Mix(*weights)


@dataclass(frozen=True)
class Request:
    kind: str  # one of KINDS; also the name locust groups it under
    url: str


def draw(rng: random.Random, mix: Mix, plan: dict[str, Any], account: dict[str, Any]) -> Request:
    kind = rng.choices(KINDS, weights=mix.weights)[0]
    if kind == "detail" and account["detail_ids"]:
        pk = rng.choice(account["detail_ids"])
        return Request(kind, plan["paths"]["detail"].format(id=pk))
    if kind == "materials":
        path = rng.choice(list(plan["paths"]["materials"].values()))
        return Request(kind, _with_query(path, material_query(rng, plan, account)))
    # An account with nothing in its scope has no detail page to open: it lists instead.
    return Request("list", _with_query(plan["paths"]["list"], list_query(rng, plan, account)))


def _with_query(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}" if query else path


def _scope(rng: random.Random, account: dict[str, Any]) -> dict[str, str]:
    # A unit has no institution below it: 下级所有 and 本级直属 are the same list.
    if account["tier"] == "unit":
        return {}
    return {"scope": "subtree"} if rng.random() < 0.7 else {"scope": "direct"}


def _sample(rng: random.Random, values: list[str]) -> str | None:
    return rng.choice(values) if values else None


def list_query(rng: random.Random, plan: dict[str, Any], account: dict[str, Any]) -> dict[str, str]:
    """One filter as a reviewer sets it: most often the own tier's pending work, a level or
    a specialty, a name or an ID number from the own scope; sometimes a later page."""
    choices = plan["choices"]
    query = _scope(rng, account)
    roll = rng.random()
    if roll < 0.15:
        pass  # the list as it opens
    elif roll < 0.30:
        query["review_status"] = "pending"
    elif roll < 0.45 and choices["levels"]:
        query["level"] = rng.choice(sorted(choices["levels"]))
    elif roll < 0.55 and choices["levels"]:
        level = rng.choice(sorted(choices["levels"]))
        query["level"] = level
        specialty = _sample(rng, choices["levels"][level])
        if specialty:
            query["specialty"] = specialty
    elif roll < 0.65 and account["names"]:
        query["name"] = rng.choice(account["names"])
    elif roll < 0.73 and account["id_numbers"]:
        query["id_number"] = rng.choice(account["id_numbers"])
    elif roll < 0.80 and account["institutions"]:
        query["institution"] = rng.choice(account["institutions"])
    elif roll < 0.85:
        query["status"] = rng.choice(choices["status"])
    elif roll < 0.90:
        query["payment"] = rng.choice(choices["payment"])
    elif roll < 0.95:
        query["education"] = rng.choice(choices["education"])
    elif account["list_pages"] >= 2:
        # A later page of the whole list (the admin's page parameter, 1-based); a page past
        # the end would be answered with a redirect, so only pages the account has.
        query = {"scope": "subtree"} if account["tier"] != "unit" else {}
        query["p"] = str(rng.randint(2, min(5, account["list_pages"])))
    else:
        query["review_status"] = rng.choice(choices["review_status"])
    return query


def material_query(
    rng: random.Random, plan: dict[str, Any], account: dict[str, Any]
) -> dict[str, str]:
    """专项信息: opened as it is (下级所有), or by 核验状态, 学历层级, a name, or 本级直属."""
    choices = plan["choices"]
    query: dict[str, str] = {}
    roll = rng.random()
    if roll < 0.40:
        pass
    elif roll < 0.70:
        query["verification"] = rng.choice(choices["verification"])
    elif roll < 0.80:
        query["education"] = rng.choice(choices["education"])
    elif roll < 0.90 and account["names"]:
        query["name"] = rng.choice(account["names"])
    elif account["tier"] != "unit":
        query["scope"] = "direct"
    return query
