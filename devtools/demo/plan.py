"""What the demo data holds and who is in it: the projects, the named and generated
candidates, the review scenarios per exam kind and tier, and the plan that gives each
candidate a scenario, an entry institution and a person."""

import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from devtools.demo.people import generate_name, generate_resident_id, random_birth
from devtools.demo.tree import DEMO_UNITS, DemoTree
from exam.models import ExamKind, ExamProject, Track
from people.models import Institution, Physician
from people.tiers import TIER_ORDER, Tier

SEED = 20261122
PROJECT_YEAR = 2026
HEALTH_PROJECT_NAME = "2026年卫生专业技术资格考试"
TCM_PROJECT_NAME = "2026年湖北省中医医术确有专长人员医师资格考核"
PROJECT_NAMES = {
    ExamKind.HEALTH_QUALIFICATION: HEALTH_PROJECT_NAME,
    ExamKind.TCM_EXPERTISE: TCM_PROJECT_NAME,
}
# Registration window, set when a project is first created: "now" lies well inside it.
WINDOW_OPENS_DAYS_BEFORE = 30
WINDOW_CLOSES_DAYS_AFTER = 60

SUPERUSER_NAME = "admin"
TOTAL_CANDIDATES = 300
TCM_SHARE = 0.2

# The five named candidate accounts (username → phone); their states are set below.
DEMO_CANDIDATES: dict[str, str] = {f"candidate{n}": f"1390000000{n}" for n in range(1, 6)}
# The other candidates log in with their phone number, as after `candidate_register`.
GENERATED_PHONE_PREFIX = "1370000"

UNIT_A, UNIT_B, UNIT_C = "U420102001", "U420102002", "U420106001"
DEMO_UNIT_NAMES = [name for _, name, _ in DEMO_UNITS]
JIANGAN = "420102"

# Health exam: the demo units, weighted toward the three that have reviewer accounts.
HEALTH_UNIT_WEIGHTS: dict[str, int] = {
    UNIT_A: 8,
    UNIT_B: 6,
    UNIT_C: 6,
    "U420103001": 2,
    "U420111001": 2,
    "U420502001": 2,
    "U420506001": 2,
    "U420100901": 2,
    "U420500901": 2,
    "U420000901": 2,
}
# TCM expertise: the county health bureau chosen by the candidate.
TCM_COUNTY_WEIGHTS: dict[str, int] = {
    JIANGAN: 6,  # 江岸区
    "420106": 6,  # 武昌区
    "420103": 2,  # 江汉区
    "420111": 2,  # 洪山区
    "420116": 1,  # 黄陂区
    "420502": 2,  # 西陵区
    "420506": 1,  # 夷陵区
    "420581": 1,  # 宜都市
}


def demo_filter() -> Q:
    """The demo candidates (named and generated), as a filter on Candidate."""
    return Q(phone__in=DEMO_CANDIDATES.values()) | Q(phone__startswith=GENERATED_PHONE_PREFIX)


# --- scenarios --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """Where an application ends up. `tier` is None for the states before any review;
    otherwise the application is approved and reported up to `tier`, where `outcome` happens."""

    tier: str | None
    outcome: str
    weight: int

    @property
    def code(self) -> str:
        return f"{self.tier}:{self.outcome}" if self.tier else self.outcome


# Outcomes before review: draft / submitted / withdrawn / submitted again after withdrawing.
# Outcomes at a tier: pending, deferred, returned (with locked sections), resubmitted
# (returned, corrected, resubmitted), rejected, approved (not reported; final at the
# province), reopened (approved, then taken back to pending).
PRE_REVIEW = [
    Scenario(None, "draft", 30),
    Scenario(None, "submitted", 30),
    Scenario(None, "withdrawn", 6),
    Scenario(None, "withdrawn_resubmitted", 3),
]
AT_TIER_WEIGHTS: dict[str, dict[str, int]] = {
    Tier.UNIT: {
        "deferred": 8,
        "returned": 8,
        "resubmitted": 4,
        "rejected": 5,
        "approved": 10,
        "reopened": 2,
    },
    Tier.COUNTY: {
        "pending": 12,
        "deferred": 3,
        "returned": 4,
        "resubmitted": 2,
        "rejected": 3,
        "approved": 5,
        "reopened": 1,
    },
    Tier.CITY: {
        "pending": 10,
        "deferred": 2,
        "returned": 3,
        "resubmitted": 1,
        "rejected": 3,
        "approved": 4,
    },
    Tier.PROVINCE: {
        "pending": 15,
        "deferred": 2,
        "returned": 2,
        "resubmitted": 1,
        "rejected": 2,
        "approved": 30,
    },
}


def scenarios_for(kind: str) -> list[Scenario]:
    entry = Tier.UNIT if kind == ExamKind.HEALTH_QUALIFICATION else Tier.COUNTY
    tiers = TIER_ORDER[TIER_ORDER.index(entry) :]
    return PRE_REVIEW + [
        Scenario(tier, outcome, weight)
        for tier in tiers
        for outcome, weight in AT_TIER_WEIGHTS[tier].items()
    ]


@dataclass(frozen=True)
class CandidatePlan:
    """Everything about one demo candidate that is decided before touching the database."""

    username: str
    phone: str
    name: str
    id_number: str
    ethnicity_code: str
    political_code: str
    kind: str | None = None  # None: verified, no application yet
    scenario: Scenario | None = None
    entry_code: str = ""
    specialty_id: int | None = None
    track: str = ""
    # For the five named candidates: a hand-written script instead of a scenario.
    script: str = ""


@dataclass
class World:
    """What the plan and the scripts need from the database, read once."""

    tree: DemoTree
    reviewers: dict[str, AbstractBaseUser]
    admin: AbstractBaseUser
    projects: dict[str, ExamProject]
    regions: list[str]
    specialties: dict[str, list[tuple[int, str]]]  # level code → [(id, name)]
    password_hash: str
    # ID numbers of candidates outside the demo data: generated numbers avoid them.
    taken_ids: set[str] = field(default_factory=set)
    reviewer_by_code: dict[str, AbstractBaseUser] = field(default_factory=dict)
    # EducationLevel category code → its exam label (研究生/本科/大专/中专).
    education_labels: dict[str, str] = field(default_factory=dict)
    # Hubei division code → name (江岸区, 武汉市, …).
    division_names: dict[str, str] = field(default_factory=dict)
    # The demo physicians (ensure_physicians) and the county of their institution.
    physicians: list[Physician] = field(default_factory=list)
    physician_county: dict[int, str] = field(default_factory=dict)

    def institution(self, pk: int) -> Institution:
        return self._by_pk[pk]

    def __post_init__(self) -> None:
        self._by_pk = {i.pk: i for i in self.tree.by_code.values()}

    def reviewer_for(self, institution: Institution) -> AbstractBaseUser:
        """The demo account of the institution, or the superuser where it has none."""
        return self.reviewer_by_code.get(institution.code, self.admin)


def pick_weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _health_units_for(world: World, tier: str | None) -> dict[str, int]:
    """Units whose chain contains `tier` (a 市直 unit has no county; a 省直 unit no city)."""
    result = {}
    for code, weight in HEALTH_UNIT_WEIGHTS.items():
        parent_tier = world.tree[code].parent.tier
        if tier == Tier.COUNTY and parent_tier != Tier.COUNTY:
            continue
        if tier == Tier.CITY and parent_tier == Tier.PROVINCE:
            continue
        result[code] = weight
    return result


def _person(
    rng: random.Random,
    world: World,
    *,
    male: bool,
    years: tuple[int, int],
    home_region: str | None,
    used_ids: set[str],
) -> tuple[str, str, str, str]:
    """(name, id_number, ethnicity code, political status code)."""
    name = generate_name(rng, male)
    while True:
        id_number = generate_resident_id(
            rng=rng,
            regions=world.regions,
            birth=random_birth(rng, *years),
            male=male,
            preferred_region=home_region if rng.random() < 0.5 else None,
        )
        if id_number not in used_ids:
            used_ids.add(id_number)
            break
    ethnicity = rng.choices(["01", "15", "03", "06"], weights=[92, 5, 2, 1])[0]
    young = int(id_number[6:10]) >= 1995
    political = rng.choices(
        ["13", "03", "01", "02", "08", "10"],
        weights=[50, 30 if young else 3, 18, 2, 1, 1],
    )[0]
    return name, id_number, ethnicity, political


def _health_choice(rng: random.Random, world: World) -> tuple[int, str, tuple[int, int]]:
    """(specialty id, specialty name, birth-year range fitting the level)."""
    level = rng.choices(["1", "2", "3"], weights=[2, 3, 5])[0]
    years = {"1": (1996, 2003), "2": (1990, 2002), "3": (1972, 1996)}[level]
    specialty_id, specialty_name = rng.choice(world.specialties[level])
    return specialty_id, specialty_name, years


def _home_region(world: World, entry_code: str) -> str | None:
    institution = world.tree[entry_code]
    county = institution if institution.tier == Tier.COUNTY else institution.parent
    return county.code if county.tier == Tier.COUNTY else None


def build_plan(world: World) -> list[CandidatePlan]:
    """The demo candidates, in order. Pure computation: the same database gives the same plan."""
    rng = random.Random(SEED)
    used_ids = set(world.taken_ids)
    plans: list[CandidatePlan] = []

    def add(
        username: str,
        phone: str,
        *,
        kind: str | None,
        scenario: Scenario | None = None,
        entry_code: str = "",
        track: str = "",
        script: str = "",
    ) -> None:
        specialty_id, specialty_name, years = None, "", (1975, 2000)
        if kind == ExamKind.HEALTH_QUALIFICATION:
            specialty_id, specialty_name, years = _health_choice(rng, world)
        elif kind == ExamKind.TCM_EXPERTISE:
            years = (1965, 1992)
        female_share = 0.9 if "护理" in specialty_name else 0.5
        male = rng.random() >= female_share
        home = _home_region(world, entry_code) if entry_code else None
        name, id_number, ethnicity, political = _person(
            rng, world, male=male, years=years, home_region=home, used_ids=used_ids
        )
        plans.append(
            CandidatePlan(
                username=username,
                phone=phone,
                name=name,
                id_number=id_number,
                ethnicity_code=ethnicity,
                political_code=political,
                kind=kind,
                scenario=scenario,
                entry_code=entry_code,
                specialty_id=specialty_id,
                track=track,
                script=script,
            )
        )

    health, tcm = ExamKind.HEALTH_QUALIFICATION, ExamKind.TCM_EXPERTISE
    named: dict[str, dict[str, Any]] = {
        # a draft at unit_a with 学历信息 incomplete
        "candidate1": {"kind": health, "entry_code": UNIT_A, "script": "draft"},
        # submitted at unit_a, pending
        "candidate2": {"kind": health, "entry_code": UNIT_A, "script": "submitted"},
        # returned (允许修改) by unit_a, the other sections locked
        "candidate3": {"kind": health, "entry_code": UNIT_A, "script": "returned"},
        # verified, no application yet
        "candidate4": {"kind": None},
        # TCM 多年实践 at 江岸区卫生健康局, submitted
        "candidate5": {
            "kind": tcm,
            "entry_code": JIANGAN,
            "track": Track.PRACTICE,
            "script": "submitted",
        },
    }
    for username, phone in DEMO_CANDIDATES.items():
        add(username, phone, **named[username])

    # Every scenario of both kinds once, then weighted draws for the rest.
    kinds = [(health, s) for s in scenarios_for(health)] + [(tcm, s) for s in scenarios_for(tcm)]
    remaining = TOTAL_CANDIDATES - len(plans) - len(kinds)
    for _ in range(remaining):
        kind = tcm if rng.random() < TCM_SHARE else health
        options = scenarios_for(kind)
        kinds.append((kind, rng.choices(options, weights=[s.weight for s in options])[0]))
    for number, (kind, scenario) in enumerate(kinds, start=1):
        phone = f"{GENERATED_PHONE_PREFIX}{number:04d}"
        if kind == health:
            entry = pick_weighted(rng, _health_units_for(world, scenario.tier))
            track = ""
        else:
            entry = pick_weighted(rng, TCM_COUNTY_WEIGHTS)
            track = rng.choice([Track.APPRENTICESHIP, Track.PRACTICE])
        add(phone, phone, kind=kind, scenario=scenario, entry_code=entry, track=track)
    return plans
