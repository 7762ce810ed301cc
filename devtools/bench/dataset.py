"""The benchmark data set: a province-sized, deterministic, consistent set of applications.

At `applications=200_000`: the province, its 17 市州 and their counties (the real GB/T 2260
divisions), about 5,000 units, 200,000 candidates and applications spread over both exam
kinds, levels, specialties, every state and tier, about 1,000,000 materials, 500,000
对比库 records and 20,000 physicians. Everything scales with `applications`.

Consistency: every application looks as if it had been played through the services —
one TierReview per tier it reached (the tiers below its current one reported), the
`<tier>_review_status` columns equal to those rows, `current_tier`/`current_institution`
where it sits, sections locked after 允许修改, TCM 现场确认 before a county approval.

What the bench creates is marked so `--clear` can remove it: candidates' phone numbers
start with BENCH_PHONE_PREFIX (their usernames are the phone numbers), units' codes with
BENCH_UNIT_PREFIX, physicians' qualification numbers with BENCH_MARK, 对比库 records have
source BENCH_SOURCE, reviewer accounts start with BENCH_USER_PREFIX. The province, city and
county health authorities and the exam projects are shared with the demo data and stay.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from devtools.bench.writer import BulkWriter
from devtools.demo.seed import AT_TIER_WEIGHTS, PRE_REVIEW, generate_name, generate_resident_id
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    CaseRecord,
    EducationRecord,
    ExamKind,
    ExamProject,
    NurseLicense,
    PaymentStatus,
    PhysicianLicense,
    PhysicianQualification,
    Recommender,
    Section,
    Specialty,
    StagedUpload,
    SupplementaryInfo,
    TitleCertificate,
    Track,
)
from exam.models.applications import ReviewStatus
from exam.models.materials import MajorType, StudyForm, VerificationStatus
from exam.sections import sections_for
from people.models import (
    Candidate,
    Division,
    IdentityVerification,
    Institution,
    Physician,
    ReviewerMembership,
)
from people.reference_data import REFERENCE_DIR
from people.services import institution_create, reviewer_add
from people.tiers import TIER_ORDER, Tier
from review import workflow
from review.models import ReferenceLibrary, ReferenceRecord, ReviewLog, TierReview
from review.permissions import Perm

User = get_user_model()
S = ReviewStatus
AppStatus = Application.Status

BENCH_PHONE_PREFIX = "1990"
BENCH_UNIT_PREFIX = "BU"
BENCH_MARK = "BENCH"
BENCH_SOURCE = "benchmark"
BENCH_USER_PREFIX = "bench_"
BENCH_PROVINCE_USER = "bench_province"
BENCH_PASSWORD = "bench12345"
DEFAULT_SEED = 20260601

PROVINCE_CODE = "420000"
PROJECT_YEAR = 2026
PROJECT_NAMES = {
    ExamKind.HEALTH_QUALIFICATION: "2026年卫生专业技术资格考试",
    ExamKind.TCM_EXPERTISE: "2026年湖北省中医医术确有专长人员医师资格考核",
}
# Fixed times keep the data set the same from one day to the next.
TZ = datetime.timezone(datetime.timedelta(hours=8))
BASE_TIME = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
TCM_SHARE = 0.08  # mostly the health exam
CHUNK = 20_000  # applications generated and written per round (bounds memory)

UNIT_KINDS = (
    "人民医院",
    "中医医院",
    "妇幼保健院",
    "社区卫生服务中心",
    "卫生院",
    "疾病预防控制中心",
)
EDUCATION = {"10": "研究生", "20": "本科", "30": "大专", "40": "中专"}
SCHOOLS = (
    "武汉大学",
    "华中科技大学",
    "湖北中医药大学",
    "湖北医药学院",
    "长江大学",
    "三峡大学",
    "湖北科技学院",
    "武汉科技大学",
    "江汉大学",
    "湖北职业技术学院",
    "荆楚理工学院",
    "咸宁职业技术学院",
)
MAJORS = ("临床医学", "护理学", "药学", "医学检验技术", "中医学", "医学影像技术", "康复治疗技术")
LIBRARY_WEIGHTS = {
    "qualification": 20,
    "provincial_line": 15,
    "physician_registry": 15,
    "nurse_registry": 20,
    "graduate": 10,
    "history": 15,
    "violation": 1,
    "covid_frontline": 4,
}


@dataclass(frozen=True)
class Scale:
    applications: int
    units: int
    physicians: int
    reference_records: int

    @classmethod
    def for_applications(cls, n: int) -> Scale:
        # At 200,000: ~5,000 units, 20,000 physicians, 500,000 对比库 records.
        return cls(
            applications=n,
            units=max(12, n // 40),
            physicians=max(10, n // 10),
            reference_records=n * 5 // 2,
        )


class BenchDataError(Exception):
    """The database is not fit for the benchmark data (message in Chinese)."""


# --- what is there -------------------------------------------------------------------------


def bench_counts() -> dict[str, int]:
    apps = Application.objects.filter(candidate__phone__startswith=BENCH_PHONE_PREFIX)
    return {
        "candidates": Candidate.objects.filter(phone__startswith=BENCH_PHONE_PREFIX).count(),
        "applications": apps.count(),
        "units": Institution.objects.filter(code__startswith=BENCH_UNIT_PREFIX).count(),
        "physicians": Physician.objects.filter(qualification_no__startswith=BENCH_MARK).count(),
        "reference_records": ReferenceRecord.objects.filter(source=BENCH_SOURCE).count(),
    }


def foreign_data() -> list[str]:
    """What the database holds besides the bench data (the reasons to refuse)."""
    found = []
    checks = [
        ("考生", Candidate.objects.exclude(phone__startswith=BENCH_PHONE_PREFIX)),
        ("申报", Application.objects.exclude(candidate__phone__startswith=BENCH_PHONE_PREFIX)),
        ("医师库", Physician.objects.exclude(qualification_no__startswith=BENCH_MARK)),
        ("对比库记录", ReferenceRecord.objects.exclude(source=BENCH_SOURCE)),
    ]
    for label, queryset in checks:
        if queryset.exists():
            found.append(label)
    return found


@transaction.atomic
def clear_bench() -> dict[str, int]:
    """Remove everything the bench created (raw deletes: no per-row signals or collectors)."""
    apps = Application.objects.filter(candidate__phone__startswith=BENCH_PHONE_PREFIX)
    app_ids = apps.values("pk")
    removed: dict[str, int] = {}

    def wipe(label: str, queryset) -> None:
        removed[label] = removed.get(label, 0) + queryset._raw_delete(queryset.db)

    wipe("review_logs", ReviewLog.objects.filter(application__in=app_ids))
    wipe("tier_reviews", TierReview.objects.filter(application__in=app_ids))
    wipe("sections", Section.objects.filter(application__in=app_ids))
    for model in MATERIAL_MODELS:
        wipe("materials", model.objects.filter(application__in=app_ids))
    for model in (Attachment, CaseRecord, Recommender):
        wipe("other", model.objects.filter(application__in=app_ids))
    wipe("applications", Application.objects.filter(pk__in=app_ids))
    candidates = Candidate.objects.filter(phone__startswith=BENCH_PHONE_PREFIX)
    wipe("other", IdentityVerification.objects.filter(candidate__in=candidates.values("pk")))
    wipe("other", StagedUpload.objects.filter(candidate__in=candidates.values("pk")))
    user_ids = list(candidates.values_list("user_id", flat=True))
    wipe("candidates", candidates)
    for start in range(0, len(user_ids), 5000):
        wipe("users", User.objects.filter(pk__in=user_ids[start : start + 5000]))
    # Reviewer accounts: the ORM delete takes their memberships and permissions along.
    removed["users"] = removed.get("users", 0) + (
        User.objects.filter(username__startswith=BENCH_USER_PREFIX)
        .delete()[1]
        .get(User._meta.label, 0)
    )
    units = Institution.objects.filter(code__startswith=BENCH_UNIT_PREFIX)
    wipe("other", ReviewerMembership.objects.filter(institution__in=units.values("pk")))
    wipe("units", units)
    wipe("physicians", Physician.objects.filter(qualification_no__startswith=BENCH_MARK))
    wipe("reference_records", ReferenceRecord.objects.filter(source=BENCH_SOURCE))
    return removed


# --- the tree ------------------------------------------------------------------------------


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


def _ensure_authorities() -> tuple[Node, list[Node], list[Node]]:
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


# --- helpers -------------------------------------------------------------------------------


class Picker:
    """Weighted choice by cumulative weights (bisect: fast for thousands of options)."""

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cum = list(accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def _moment(rng: random.Random, after: datetime.datetime, days: float) -> datetime.datetime:
    return after + datetime.timedelta(seconds=rng.randrange(max(1, int(days * 86400))))


def _birth(rng: random.Random, first: int, last: int) -> datetime.date:
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


def _plan(rng: random.Random, kind: str, entry: Node) -> Plan:
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


def _make_units(ctx: Context, count: int, cities: list[Node]) -> None:
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


def _resident_id(ctx: Context, male: bool, years: tuple[int, int]) -> str:
    while True:
        number = generate_resident_id(
            rng=ctx.rng, regions=ctx.regions, birth=_birth(ctx.rng, *years), male=male
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


def _materials_for(ctx: Context, specialty_name: str, level: str, graduated: int) -> list[tuple]:
    """(model, section code, extra values) of one health candidate's materials."""
    rng = ctx.rng
    out = []
    top = {"1": "40", "2": rng.choice(["30", "20"]), "3": rng.choice(["30", "20", "20", "10"])}[
        level
    ]
    path = [top] if rng.random() < 0.25 or top == "40" else [str(int(top) + 10), top]
    if top == "10" and rng.random() < 0.6:
        path = ["30", "20", "10"]
    year = graduated
    for step, code in enumerate(reversed(path)):
        years = {"10": 3, "20": 5 if "临床" in specialty_name else 4, "30": 3, "40": 3}[code]
        enrolled = datetime.date(year - years, 9, 1)
        out.append(
            (
                EducationRecord,
                "education",
                [
                    code,
                    datetime.date(year, 6, 30),
                    rng.choice(SCHOOLS),
                    f"{rng.randrange(10**11, 10**12)}",
                    StudyForm.FULL_TIME if step == 0 else rng.choice(list(StudyForm.values)),
                    MajorType.MEDICAL,
                    years,
                    enrolled,
                    rng.choice(MAJORS),
                    f"{rng.randrange(10**15, 10**16)}",
                ],
            )
        )
        year -= years
    issued = datetime.date(min(graduated + rng.randint(1, 6), 2025), rng.randint(1, 12), 1)
    if level != "1" and rng.random() < 0.8:
        title_level = "junior" if level == "3" else "junior_assistant"
        out.append(
            (
                TitleCertificate,
                "title",
                [
                    f"{specialty_name}（初级）",
                    title_level,
                    f"{rng.randrange(10**12, 10**13)}",
                    issued,
                    "湖北省卫生健康委员会",
                ],
            )
        )
    if "护理" in specialty_name or "护" in specialty_name:
        if rng.random() < 0.85:
            out.append(
                (
                    NurseLicense,
                    "nurse_license",
                    [
                        f"{rng.randrange(10**11, 10**12)}",
                        "本单位",
                        issued,
                        issued.replace(year=issued.year + 5),
                    ],
                )
            )
    elif rng.random() < 0.6:
        out.append(
            (
                PhysicianQualification,
                "physician_qualification",
                [f"{rng.randrange(10**14, 10**15)}", "临床", "执业医师", issued],
            )
        )
        out.append(
            (
                PhysicianLicense,
                "physician_license",
                [f"{rng.randrange(10**14, 10**15)}", "临床", "内科专业", "本单位", issued],
            )
        )
    if rng.random() < 0.95:
        out.append(
            (
                SupplementaryInfo,
                "supplementary",
                [rng.random() < 0.05, datetime.date(graduated, 7, 1), max(0, 2025 - graduated), ""],
            )
        )
    return out


def _application(ctx: Context, chunk: Chunk, index: int, ids: dict[str, Iterator[int]]) -> None:
    rng = ctx.rng
    kind = ExamKind.TCM_EXPERTISE if rng.random() < TCM_SHARE else ExamKind.HEALTH_QUALIFICATION
    health = kind == ExamKind.HEALTH_QUALIFICATION
    level = specialty_id = None
    specialty_name = ""
    track = ""
    if health:
        entry = ctx.units[bisect.bisect(ctx.unit_cum, rng.random() * ctx.unit_cum[-1])]
        level = rng.choices(["1", "2", "3"], weights=[2, 3, 5])[0]
        specialty_id, specialty_name = rng.choice(ctx.specialties[level])
        years = {"1": (1996, 2003), "2": (1990, 2002), "3": (1972, 1996)}[level]
    else:
        entry = rng.choice(ctx.counties)
        track = rng.choice([Track.APPRENTICESHIP, Track.PRACTICE])
        years = (1965, 1992)
    plan = _plan(rng, kind, entry)
    chain = entry.chain()

    # The candidate and the account.
    male = rng.random() >= (0.9 if "护" in specialty_name else 0.5)
    name = generate_name(rng, male)
    id_number = _resident_id(ctx, male, years)
    ctx.people.append((id_number, name))
    phone = f"{BENCH_PHONE_PREFIX}{index:07d}"
    user_id, candidate_id, app_id = next(ids["user"]), next(ids["candidate"]), next(ids["app"])
    created = _moment(rng, BASE_TIME, 30)
    chunk.users.append(
        (user_id, ctx.password, None, False, phone, "", "", "", False, True, created)
    )
    birth = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    chunk.candidates.append(
        (
            candidate_id,
            user_id,
            name,
            "resident_id",
            id_number,
            "male" if int(id_number[16]) % 2 else "female",
            birth,
            rng.choices(["01", "15", "03", "06"], weights=[92, 5, 2, 1])[0],
            rng.choices(["13", "03", "01"], weights=[55, 25, 20])[0],
            phone,
            "",
            Candidate.IdentityStatus.VERIFIED,
            created,
        )
    )

    # Times: created → submitted → one decision per tier reached, a day or two apart.
    submitted = None if plan.status == AppStatus.DRAFT else _moment(rng, created, 5)
    moment = submitted or created
    logs = chunk.logs

    def log(action: str, node: Node | None, when, from_state="", to_state="", remark="") -> None:
        logs.append(
            (
                next(ids["log"]),
                app_id,
                node.pk if node else None,
                node.tier if node else "",
                None,
                action,
                from_state,
                to_state,
                remark,
                when,
            )
        )

    log(workflow.LOG_APPLICATION_CREATED, entry, created, to_state=AppStatus.DRAFT)
    if submitted:
        log(
            workflow.LOG_APPLICATION_SUBMITTED,
            entry,
            submitted,
            AppStatus.DRAFT,
            AppStatus.SUBMITTED,
        )
    if plan.outcome == "withdrawn":
        log(
            workflow.LOG_APPLICATION_WITHDRAWN,
            entry,
            submitted,
            AppStatus.SUBMITTED,
            AppStatus.WITHDRAWN,
        )

    onsite = None
    for tier in TIER_ORDER:
        status = plan.statuses.get(tier)
        if status is None:
            continue
        node = chain[tier]
        arrived = moment
        decided = reported = None
        if status != S.PENDING or plan.outcome in {"resubmitted", "reopened"} and tier == plan.tier:
            moment = decided = _moment(rng, moment, 3)
        if status == S.REPORTED:
            log("review.approved", node, decided, S.PENDING, S.APPROVED)
            moment = reported = _moment(rng, moment, 2)
            log(workflow.LOG_REVIEW_REPORTED, node, reported, S.APPROVED, S.REPORTED)
        elif decided is not None:
            action = {
                "deferred": "review.deferred",
                "returned": "review.returned",
                "resubmitted": "review.returned",
                "rejected": "review.rejected",
                "approved": "review.approved",
                "reopened": "review.approved",
            }[plan.outcome]
            log(
                action,
                node,
                decided,
                S.PENDING,
                S.RETURNED if action == "review.returned" else action.split(".")[1],
            )
            if plan.outcome == "resubmitted":
                log(
                    workflow.LOG_APPLICATION_RESUBMITTED,
                    node,
                    decided,
                    AppStatus.RETURNED,
                    AppStatus.IN_REVIEW,
                )
            elif plan.outcome == "reopened":
                log(workflow.LOG_REVIEW_REOPENED, node, decided, S.APPROVED, S.PENDING)
        needs_onsite = kind == ExamKind.TCM_EXPERTISE and tier == Tier.COUNTY
        if needs_onsite and (status in {S.REPORTED, S.APPROVED} or rng.random() < 0.5):
            onsite = _moment(rng, arrived, 1)
            log(workflow.LOG_APPLICATION_ONSITE, node, onsite)
        chunk.reviews.append(
            (
                next(ids["review"]),
                app_id,
                node.pk,
                tier,
                status,
                "" if decided is None else "材料齐全，符合报考条件。",
                None,
                decided,
                reported,
                arrived,
            )
        )
    current = chain[plan.tier]

    # Payment (as the demo settles it).
    paid_share = {
        AppStatus.APPROVED: 0.85,
        AppStatus.IN_REVIEW: 0.5,
        AppStatus.SUBMITTED: 0.4,
        AppStatus.RETURNED: 0.4,
        AppStatus.REJECTED: 0.6,
    }.get(plan.status, 0)
    payment = PaymentStatus.PAID if rng.random() < paid_share else PaymentStatus.UNPAID
    if payment == PaymentStatus.PAID and plan.status == AppStatus.REJECTED and rng.random() < 0.6:
        payment = PaymentStatus.REFUNDED

    # Sections and materials.
    definitions = sections_for(kind, track)
    all_complete = plan.status != AppStatus.DRAFT or rng.random() < 0.25
    materials = []
    if health and all_complete:
        graduated = int(id_number[6:10]) + rng.randint(20, 24)
        materials = _materials_for(ctx, specialty_name, level, min(graduated, 2025))
    with_rows = {code for _, code, _ in materials}
    complete = [
        d.code
        for i, d in enumerate(definitions)
        if (all_complete or i == 0) and (d.required or d.code in with_rows or not health)
    ]
    locked: set[str] = set()
    if plan.outcome in {"returned", "resubmitted"} and plan.tier == current.tier:
        locked = set(complete[:-1]) if len(complete) > 1 else set()
    for d in definitions:
        status = (
            Section.Status.LOCKED
            if d.code in locked
            else Section.Status.COMPLETE
            if d.code in complete
            else Section.Status.INCOMPLETE
        )
        chunk.sections.append((next(ids["section"]), app_id, d.code, status, {}, moment))

    highest = ""
    if materials:
        educations = [m for m in materials if m[0] is EducationRecord]
        highest = EDUCATION[min(e[2][0] for e in educations)]
    if plan.status in {AppStatus.DRAFT, AppStatus.WITHDRAWN}:
        shares = (0.0, 0.0)
    elif plan.statuses.get(entry.tier) in {S.APPROVED, S.REPORTED}:
        shares = (0.45, 0.03)
    elif plan.statuses.get(entry.tier) in {S.REJECTED, S.RETURNED}:
        shares = (0.2, 0.25)
    else:
        shares = (0.1, 0.04)
    for model, _code, extra in materials:
        roll = rng.random()
        if roll < shares[0]:
            verification, remark, by, at = (
                VerificationStatus.VERIFIED,
                "与原件核对一致。",
                ctx.province_user_id,
                moment,
            )
        elif roll < shares[0] + shares[1]:
            verification, remark, by, at = (
                VerificationStatus.FAILED,
                "证书信息与原件不符。",
                ctx.province_user_id,
                moment,
            )
        else:
            verification, remark, by, at = VerificationStatus.PENDING, "", None, None
        chunk.materials[model].append(
            (
                next(ids[model.__name__]),
                app_id,
                "",
                verification,
                remark,
                by,
                at,
                submitted or created,
                moment,
                *extra,
            )
        )

    chunk.applications.append(
        (
            app_id,
            ctx.projects[kind],
            candidate_id,
            level,
            specialty_id,
            track,
            entry.pk,
            chain[Tier.UNIT].pk if Tier.UNIT in chain else None,
            chain[Tier.COUNTY].pk if Tier.COUNTY in chain else None,
            chain[Tier.CITY].pk if Tier.CITY in chain else None,
            chain[Tier.PROVINCE].pk,
            current.pk,
            current.tier,
            plan.statuses.get(Tier.UNIT, ""),
            plan.statuses.get(Tier.COUNTY, ""),
            plan.statuses.get(Tier.CITY, ""),
            plan.statuses.get(Tier.PROVINCE, ""),
            highest,
            plan.status,
            payment,
            submitted,
            onsite,
            None,
            created,
            moment,
        )
    )


APPLICATION_COLUMNS = [
    "id",
    "project_id",
    "candidate_id",
    "level_id",
    "specialty_id",
    "track",
    "entry_institution_id",
    "unit_id",
    "county_id",
    "city_id",
    "province_id",
    "current_institution_id",
    "current_tier",
    "unit_review_status",
    "county_review_status",
    "city_review_status",
    "province_review_status",
    "highest_education",
    "status",
    "payment_status",
    "submitted_at",
    "onsite_confirmed_at",
    "onsite_confirmed_by_id",
    "created_at",
    "updated_at",
]


def _write_chunk(writer: BulkWriter, chunk: Chunk) -> None:
    writer.insert(
        User,
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        chunk.users,
    )
    writer.insert(
        Candidate,
        [
            "id",
            "user_id",
            "name",
            "id_type",
            "id_number",
            "gender",
            "birth_date",
            "ethnicity_id",
            "political_status_id",
            "phone",
            "photo",
            "identity_status",
            "created_at",
        ],
        chunk.candidates,
    )
    writer.insert(Application, APPLICATION_COLUMNS, chunk.applications)
    writer.insert(
        TierReview,
        [
            "id",
            "application_id",
            "institution_id",
            "tier",
            "status",
            "remark",
            "decided_by_id",
            "decided_at",
            "reported_at",
            "created_at",
        ],
        chunk.reviews,
    )
    writer.insert(
        Section, ["id", "application_id", "code", "status", "data", "updated_at"], chunk.sections
    )
    for model, rows in chunk.materials.items():
        writer.insert(model, MATERIAL_COLUMNS + MATERIAL_EXTRA[model], rows)
    writer.insert(
        ReviewLog,
        [
            "id",
            "application_id",
            "institution_id",
            "tier",
            "actor_id",
            "action",
            "from_state",
            "to_state",
            "remark",
            "created_at",
        ],
        chunk.logs,
    )


def _id_stream(writer: BulkWriter, model, count: int) -> Iterator[int]:
    # Generous blocks: the exact number of rows per table is known only after generating.
    return iter(writer.next_ids(model, count))


def _physicians(ctx: Context, count: int) -> None:
    rng = ctx.rng
    ids = ctx.writer.next_ids(Physician, count)
    titles = ("主任医师", "副主任医师", "主治医师", "医师", "主任中医师", "副主任中医师")
    rows = []
    for n, pk in enumerate(ids, start=1):
        male = rng.random() < 0.6
        unit = rng.choice(ctx.units)
        rows.append(
            (
                pk,
                generate_name(rng, male),
                _resident_id(ctx, male, (1955, 1985)),
                unit.name,
                f"139{n:08d}",  # 手机号码 (no draw from rng: the rest stays as it was)
                f"{BENCH_MARK}{n:010d}",
                f"{rng.randrange(10**14, 10**15)}",
                rng.choice(["临床", "中医", "口腔", "公共卫生"]),
                rng.choice(["内科专业", "外科专业", "中医专业", "全科医学专业"]),
                rng.choice(titles),
                rng.random() < 0.7,
                rng.random() < 0.4,
                BASE_TIME,
            )
        )
    ctx.writer.insert(
        Physician,
        [
            "id",
            "name",
            "id_number",
            "institution_name",
            "phone",
            "qualification_no",
            "license_no",
            "practice_category",
            "practice_scope",
            "title",
            "is_recommender",
            "is_supervisor",
            "updated_at",
        ],
        rows,
    )


def _reference_records(ctx: Context, count: int) -> None:
    """30 % of the records name bench candidates (the list shows their flags), the rest are
    other people. Noise ID numbers are checksum-valid; their region is checked once per
    (region, birth year) instead of per number, which is what makes 500,000 of them cheap."""
    rng = ctx.rng
    libraries = [lib for lib in LIBRARY_WEIGHTS if lib in ctx.libraries] or ctx.libraries
    pick_library = Picker(libraries, [LIBRARY_WEIGHTS.get(lib, 1) for lib in libraries])
    keys: set[tuple[str, str, int]] = set()
    rows = []
    made = 0
    ids = iter(ctx.writer.next_ids(ReferenceRecord, count))
    while made < count:
        library = pick_library(rng)
        year = rng.randint(2018, 2025)
        if ctx.people and rng.random() < 0.3:
            id_number, name = rng.choice(ctx.people)
        else:
            male = rng.random() < 0.5
            name = generate_name(rng, male)
            id_number = _resident_id(ctx, male, (1965, 2003))
        key = (library, id_number, year)
        if key in keys:
            continue
        keys.add(key)
        rows.append((next(ids), library, id_number, name, year, BENCH_SOURCE, "", {}, BASE_TIME))
        made += 1
        if len(rows) >= CHUNK:
            _write_references(ctx.writer, rows)
            rows = []
    _write_references(ctx.writer, rows)


def _write_references(writer: BulkWriter, rows: list[tuple]) -> None:
    writer.insert(
        ReferenceRecord,
        [
            "id",
            "library_id",
            "id_number",
            "name",
            "year",
            "source",
            "detail",
            "extra",
            "imported_at",
        ],
        rows,
    )


def _ensure_projects() -> dict[str, int]:
    projects = {}
    for kind, name in PROJECT_NAMES.items():
        project = ExamProject.objects.filter(kind=kind, year=PROJECT_YEAR).first()
        if project is None:
            project = ExamProject.objects.create(
                kind=kind,
                year=PROJECT_YEAR,
                name=name,
                registration_opens_at=BASE_TIME - datetime.timedelta(days=1),
                registration_closes_at=BASE_TIME + datetime.timedelta(days=120),
            )
        projects[kind] = project.pk
    return projects


def _ensure_province_user(province: Node) -> int:
    user = User.objects.filter(username=BENCH_PROVINCE_USER).first()
    if user is None:
        user = reviewer_add(
            institution=Institution.objects.get(pk=province.pk),
            username=BENCH_PROVINCE_USER,
            password=BENCH_PASSWORD,
            extra_perms=[Perm.MANAGE],
            full_name="基准测试省级账号",
        )
    return user.pk


@dataclass
class SeedReport:
    scale: Scale
    seconds: float
    tables: list[tuple[str, int, float]]  # (table, rows, seconds)
    method: str


def seed_bench(
    *,
    applications: int,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Create the data set in one transaction. Refuses when the database holds other data
    (unless `force`) or bench data already (clear it first)."""
    say = progress or (lambda message: None)
    if applications < 1:
        raise BenchDataError("申报数量必须大于 0。")
    if not Division.objects.filter(code=PROVINCE_CODE).exists() or not Specialty.objects.exists():
        raise BenchDataError("尚未载入参考数据，请先运行 python manage.py load_reference_data。")
    if bench_counts()["candidates"]:
        raise BenchDataError("数据库中已有基准测试数据，请先运行 seed_bench --clear。")
    foreign = foreign_data()
    if foreign and not force:
        raise BenchDataError(
            f"数据库中已有非基准测试数据（{'、'.join(foreign)}），"
            "为避免混入真实或演示数据已停止。确需继续请加 --force。"
        )
    scale = Scale.for_applications(applications)
    started = time.perf_counter()
    writer = BulkWriter()
    with transaction.atomic():
        province, cities, counties = _ensure_authorities()
        specialties: dict[str, list[tuple[int, str]]] = {}
        rows = Specialty.objects.filter(is_active=True).order_by("level_id", "code")
        for level_id, pk, name in rows.values_list("level_id", "pk", "name"):
            specialties.setdefault(level_id, []).append((pk, name))
        regions = list(
            Division.objects.filter(level="county", code__startswith="42")
            .order_by("code")
            .values_list("code", flat=True)
        )
        ctx = Context(
            rng=random.Random(seed),
            writer=writer,
            province=province,
            counties=counties,
            units=[],
            projects=_ensure_projects(),
            specialties=specialties,
            regions=regions,
            province_user_id=_ensure_province_user(province),
            # One hash for every bench candidate: hashing 200,000 passwords would take hours.
            password=make_password(BENCH_PASSWORD, salt="benchmark"),
            used_ids=set(
                Candidate.objects.exclude(id_number="").values_list("id_number", flat=True)
            )
            | set(Physician.objects.values_list("id_number", flat=True)),
            libraries=list(ReferenceLibrary.objects.values_list("code", flat=True)),
        )
        _make_units(ctx, scale.units, cities)
        # Units differ in size: a few large hospitals, many small ones.
        ctx.unit_cum = list(accumulate(ctx.rng.choice((1, 1, 1, 2, 3, 5, 10)) for _ in ctx.units))
        say(f"机构：{len(ctx.units)} 个单位")
        done = 0
        while done < applications:
            size = min(CHUNK, applications - done)
            ids = {
                "user": _id_stream(writer, User, size),
                "candidate": _id_stream(writer, Candidate, size),
                "app": _id_stream(writer, Application, size),
                "review": _id_stream(writer, TierReview, size * 4),
                "section": _id_stream(writer, Section, size * 8),
                "log": _id_stream(writer, ReviewLog, size * 14),
                **{m.__name__: _id_stream(writer, m, size * 3) for m in MATERIAL_EXTRA},
            }
            chunk = Chunk()
            for index in range(done, done + size):
                _application(ctx, chunk, index, ids)
            _write_chunk(writer, chunk)
            done += size
            say(f"申报：{done}/{applications}")
        _physicians(ctx, scale.physicians)
        say(f"医师库：{scale.physicians}")
        _reference_records(ctx, scale.reference_records)
        say(f"对比库记录：{scale.reference_records}")
        writer.reset_sequences()
    # Fresh statistics: without them PostgreSQL plans the first queries over millions of
    # new rows as if the tables were empty (a COUNT then took over half an hour).
    if connection.vendor == "postgresql":
        say("ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    tables = [(s.table, s.rows, s.seconds) for s in writer.stats.values()]
    return SeedReport(
        scale=scale,
        seconds=time.perf_counter() - started,
        tables=tables,
        method="COPY" if writer.uses_copy else "executemany",
    )
