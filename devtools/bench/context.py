"""The generator's state (Context, one Chunk of rows per round) and its helpers: weighted
picks, times, each application's plan of statuses, generated ID numbers, material columns."""

from __future__ import annotations

import bisect
import datetime
import random
from dataclasses import dataclass, field
from itertools import accumulate

from devtools.bench.writer import BulkWriter
from devtools.demo.people import generate_resident_id
from devtools.demo.plan import AT_TIER_WEIGHTS, PRE_REVIEW
from exam.models import (
    Application,
    EducationRecord,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    SupplementaryInfo,
    TitleCertificate,
)
from exam.models.applications import ReviewStatus
from people.tiers import TIER_ORDER

S = ReviewStatus
AppStatus = Application.Status


@dataclass
class Node:
    pk: int
    code: str
    name: str
    tier: str
    parent: Node | None
    path: str
    division_code: str = ""

    def chain(self) -> dict[str, Node]:
        """tier → institution, from this one up to the province."""
        result, node = {}, self
        while node is not None:
            result[node.tier] = node
            node = node.parent
        return result


# --- helpers -------------------------------------------------------------------------------


class Picker:
    """Weighted choice by cumulative weights (bisect: fast for thousands of options)."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def random_moment(rng: random.Random, after: datetime.datetime, days: float) -> datetime.datetime:
    return after + datetime.timedelta(seconds=rng.randrange(max(1, int(days * 86400))))


def birth_between(rng: random.Random, first: int, last: int) -> datetime.date:
    start = datetime.date(first, 1, 1)
    return start + datetime.timedelta(
        days=rng.randrange((datetime.date(last, 12, 31) - start).days)
    )


@dataclass
class Plan:
    """One application's story, decided before any row is written."""

    kind: str
    entry: Node
    status: str
    tier: str  # where it sits now
    statuses: dict[str, str]  # tier → TierReview status, for the tiers it reached
    outcome: str


def application_plan(rng: random.Random, kind: str, entry: Node) -> Plan:
    chain = entry.chain()
    tiers = [t for t in TIER_ORDER if t in chain]
    weights = {s: s.weight for s in PRE_REVIEW}
    for tier in tiers:
        for outcome, weight in AT_TIER_WEIGHTS[tier].items():
            if tier == entry.tier and outcome == "pending":
                continue  # before the first decision it is 'submitted' (PRE_REVIEW)
            weights[(tier, outcome)] = weight
    keys = list(weights)
    choice = rng.choices(keys, weights=[weights[k] for k in keys])[0]
    if not isinstance(choice, tuple):
        status = {
            "draft": AppStatus.DRAFT,
            "submitted": AppStatus.SUBMITTED,
            "withdrawn": AppStatus.WITHDRAWN,
            "withdrawn_resubmitted": AppStatus.SUBMITTED,
        }[choice.outcome]
        return Plan(kind, entry, status, entry.tier, {entry.tier: S.PENDING}, choice.outcome)
    tier, outcome = choice
    statuses = {t: S.REPORTED for t in tiers[: tiers.index(tier)]}
    statuses[tier], status = {
        "pending": (S.PENDING, AppStatus.IN_REVIEW),
        "deferred": (S.DEFERRED, AppStatus.IN_REVIEW),
        "returned": (S.RETURNED, AppStatus.RETURNED),
        "resubmitted": (S.PENDING, AppStatus.IN_REVIEW),
        "rejected": (S.REJECTED, AppStatus.REJECTED),
        "approved": (S.APPROVED, AppStatus.IN_REVIEW),
        "reopened": (S.PENDING, AppStatus.IN_REVIEW),
    }[outcome]
    if outcome == "approved" and tier == tiers[-1]:
        status = AppStatus.APPROVED
    return Plan(kind, entry, status, tier, statuses, outcome)


# --- the generator -------------------------------------------------------------------------


@dataclass
class Context:
    rng: random.Random
    writer: BulkWriter
    province: Node
    counties: list[Node]
    units: list[Node]
    projects: dict[str, int]
    specialties: dict[str, list[tuple[int, str]]]
    regions: list[str]
    province_user_id: int
    password: str
    used_ids: set[str]
    libraries: list[str]
    people: list[tuple[str, str]] = field(default_factory=list)  # (id_number, name)
    unit_cum: list[int] = field(default_factory=list)  # cumulative unit weights


def new_resident_id(ctx: Context, male: bool, years: tuple[int, int]) -> str:
    while True:
        number = generate_resident_id(
            rng=ctx.rng, regions=ctx.regions, birth=birth_between(ctx.rng, *years), male=male
        )
        if number not in ctx.used_ids:
            ctx.used_ids.add(number)
            return number


MATERIAL_COLUMNS = [
    "id",
    "application_id",
    "image",
    "verification_status",
    "verification_remark",
    "verified_by_id",
    "verified_at",
    "created_at",
    "updated_at",
]
MATERIAL_EXTRA = {
    EducationRecord: [
        "level_id",
        "graduation_date",
        "school",
        "certification_report_no",
        "study_form",
        "major_type",
        "duration_years",
        "enrollment_date",
        "major",
        "diploma_no",
    ],
    TitleCertificate: [
        "title_name",
        "title_level",
        "certificate_no",
        "issued_on",
        "issuing_authority",
    ],
    PhysicianQualification: ["certificate_no", "category", "level", "issued_on"],
    PhysicianLicense: ["certificate_no", "category", "scope", "practice_institution", "issued_on"],
    NurseLicense: ["certificate_no", "practice_institution", "issued_on", "valid_until"],
    SupplementaryInfo: ["covid_frontline", "work_started_on", "years_in_specialty", "note"],
}


class Chunk:
    """The rows of one round of applications, per table."""

    def __init__(self) -> None:
        self.users: list[tuple] = []
        self.candidates: list[tuple] = []
        self.applications: list[tuple] = []
        self.reviews: list[tuple] = []
        self.sections: list[tuple] = []
        self.logs: list[tuple] = []
        self.materials: dict[type, list[tuple]] = {m: [] for m in MATERIAL_EXTRA}
