"""Demo data for `manage.py seed_demo`: the review tree, reviewer accounts, the 2026 projects
and about 300 generated candidates whose applications sit in every state at every tier.

Everything is deterministic (fixed seeds) and idempotent: a candidate whose phone number or
username already exists is skipped, so a second run changes nothing. Every state change goes
through the services, acting as the user who would really make it (the candidate, the demo
reviewer of the institution, or the superuser `admin` where the institution has no demo
account), so every ReviewLog row is a real one.

Names and resident ID numbers are generated: the names are drawn from common surnames and given
names, the ID numbers are checksum-valid with real Hubei region codes and a sequence number
starting with 9, which marks them as generated here.

The applications have content: health-exam 证明材料 (学历, 职称, 资格证, 执业证, 补充信息)
with generated certificate images and some 核验 decisions; TCM section data (keys documented in
exam.sections.TCM_SECTION_FIELDS), five case records, the attachments of the track, and
推荐医师/指导老师 drawn from ~60 generated physicians in 医师库. 对比库 records match some
candidates, plus people who are not candidates. Generated files (review/demo_media.py) are
saved through the default storage, i.e. under MEDIA_ROOT, with stable names.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from stdnum.cn import ric

from exam import services as exam_services
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    CaseRecord,
    EducationRecord,
    ExamKind,
    ExamProject,
    Level,
    MajorType,
    Material,
    NurseLicense,
    PaymentStatus,
    PhysicianLicense,
    PhysicianQualification,
    Recommender,
    Section,
    Specialty,
    StudyForm,
    SupplementaryInfo,
    TitleCertificate,
    Track,
    VerificationStatus,
)
from exam.models.applications import ReviewStatus
from exam.recommender_services import TEACHER_UPLOADS
from exam.sections import section_label, sections_for
from people.demo import (
    DEMO_PASSWORD,
    DEMO_REVIEWERS,
    DEMO_UNITS,
    DemoTree,
    build_demo_tree,
    ensure_demo_reviewers,
)
from people.id_documents import validate_resident_id
from people.models import (
    Candidate,
    Division,
    EducationLevel,
    Gender,
    IdentityVerification,
    Institution,
    Physician,
)
from people.tiers import TIER_ORDER, Tier
from review import demo_media, demo_texts
from review import services as review_services
from review.demo_phones import backfill_phones, physician_phone
from review.models import ReferenceLibrary, ReferenceRecord, ReviewLog, TierReview
from review.verification import material_verify_batch

User = get_user_model()

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


# --- generated people -------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷"
    "钱汤尹黎易常武贺龚文涂喻柯舒鲁向覃肖"
)
# The most common surnames come first and are drawn more often.
SURNAME_WEIGHTS = [max(1, 40 - i) for i in range(len(SURNAMES))]
GIVEN_MALE = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林洋阳博文志国建晨诚东峰海亮松毅春"
)
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪琳倩颖洁慧莉欣梅琴兰萍红晶丹蕾璐佳悦怡雯瑶婧诗思雨梦琪欢月"


def _resident_id(region: str, birth: datetime.date, male: bool, rng: random.Random) -> str:
    sequence = f"9{rng.randrange(10)}"
    sex_digit = rng.choice("13579" if male else "02468")
    body = f"{region}{birth:%Y%m%d}{sequence}{sex_digit}"
    # `calc_check_digit` expects the whole 18-character number and ignores its last character.
    return body + ric.calc_check_digit(body + "0")


def _is_valid(number: str) -> bool:
    try:
        validate_resident_id(number)
    except ValidationError:
        return False
    return True


def fake_resident_id(
    *,
    region: str = "420102",
    birth: datetime.date | None = None,
    male: bool | None = None,
    rng: random.Random | None = None,
) -> str:
    """A checksum-valid resident ID number with a real region code, for demo data and tests.

    The two sequence digits after the birth date start with 9, which marks the number as
    generated here. Without `birth`, a birth date in 1965–2003 is drawn for which the platform's
    validator accepts the region code; a given `birth` is used as it is.
    """
    rng = rng or random.Random()
    male = rng.random() < 0.5 if male is None else male
    if birth is not None:
        return _resident_id(region, birth, male, rng)
    for _ in range(200):
        number = _resident_id(region, _birth(rng, 1965, 2003), male, rng)
        if _is_valid(number):
            return number
    raise ValueError(f"region code {region} was not valid for births in 1965–2003")


def generate_resident_id(
    *,
    rng: random.Random,
    regions: list[str],
    birth: datetime.date,
    male: bool,
    preferred_region: str | None = None,
) -> str:
    """A generated resident ID that passes `validate_resident_id`: the region is retried
    until one is accepted for the birth year (codes abolished before the birth are not)."""
    tries = ([preferred_region] if preferred_region else []) + [
        rng.choice(regions) for _ in range(50)
    ]
    for region in tries:
        number = _resident_id(region, birth, male, rng)
        if _is_valid(number):
            return number
    raise RuntimeError(f"no region code is valid for births in {birth.year}")


def generate_name(rng: random.Random, male: bool) -> str:
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    size = 1 if rng.random() < 0.35 else 2
    return surname + "".join(rng.choice(pool) for _ in range(size))


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


def _pick_weighted(rng: random.Random, weights: dict[str, int]) -> str:
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


def _birth(rng: random.Random, first_year: int, last_year: int) -> datetime.date:
    start = datetime.date(first_year, 1, 1)
    days = (datetime.date(last_year, 12, 31) - start).days
    return start + datetime.timedelta(days=rng.randrange(days + 1))


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
            birth=_birth(rng, *years),
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
            entry = _pick_weighted(rng, _health_units_for(world, scenario.tier))
            track = ""
        else:
            entry = _pick_weighted(rng, TCM_COUNTY_WEIGHTS)
            track = rng.choice([Track.APPRENTICESHIP, Track.PRACTICE])
        add(phone, phone, kind=kind, scenario=scenario, entry_code=entry, track=track)
    return plans


# --- section contents and materials -------------------------------------------------------
#
# Each application's content is decided up front from its own random stream (seeded with the
# candidate's phone number), separate from the stream that plays its review story, so adding
# content never changes which states the applications end up in.

LAST_GRADUATION_YEAR = 2025
# When a practice counts as ongoing (the registration is in the 2026 project).
PRACTICE_ONGOING_UNTIL = datetime.date(2025, 12, 31)
VERIFIER_REMARK = "与原件核对一致。"


def _iso(day: datetime.date | None) -> str:
    return day.isoformat() if day else ""


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _day_in(rng: random.Random, year: int, months: tuple[int, int] = (1, 12)) -> datetime.date:
    return datetime.date(year, rng.randint(*months), rng.randint(1, 28))


def _add_years(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years)


def _field_of(specialty_name: str) -> str:
    """nursing / pharmacy / laboratory / clinical: what the specialty's candidates studied."""
    if "护理" in specialty_name:
        return "nursing"
    if "药" in specialty_name:
        return "pharmacy"
    if "检验" in specialty_name:
        return "laboratory"
    return "clinical"


def _practice_scope(specialty_name: str) -> str:
    """执业范围 on a physician's licence, roughly matching the specialty."""
    for word, scope in (
        ("外科", "外科专业"),
        ("妇产", "妇产科专业"),
        ("精神", "精神卫生专业"),
        ("皮肤", "皮肤病与性病专业"),
        ("急诊", "急救医学专业"),
        ("全科", "全科医学专业"),
        ("职业病", "职业病专业"),
    ):
        if word in specialty_name:
            return scope
    return "内科专业"


# The title held before applying for the level (专技职称), per field: (士, 师).
JUNIOR_TITLES = {
    "nursing": ("护士", "护师"),
    "pharmacy": ("药士", "药师"),
    "laboratory": ("技士", "技师"),
    "clinical": ("医士", "医师"),
}
EDUCATION_DURATION = {
    demo_texts.SECONDARY: 3,
    demo_texts.JUNIOR_COLLEGE: 3,
    demo_texts.UNDERGRADUATE: 4,
    demo_texts.POSTGRADUATE: 3,
}
FIVE_YEAR_MAJORS = {"临床医学", "中西医临床医学"}
DIPLOMA_LEVEL_DIGITS = {
    demo_texts.POSTGRADUATE: "02",
    demo_texts.UNDERGRADUATE: "05",
    demo_texts.JUNIOR_COLLEGE: "06",
}
MATERIAL_STYLES = {
    "educationrecord": "education",
    "titlecertificate": "title",
    "physicianqualification": "physician_qualification",
    "physicianlicense": "physician_license",
    "nurselicense": "nurse_license",
    "supplementaryinfo": "supplementary",
}


@dataclass
class PlannedMaterial:
    """One material row to create: its model, its fields and the file name of its image."""

    model: type[Material]
    fields: dict[str, Any]
    filename: str


@dataclass
class PlannedAttachment:
    kind: str
    label: str
    filename: str
    content: bytes
    content_type: str


@dataclass
class ApplicationContent:
    """What a candidate fills in: section data, plus the rows behind some sections."""

    sections: dict[str, dict[str, Any]]
    materials: dict[str, list[PlannedMaterial]] = field(default_factory=dict)
    highest_education: str = ""
    attachments: dict[str, list[PlannedAttachment]] = field(default_factory=dict)
    case_records: list[dict[str, Any]] = field(default_factory=list)
    # (role, physician) in the order the candidate adds them.
    recommenders: list[tuple[str, Physician]] = field(default_factory=list)
    technique: str = ""
    disease: str = ""

    def has(self, code: str) -> bool:
        return code in self.sections


def _education_path(rng: random.Random, level_code: str, field_name: str) -> list[str]:
    """The education levels a candidate went through, lowest first (the last is the highest)."""
    sec, college, bachelor, master = (
        demo_texts.SECONDARY,
        demo_texts.JUNIOR_COLLEGE,
        demo_texts.UNDERGRADUATE,
        demo_texts.POSTGRADUATE,
    )
    roll = rng.random()
    if level_code == "1":
        path = [sec] if roll < 0.6 else [college]
        if path == [sec] and rng.random() < 0.3:
            path.append(college)
    elif level_code == "2":
        path = [college] if roll < 0.5 else [bachelor]
        if path == [college] and rng.random() < 0.3:
            path.append(bachelor)
    elif roll < 0.55:
        path = [bachelor]
    elif roll < 0.72:
        path = [college, bachelor]
    elif roll < 0.87:
        path = [bachelor, master]
    else:
        path = [college] if field_name == "nursing" else [bachelor]
    if master in path and master not in demo_texts.FIELD_MAJORS[field_name]:
        path.remove(master)
    return path


def _major_and_school(
    rng: random.Random, level: str, field_name: str, specialty: str
) -> tuple[str, demo_texts.School]:
    majors = demo_texts.FIELD_MAJORS[field_name][level]
    major = majors[0] if rng.random() < 0.8 else rng.choice(majors)
    if level == demo_texts.POSTGRADUATE and field_name == "clinical":
        major = next(
            (m for word, m in demo_texts.POSTGRADUATE_MAJOR_BY_WORD if word in specialty),
            rng.choice(majors),
        )
    schools = [s for s in demo_texts.SCHOOLS[level] if major in s.majors]
    return major, rng.choice(schools)


def _education_records(
    rng: random.Random, birth: datetime.date, level_code: str, specialty: str
) -> list[dict[str, Any]]:
    """EducationRecord fields, lowest level first, with consistent dates."""
    field_name = _field_of(specialty)
    records: list[dict[str, Any]] = []
    previous_graduation: datetime.date | None = None
    for level in _education_path(rng, level_code, field_name):
        major, school = _major_and_school(rng, level, field_name, specialty)
        duration = EDUCATION_DURATION[level]
        if level == demo_texts.UNDERGRADUATE and major in FIVE_YEAR_MAJORS:
            duration = 5
        if previous_graduation is None:
            form = StudyForm.FULL_TIME
            age = rng.randint(15, 16) if level == demo_texts.SECONDARY else rng.randint(18, 19)
            enrolled = birth.year + age
            overflow = enrolled + duration - LAST_GRADUATION_YEAR
            enrolled -= max(0, overflow)
        else:
            # 中专→大专, 专升本 while working; 研究生 mostly full time.
            if level == demo_texts.POSTGRADUATE:
                form = StudyForm.FULL_TIME if rng.random() < 0.8 else StudyForm.PART_TIME
            else:
                form = rng.choices(
                    [StudyForm.ADULT, StudyForm.SELF_STUDY, StudyForm.ONLINE], weights=[5, 3, 2]
                )[0]
                duration = 3
            enrolled = previous_graduation.year + rng.randint(0, 3)
            if enrolled + duration > LAST_GRADUATION_YEAR:
                break
        enrollment = datetime.date(enrolled, 9, 1)
        if form == StudyForm.FULL_TIME:
            graduation = datetime.date(enrolled + duration, 6, rng.choice([20, 25, 28, 30]))
        else:
            graduation = datetime.date(enrolled + duration, 7, rng.choice([1, 10, 15]))
        if school.code:
            kind_digit = "1" if form == StudyForm.FULL_TIME else "5"
            diploma_no = (
                f"{school.code}{kind_digit}{graduation.year}"
                f"{DIPLOMA_LEVEL_DIGITS[level]}{_digits(rng, 6)}"
            )
        else:
            diploma_no = f"鄂{graduation.year}{_digits(rng, 8)}"
        report_no = ""
        if level in {demo_texts.UNDERGRADUATE, demo_texts.POSTGRADUATE}:
            report_no = f"{graduation.year}{_digits(rng, 12)}"
        records.append(
            {
                "level_id": level,
                "graduation_date": graduation,
                "school": school.name,
                "certification_report_no": report_no,
                "study_form": form,
                "major_type": MajorType.RELATED
                if major in demo_texts.RELATED_MAJORS
                else MajorType.MEDICAL,
                "duration_years": Decimal(duration),
                "enrollment_date": enrollment,
                "major": major,
                "diploma_no": diploma_no,
            }
        )
        previous_graduation = graduation
    return records


def build_health_content(
    rng: random.Random, world: World, candidate: Candidate, application: Application
) -> ApplicationContent:
    """Section data and 证明材料 of a health-exam application, consistent with each other."""
    specialty = application.specialty.name
    level_code = application.level_id
    field_name = _field_of(specialty)
    unit_name = application.entry_institution.name
    education = _education_records(rng, candidate.birth_date, level_code, specialty)
    first, highest = education[0], education[-1]
    work_started = first["graduation_date"] + datetime.timedelta(days=rng.randint(7, 75))
    materials: dict[str, list[PlannedMaterial]] = {
        "education": [
            PlannedMaterial(EducationRecord, record, f"education_{n}.png")
            for n, record in enumerate(reversed(education), start=1)
        ]
    }
    highest_label = world.education_labels[highest["level_id"]]
    sections: dict[str, dict[str, Any]] = {
        "basic": {
            "name": candidate.name,
            "gender": candidate.get_gender_display(),
            "birth_date": candidate.birth_date.isoformat(),
            "phone": candidate.phone,
            "ethnicity": candidate.ethnicity.name if candidate.ethnicity else "",
            "political_status": candidate.political_status.name
            if candidate.political_status
            else "",
            "work_unit": unit_name,
            "work_started_on": work_started.isoformat(),
            "specialty": specialty,
        },
        "education": {
            "highest_education": highest_label,
            "school": highest["school"],
            "major": highest["major"],
            "graduated_on": highest["graduation_date"].isoformat(),
            "records": len(education),
        },
    }

    # 专技职称: a 中级 applicant holds its 初级(师) title; some 初级(师) applicants their 士 title.
    junior, middle = JUNIOR_TITLES[field_name]
    title: dict[str, Any] | None = None
    if level_code == "3":
        years_before = 1 if highest["level_id"] == demo_texts.POSTGRADUATE else rng.randint(1, 4)
        year = min(work_started.year + years_before, 2024)
        title = {"title_name": middle, "title_level": TitleCertificate.TitleLevel.JUNIOR}
    elif level_code == "2" and work_started.year <= 2022 and rng.random() < 0.4:
        year = min(work_started.year + rng.randint(1, 2), 2024)
        title = {"title_name": junior, "title_level": TitleCertificate.TitleLevel.JUNIOR_ASSISTANT}
    if title is not None:
        title |= {
            "certificate_no": f"{year}0420{_digits(rng, 7)}",
            "issued_on": _day_in(rng, year, (9, 12)),
            "issuing_authority": "湖北省卫生健康委员会",
        }
        materials["title"] = [PlannedMaterial(TitleCertificate, title, "title.png")]
        sections["title"] = {
            "title_name": title["title_name"],
            "title_level": TitleCertificate.TitleLevel(title["title_level"]).label,
            "certificate_no": title["certificate_no"],
            "issued_on": title["issued_on"].isoformat(),
            "issuing_authority": title["issuing_authority"],
        }

    # 医师资格证 and 医师执业证 for the clinical 中级 specialties.
    if level_code == "3" and field_name == "clinical":
        clinical = next(
            r for r in education if r["level_id"] != demo_texts.JUNIOR_COLLEGE
        )  # the 本科 that qualified them for the physicians' exam
        issued = min(
            _day_in(rng, clinical["graduation_date"].year + 1 + rng.randint(0, 1), (1, 3)),
            datetime.date(2025, 3, 31),
        )
        qualification = {
            "certificate_no": f"{issued.year - 1}1142{_digits(rng, 7)}",
            "category": "临床",
            "level": "执业医师",
            "issued_on": issued,
        }
        registered = issued + datetime.timedelta(days=rng.randint(30, 200))
        license_ = {
            "certificate_no": f"110420{_digits(rng, 9)}",
            "category": "临床",
            "scope": _practice_scope(specialty),
            "practice_institution": unit_name,
            "issued_on": registered,
        }
        materials["physician_qualification"] = [
            PlannedMaterial(PhysicianQualification, qualification, "physician_qualification.png")
        ]
        materials["physician_license"] = [
            PlannedMaterial(PhysicianLicense, license_, "physician_license.png")
        ]
        sections["physician_qualification"] = {
            "certificate_no": qualification["certificate_no"],
            "category": "临床",
            "level": "执业医师",
            "issued_on": issued.isoformat(),
        }
        sections["physician_license"] = {
            "certificate_no": license_["certificate_no"],
            "category": "临床",
            "scope": license_["scope"],
            "practice_institution": unit_name,
            "issued_on": registered.isoformat(),
        }

    # 护士执业证 for 护理学: registered after graduating, renewed every five years.
    if field_name == "nursing":
        first_registration = first["graduation_date"] + datetime.timedelta(
            days=rng.randint(60, 240)
        )
        issued = first_registration
        while _add_years(issued, 5) < datetime.date(2026, 1, 1):
            issued = _add_years(issued, 5)
        nurse = {
            "certificate_no": f"{first_registration.year}42{_digits(rng, 6)}",
            "practice_institution": unit_name,
            "issued_on": issued,
            "valid_until": _add_years(issued, 5) - datetime.timedelta(days=1),
        }
        materials["nurse_license"] = [PlannedMaterial(NurseLicense, nurse, "nurse_license.png")]
        sections["nurse_license"] = {
            "certificate_no": nurse["certificate_no"],
            "practice_institution": unit_name,
            "issued_on": issued.isoformat(),
            "valid_until": nurse["valid_until"].isoformat(),
        }

    # 补充信息: about one candidate in ten (of those working by 2020) was 抗疫一线人员.
    covid = work_started.year <= 2020 and rng.random() < 0.08
    supplementary = {
        "covid_frontline": covid,
        "work_started_on": work_started,
        "years_in_specialty": max(1, LAST_GRADUATION_YEAR - work_started.year),
        "note": demo_texts.COVID_NOTE if covid else rng.choice(demo_texts.SUPPLEMENTARY_NOTES),
    }
    materials["supplementary"] = [
        PlannedMaterial(SupplementaryInfo, supplementary, "supplementary.png")
    ]
    sections["supplementary"] = {
        "covid_frontline": "是" if covid else "否",
        "work_started_on": work_started.isoformat(),
        "years_in_specialty": supplementary["years_in_specialty"],
        "note": supplementary["note"],
    }
    return ApplicationContent(
        sections=sections, materials=materials, highest_education=highest_label
    )


# --- TCM content --------------------------------------------------------------------------


def _png_attachment(kind: str, label: str, filename: str, content: bytes) -> PlannedAttachment:
    return PlannedAttachment(kind, label, f"{filename}.png", content, demo_media.PNG)


def _pdf_attachment(
    rng: random.Random, kind: str, label: str, filename: str, pages: int = 1
) -> PlannedAttachment:
    content = demo_media.document_pdf("tcm", rng.randrange(demo_media.VARIANTS), pages)
    return PlannedAttachment(kind, label, f"{filename}.pdf", content, demo_media.PDF)


def _certificate(rng: random.Random, style: str = "tcm") -> bytes:
    return demo_media.certificate_png(style, rng.randrange(demo_media.VARIANTS))


def _place(rng: random.Random, county: str, surname: str) -> str:
    return rng.choice(
        [
            f"{county}{rng.choice(demo_texts.CLINIC_WORDS)}堂中医诊所",
            f"{county}{surname}氏中医诊所",
            f"{county}{rng.choice(demo_texts.CLINIC_WORDS)}中医馆",
        ]
    )


def _address(rng: random.Random, world: World, county_code: str) -> str:
    county = world.division_names[county_code]
    city = world.division_names[county_code[:4] + "00"]
    streets = demo_texts.STREETS.get(county_code[:4], demo_texts.STREETS[""])
    return f"湖北省{city}{county}{rng.choice(streets)}{rng.randint(1, 399)}号"


def _case_record(
    rng: random.Random,
    world: World,
    template: demo_texts.CaseTemplate,
    number: int,
    county_code: str,
) -> dict[str, Any]:
    """One patient's record; most patients live in the candidate's county."""
    male = False if template.female_only else rng.random() < 0.5
    if rng.random() < 0.25:
        county_code = rng.choice(list(TCM_COUNTY_WEIGHTS))
    values = {
        "long": rng.choice(["3个月", "半年", "1年", "2年", "3年", "5年"]),
        "short": rng.choice(["3天", "1周", "10天", "半月", "1个月"]),
        "doses": rng.choice([7, 10, 14, 21]),
        "sessions": rng.choice([6, 10, 12, 15, 20]),
        "visits": rng.randint(2, 4),
    }
    # Published case records mask the phone number; so does the demo (nobody can be called).
    phone = f"1{rng.choice('3589')}{rng.randrange(10)}****{_digits(rng, 4)}"
    return {
        "number": number,
        "patient_name": generate_name(rng, male),
        "patient_gender": Gender.MALE if male else Gender.FEMALE,
        "patient_age": rng.randint(*template.ages),
        "address": _address(rng, world, county_code),
        "phone": phone,
        "chief_complaint": template.chief_complaint.format(**values),
        "history": template.history.format(**values),
        "syndrome_analysis": template.syndrome_analysis.format(**values),
        "diagnosis": template.diagnosis.format(**values),
        "treatment": template.treatment.format(**values),
        "analysis": template.analysis.format(**values),
    }


def _pick_physicians(
    rng: random.Random, world: World, county_code: str, with_supervisor: bool, recommenders: int
) -> list[tuple[str, Physician]]:
    """推荐医师 from the physicians tagged 推荐医师, 指导老师 from those tagged 指导老师 (one of
    the candidate's county if possible); never the same physician twice."""
    chosen: list[tuple[str, Physician]] = []
    supervisor = None
    if with_supervisor:
        supervisors = [p for p in world.physicians if p.is_supervisor]
        local = [p for p in supervisors if world.physician_county.get(p.pk) == county_code]
        supervisor = rng.choice(local or supervisors)
    pool = [p for p in world.physicians if p.is_recommender and p != supervisor]
    for physician in rng.sample(pool, recommenders):
        chosen.append((Recommender.Role.RECOMMENDER, physician))
    if supervisor is not None:
        chosen.append((Recommender.Role.SUPERVISOR, supervisor))
    return chosen


def build_tcm_content(
    rng: random.Random, world: World, candidate: Candidate, application: Application
) -> ApplicationContent:
    """Section data (seed 000 §4.3), case records, attachments and recommenders of a TCM
    application; the keys are those of exam.sections.TCM_SECTION_FIELDS."""
    project = application.project
    county_code = application.entry_institution.code
    county = world.division_names[county_code]
    city = world.division_names[county_code[:4] + "00"]
    division_name = f"湖北省{city}{county}"
    born = candidate.birth_date.year
    surname = candidate.name[0]
    template = rng.choice(demo_texts.CASE_TEMPLATES)
    technique, disease = template.technique, template.disease
    attachments: dict[str, list[PlannedAttachment]] = {}

    occupation, unit_pattern = rng.choice(demo_texts.OCCUPATIONS)
    word = rng.choice(demo_texts.CLINIC_WORDS)
    work_unit = unit_pattern.format(county=county, word=word) if unit_pattern else "无"
    home = _address(rng, world, county_code)
    registration = candidate.id_number[:6]
    registration_name = world.division_names.get(registration, "")
    registration_city = world.division_names.get(registration[:4] + "00", "")
    basic = {
        "name": candidate.name,
        "gender": candidate.get_gender_display(),
        "birth_date": candidate.birth_date.isoformat(),
        "ethnicity": candidate.ethnicity.name if candidate.ethnicity else "",
        "political_status": candidate.political_status.name if candidate.political_status else "",
        "health_status": rng.choice(demo_texts.HEALTH_STATUSES),
        "occupation": occupation,
        "work_unit": work_unit,
        "home_address": home,
        "mailing_address": home if rng.random() < 0.7 else _address(rng, world, county_code),
        "postal_code": demo_texts.POSTAL_CODES.get(county_code, "430000"),
        "household_registration": f"湖北省{registration_city}{registration_name}",
    }
    attachments["basic"] = [
        _png_attachment(
            "photo", "证件照", "photo", demo_media.id_photo_png(rng.randrange(demo_media.VARIANTS))
        )
    ]
    sections: dict[str, dict[str, Any]] = {"basic": basic}

    if application.track == Track.APPRENTICESHIP:
        has_certificate = rng.random() < 0.5
        years = rng.randint(5, 8) if has_certificate else rng.randint(5, 10)
        started = min(born + rng.randint(18, 32), LAST_GRADUATION_YEAR - years)
        start = datetime.date(started, rng.randint(1, 12), 1)
        end = _add_years(start, years) - datetime.timedelta(days=1)
        with_supervisor, recommenders = True, project.apprenticeship_recommenders
        physicians = _pick_physicians(rng, world, county_code, with_supervisor, recommenders)
        teacher = physicians[-1][1]
        # Studied where the teacher practises: at the teacher's institution if it lies in the
        # chosen county, otherwise at the teacher's own clinic there.
        if world.physician_county.get(teacher.pk) == county_code:
            place_name = teacher.institution_name
        else:
            place_name = f"{county}{teacher.name[0]}氏中医诊所"
        sections["apprenticeship"] = {
            "division": county_code,
            "division_name": division_name,
            "address": _address(rng, world, county_code),
            "place_name": place_name,
            "started_on": start.isoformat(),
            "ended_on": end.isoformat(),
            "experience": demo_texts.APPRENTICESHIP_EXPERIENCE.format(
                started=started, teacher=teacher.name, technique=technique, disease=disease
            ),
            "has_certificate": has_certificate,
        }
        if has_certificate:
            files = [
                _png_attachment(
                    "master_certificate",
                    "《传统医学师承出师证书》",
                    "master_certificate",
                    _certificate(rng),
                ),
                _pdf_attachment(
                    rng, "two_year_proof", "继续跟师学习中医满两年的证明材料", "two_year_proof", 2
                ),
            ]
        else:
            files = [
                _pdf_attachment(
                    rng, "five_year_proof", "连续跟师学习中医满五年的证明材料", "five_year_proof", 3
                )
            ]
        files += [
            _pdf_attachment(rng, "study_notes", "跟师学习笔记", "study_notes", 3),
            _pdf_attachment(rng, "contract", "跟师学习合同", "contract", 2),
            _png_attachment("notarization", "跟师合同公证书", "notarization", _certificate(rng)),
        ]
        attachments["apprenticeship"] = files
    else:
        started = min(born + rng.randint(20, 32), 2012)
        start = datetime.date(started, rng.randint(1, 12), 1)
        ongoing = rng.random() < 0.8
        end = PRACTICE_ONGOING_UNTIL if ongoing else _day_in(rng, rng.randint(2014, 2016))
        with_supervisor = project.needs_supervisor([end])
        physicians = _pick_physicians(
            rng, world, county_code, with_supervisor, project.practice_recommenders
        )
        place = work_unit if work_unit != "无" else _place(rng, county, surname)
        proofs = ["five_years", "patients", "certificate"]
        proof = rng.choices(proofs, weights=[5 if ongoing else 0, 3, 3])[0]
        origin = rng.choice(demo_texts.PRACTICE_ORIGINS).format(
            teacher=generate_name(rng, True), technique=technique, disease=disease
        )
        sections["practice"] = {
            "division": county_code,
            "division_name": division_name,
            "address": _address(rng, world, county_code),
            "place_name": place,
            "started_on": start.isoformat(),
            "ended_on": end.isoformat(),
            "experience": (
                demo_texts.PRACTICE_EXPERIENCE if ongoing else demo_texts.PRACTICE_EXPERIENCE_ENDED
            ).format(
                started=started,
                ended=end.year,
                place=place,
                technique=technique,
                disease=disease,
                yearly=rng.randrange(200, 1500, 50),
            ),
            "origin": origin,
            "proof_type": demo_texts.PRACTICE_PROOFS[proof],
            "proof_issuer": "",
        }
        if proof == "five_years":
            issuer = rng.choice(demo_texts.PROOF_ISSUERS).format(county=county, word=word)
            sections["practice"]["proof_issuer"] = issuer
            files = [
                _pdf_attachment(
                    rng, "practice_proof", demo_texts.PRACTICE_PROOFS[proof], "practice_proof"
                )
            ]
        elif proof == "patients":
            files = [
                _pdf_attachment(
                    rng,
                    "patient_recommendations",
                    "患者推荐证明（10份）",
                    "patient_recommendations",
                    10,
                )
            ]
        elif occupation == "乡村医生" or rng.random() < 0.4:
            files = [
                _png_attachment(
                    "rural_doctor_license",
                    "《乡村医生执业证书》",
                    "rural_doctor_license",
                    _certificate(rng),
                )
            ]
        else:
            files = [
                _png_attachment(
                    "expertise_certificate",
                    "《传统医学医术确有专长证书》",
                    "expertise_certificate",
                    _certificate(rng),
                )
            ]
        attachments["practice"] = files

    sections["technique"] = {
        "disease_category": disease,
        "method": template.method,
        "technique": technique,
        **({"external_medicine": template.external} if template.external else {}),
        "patients_served": rng.randrange(300, 3000, 10),
    }

    # 学习经历: most have some schooling in TCM, each with its diploma; 继续教育 for most.
    study: dict[str, Any] = {"has_study": rng.random() < 0.65}
    diplomas = []
    if study["has_study"]:
        records = []
        first_year = born + rng.randint(17, 30)
        for n, (school, education, major) in enumerate(
            rng.sample(demo_texts.STUDY_SCHOOLS, rng.randint(1, 2)), start=1
        ):
            length = 3 if education == "中专" else rng.choice([2, 3])
            begin = min(first_year, LAST_GRADUATION_YEAR - length)
            records.append(
                {
                    "school": school,
                    "education": education,
                    "major": major,
                    "started_on": f"{begin}-09-01",
                    "ended_on": f"{begin + length}-07-01",
                    "certificate_no": f"{begin + length}{_digits(rng, 10)}",
                }
            )
            diplomas.append(
                _png_attachment(
                    "diploma",
                    f"学历证书（{school}）",
                    f"diploma_{n}",
                    _certificate(rng, "education"),
                )
            )
            first_year = begin + length + rng.randint(1, 6)
        study["records"] = records
    else:
        study["no_study_note"] = demo_texts.NO_STUDY_NOTE
    continuing = []
    for institution, content in rng.sample(demo_texts.CONTINUING_EDUCATION, rng.randint(0, 3)):
        year = rng.randint(2016, 2025)
        continuing.append(
            {
                "institution": institution.format(county=county, city=city),
                "started_on": f"{year}-{rng.randint(3, 10):02d}-01",
                "ended_on": f"{year}-{rng.randint(11, 12):02d}-15",
                "content": content,
            }
        )
    study["continuing_education"] = continuing
    sections["study"] = study
    if diplomas:
        attachments["study"] = diplomas

    sections["expertise"] = {
        "content": f"{template.content}擅长治疗{disease}等病证。",
        "indications": template.indications,
        "safety": template.safety,
        "effectiveness": template.effectiveness,
        "risks": template.risks,
    }
    # Proof of the expertise: a fixed variant, so the random stream (and every value drawn
    # after it) stays what it was before this file was added.
    attachments["expertise"] = [
        PlannedAttachment(
            "expertise_proof",
            "医术专长相关证明材料",
            "expertise_proof.pdf",
            demo_media.document_pdf("tcm", 0, pages=2),
            demo_media.PDF,
        )
    ]
    # Five case records: mostly the candidate's own kind of case, some of the same method.
    same_method = [t for t in demo_texts.CASE_TEMPLATES if t.method == template.method]
    case_records = [
        _case_record(
            rng,
            world,
            template if rng.random() < 0.6 else rng.choice(same_method),
            n,
            county_code,
        )
        for n in range(1, project.case_record_count + 1)
    ]

    # 资历证明 (optional): sometimes a 卫生类职称证 or another proof, with date and issuer.
    if rng.random() < 0.35:
        credentials: dict[str, Any] = {}
        files = []
        if rng.random() < 0.5:
            issuer = rng.choice(demo_texts.CREDENTIAL_ISSUERS).format(county=county, city=city)
            credentials |= {
                "title_certificate": rng.choice(["中药士", "中医护士", "药士"]),
                "title_issued_on": _day_in(rng, rng.randint(2005, 2022)).isoformat(),
                "title_issuer": issuer,
            }
            files.append(
                _png_attachment(
                    "title_certificate",
                    "卫生类职称证",
                    "title_certificate",
                    _certificate(rng, "title"),
                )
            )
        if not credentials or rng.random() < 0.5:
            issuer = rng.choice(["湖北省中医药学会", f"{county}卫生健康局", f"{city}中医医院"])
            credentials |= {
                "other_proof": rng.choice(
                    ["中医适宜技术培训结业证书", "中医药学会会员证", "乡镇卫生院聘用证明"]
                ),
                "other_issued_on": _day_in(rng, rng.randint(2012, 2025)).isoformat(),
                "other_issuer": issuer,
            }
            files.append(_pdf_attachment(rng, "other_proof", "其他证明材料", "other_proof"))
        sections["credentials"] = credentials
        attachments["credentials"] = files

    recommenders = [p for role, p in physicians if role == Recommender.Role.RECOMMENDER]
    supervisor = next((p for role, p in physicians if role == Recommender.Role.SUPERVISOR), None)
    sections["recommendation"] = {
        "recommenders": "、".join(
            f"{p.name}（{p.institution_name}，{p.title}）" for p in recommenders
        ),
        "supervisor_required": supervisor is not None,
        "supervisor": f"{supervisor.name}（{supervisor.institution_name}，{supervisor.title}）"
        if supervisor
        else "",
    }
    return ApplicationContent(
        sections=sections,
        attachments=attachments,
        case_records=case_records,
        recommenders=physicians,
        technique=technique,
        disease=disease,
    )


def store_file(field_file: FieldFile, filename: str, content: bytes) -> None:
    """Save generated bytes into a FileField through its storage, under a stable name.

    Demo files belong to rows created in this run, so a file already at that name is left over
    from an earlier database (the paths start with the application's id): it is replaced rather
    than kept beside a new one with a random suffix.
    """
    name = field_file.field.generate_filename(field_file.instance, filename)
    if field_file.storage.exists(name):
        field_file.storage.delete(name)
    field_file.save(filename, ContentFile(content), save=False)


def set_verification(
    material: Material, *, actor: AbstractBaseUser, verified: bool, remark: str = ""
) -> None:
    """核验 one material as a reviewer would: through the batch-verification service (scope
    check, transition, who and when, a review-log row), with a batch of one."""
    material_verify_batch(
        actor=actor,
        model=type(material),
        material_ids=[material.pk],
        outcome=VerificationStatus.VERIFIED if verified else VerificationStatus.FAILED,
        remark=remark,
    )


# --- the actors' steps --------------------------------------------------------------------


class Player:
    """Plays one candidate's story through the services."""

    def __init__(self, world: World, plan: CandidatePlan, candidate: Candidate) -> None:
        self.world = world
        self.plan = plan
        self.candidate = candidate
        self.user = candidate.user
        self.rng = random.Random(f"{SEED}:{plan.phone}")
        # The content (what is typed and uploaded) has its own stream: the story stays the same.
        self.content_rng = random.Random(f"{SEED}:content:{plan.phone}")
        self.application: Application | None = None
        self._content: ApplicationContent | None = None
        self.materials: list[Material] = []

    @property
    def is_health(self) -> bool:
        return self.plan.kind == ExamKind.HEALTH_QUALIFICATION

    @property
    def content(self) -> ApplicationContent:
        if self._content is None:
            build = build_health_content if self.is_health else build_tcm_content
            self._content = build(self.content_rng, self.world, self.candidate, self.application)
        return self._content

    # candidate side

    def create(self) -> Application:
        project = self.world.projects[self.plan.kind]
        kwargs: dict[str, Any] = {"track": self.plan.track}
        if self.plan.kind == ExamKind.HEALTH_QUALIFICATION:
            specialty = Specialty.objects.select_related("level").get(pk=self.plan.specialty_id)
            kwargs = {"level": specialty.level, "specialty": specialty}
        self.application = exam_services.application_create(
            actor=self.user,
            candidate=self.candidate,
            project=project,
            entry_institution=self.world.tree[self.plan.entry_code],
            **kwargs,
        )
        return self.application

    def _sections(self) -> dict[str, Section]:
        return {s.code: s for s in self.application.sections.all()}

    def fill(self, *, complete: bool = True, submitting: bool = True) -> None:
        """Fill the sections: every required one (and the optional ones the content has), or
        only part. The rows behind a section (materials, case records, attachments,
        recommenders) are added with it; a section left incomplete gets few or none."""
        app = self.application
        definitions = sections_for(app.project.kind, app.track)
        sections = self._sections()
        for index, definition in enumerate(definitions):
            if not definition.required and not self.content.has(definition.code):
                continue
            data = self.content.sections[definition.code]
            done = complete or index == 0
            if not done:
                if self.rng.random() < 0.5:
                    continue  # not opened yet: stays 去完善 with nothing typed
                data = dict(list(data.items())[:1])  # a draft missing most fields
            exam_services.section_save(
                actor=self.user, section=sections[definition.code], data=data, complete=done
            )
            self.add_rows(definition.code, complete=done, submitting=submitting)

    def add_rows(self, code: str, *, complete: bool, submitting: bool) -> None:
        if self.is_health:
            if complete:
                self._add_materials(code)
            return
        self._add_attachments(code, complete=complete)
        if code == "expertise":
            self._add_case_records(complete=complete)
        elif code == "recommendation":
            self._add_recommenders(complete=complete, submitting=submitting)

    def _add_materials(self, code: str) -> None:
        app = self.application
        for planned in self.content.materials.get(code, []):
            material = planned.model(application=app, **planned.fields)
            style = MATERIAL_STYLES[planned.model._meta.model_name]
            image = demo_media.certificate_png(
                style, self.content_rng.randrange(demo_media.VARIANTS)
            )
            store_file(material.image, planned.filename, image)
            material.save()
            self.materials.append(material)
        if code == "education":
            app.highest_education = self.content.highest_education
            Application.objects.filter(pk=app.pk).update(highest_education=app.highest_education)

    def _add_attachments(self, code: str, *, complete: bool) -> None:
        files = self.content.attachments.get(code, [])
        if not complete and files:
            files = files[: self.content_rng.randint(0, len(files) - 1)]
        for planned in files:
            attachment = Attachment(
                application=self.application,
                section_code=code,
                kind=planned.kind,
                label=planned.label,
                content_type=planned.content_type,
                size=len(planned.content),
            )
            store_file(attachment.file, planned.filename, planned.content)
            attachment.save()

    def _add_case_records(self, *, complete: bool) -> None:
        records = self.content.case_records
        if not complete:
            records = records[: self.content_rng.randint(0, len(records) - 1)]
        CaseRecord.objects.bulk_create(
            CaseRecord(application=self.application, **record) for record in records
        )

    def _add_recommenders(self, *, complete: bool, submitting: bool) -> None:
        """Every required teacher signed before submitting; a draft has some only looked up
        (获取成功) or invited (待核验), and an unfinished section only one of them."""
        S = Recommender.Status
        planned = self.content.recommenders
        if not complete:
            planned = planned[:1]
            stages = [self.content_rng.choice([S.LOOKED_UP, S.INVITED])]
        elif submitting:
            stages = [S.SIGNED] * len(planned)
        else:
            stages = [
                self.content_rng.choice([S.LOOKED_UP, S.INVITED, S.CONFIRMED, S.SIGNED])
                for _ in planned
            ]
        for index, ((role, physician), stage) in enumerate(
            zip(planned, stages, strict=True), start=1
        ):
            self._add_recommender(index, role, physician, stage)

    def _add_recommender(self, index: int, role: str, physician: Physician, stage: str) -> None:
        S = Recommender.Status
        order = [S.LOOKED_UP, S.INVITED, S.CONFIRMED, S.SIGNED]
        reached = order.index(stage)
        rng = self.content_rng
        recommender = Recommender(
            application=self.application,
            role=role,
            physician=physician,
            name=physician.name,
            id_number=physician.id_number,
        )
        if reached >= order.index(S.INVITED):
            recommender.invite()
            recommender.invitation_nonce = f"{rng.getrandbits(128):032x}"
            recommender.invited_at = timezone.now()
        if reached >= order.index(S.CONFIRMED):
            recommender.confirm_identity()
            recommender.confirmed_at = timezone.now()
        if reached >= order.index(S.SIGNED):
            recommender.sign()
            words = {"technique": self.content.technique, "disease": self.content.disease}
            evaluations = (
                demo_texts.SUPERVISOR_EVALUATIONS
                if role == Recommender.Role.SUPERVISOR
                else demo_texts.RECOMMENDER_EVALUATIONS
            )
            recommender.pledge_accepted = True
            recommender.evaluation = rng.choice(evaluations).format(**words)
            recommender.opinion = rng.choice(demo_texts.OPINIONS)
            store_file(
                recommender.signature,
                f"{self.application.pk}_{role}_{index}.png",
                demo_media.signature_png(f"{physician.id_number}:{self.application.pk}"),
            )
            recommender.signed_at = timezone.now()
        recommender.save()
        # The proofs the candidate uploads for every teacher (seed 000 §4.3.8.3).
        for kind, label in TEACHER_UPLOADS[role]:
            content = demo_media.certificate_png("tcm", rng.randrange(demo_media.VARIANTS))
            attachment = Attachment(
                application=self.application,
                section_code="recommendation",
                recommender=recommender,
                kind=kind,
                label=label,
                content_type=demo_media.PNG,
                size=len(content),
            )
            store_file(attachment.file, f"{self.application.pk}_{role}_{index}_{kind}.png", content)
            attachment.save()

    def verify_materials(self) -> None:
        """核验 by the unit's reviewer: more of it the further the application got; a few
        materials fail with a remark, most stay 待核验."""
        if not self.materials:
            return
        app = self._refresh()
        S = ReviewStatus
        shares = {S.APPROVED: (0.45, 0.03), S.REPORTED: (0.45, 0.03)}.get(
            app.unit_review_status, (0.1, 0.04)
        )
        if app.unit_review_status in {S.REJECTED, S.RETURNED}:
            shares = (0.2, 0.25)
        if app.status in {Application.Status.DRAFT, Application.Status.WITHDRAWN}:
            return
        actor = self.world.reviewer_for(self.world.institution(app.unit_id))
        verified, failed = shares
        for material in self.materials:
            roll = self.content_rng.random()
            if roll < verified:
                set_verification(material, actor=actor, verified=True, remark=VERIFIER_REMARK)
            elif roll < verified + failed:
                remarks = demo_texts.FAILED_REMARKS[material._meta.model_name]
                remark = self.content_rng.choice(remarks)
                set_verification(material, actor=actor, verified=False, remark=remark)

    def submit(self) -> None:
        self.application = exam_services.application_submit(
            actor=self.user, application=self.application
        )

    def withdraw(self) -> None:
        self.application = exam_services.application_withdraw(
            actor=self.user, application=self.application
        )

    def correct_and_resubmit(self) -> None:
        for section in self._sections().values():
            if section.status == Section.Status.COMPLETE and self.rng.random() < 0.7:
                data = section.data
                if self.is_health:
                    data = data | {"corrected": "已按审核意见修改"}
                # TCM data keeps to the keys of exam.sections.TCM_SECTION_FIELDS: saved again.
                exam_services.section_save(
                    actor=self.user, section=section, data=data, complete=True
                )
        self.application = exam_services.application_resubmit(
            actor=self.user, application=self.application
        )

    # reviewer side: each step reads the application afresh (the services change it)

    def _refresh(self) -> Application:
        self.application.refresh_from_db()
        return self.application

    def _reviewer(self, app: Application) -> AbstractBaseUser:
        return self.world.reviewer_for(self.world.institution(app.current_institution_id))

    def decide(self, decision: str, remark: str = "") -> None:
        app = self._refresh()
        review = TierReview.objects.get(application=app, tier=app.current_tier)
        review_services.tier_review_decide(
            actor=self._reviewer(app), tier_review=review, decision=decision, remark=remark
        )

    def confirm_onsite(self) -> None:
        """现场确认, where the application is a TCM one at its county and not yet confirmed."""
        app = self._refresh()
        if (
            app.project.kind == ExamKind.TCM_EXPERTISE
            and app.current_tier == Tier.COUNTY
            and app.onsite_confirmed_at is None
        ):
            review_services.application_confirm_onsite(
                actor=self._reviewer(app), application=app, remark="考生本人到场确认。"
            )

    def approve(self) -> None:
        self.confirm_onsite()
        self.decide("approve", "材料齐全，符合报考条件。")

    def report(self) -> None:
        app = self._refresh()
        review_services.institution_report(
            actor=self._reviewer(app),
            institution=self.world.institution(app.current_institution_id),
            business=app.project_id,
            application_ids=[app.pk],
        )

    def return_with_locks(self) -> None:
        """允许修改: lock every complete section but one, and name that one in the remark."""
        sections = [s for s in self._sections().values() if s.status == Section.Status.COMPLETE]
        if not sections:
            raise ValueError("nothing left for the candidate to correct")
        kind = self.application.project.kind
        to_fix = self.rng.choice(sections[1:] or sections)
        reviewer = self._reviewer(self._refresh())
        for section in sections:
            if section.pk != to_fix.pk:
                review_services.section_lock(actor=reviewer, section=section)
        label = section_label(kind, to_fix.code)
        self.decide("return", f"“{label}”材料不完整或不清晰，请补充后重新提交。")

    def reject(self) -> None:
        tier = self._refresh().current_tier
        remark = {
            Tier.UNIT: "工作年限不符合报考条件。",
            Tier.COUNTY: "相关年限证明不足，不符合报考条件。",
            Tier.CITY: "所报材料经核验不符，不符合报考条件。",
            Tier.PROVINCE: "经省级复核，不符合本年度报考条件。",
        }[tier]
        if self.rng.random() < 0.5:
            self.confirm_onsite()
        self.decide("reject", remark)

    def pass_tier(self) -> None:
        """Approve at the current tier (sometimes after a detour) and report it up."""
        roll = self.rng.random()
        if roll < 0.1:
            self.decide("defer")
        elif roll < 0.15:
            self.return_with_locks()
            self.correct_and_resubmit()
        self.approve()
        self.report()

    # stories

    def play_scenario(self, scenario: Scenario) -> None:
        self.create()
        if scenario.outcome == "draft":
            self.fill(complete=self.rng.random() < 0.25, submitting=False)
            return
        self.fill()
        self.submit()
        if scenario.outcome == "withdrawn":
            self.withdraw()
        elif scenario.outcome == "withdrawn_resubmitted":
            self.withdraw()
            self.submit()
        if scenario.tier is None:
            return
        while self._refresh().current_tier != scenario.tier:
            self.pass_tier()
        outcome = scenario.outcome
        if outcome == "pending":
            if self.rng.random() < 0.5:
                self.confirm_onsite()
        elif outcome == "deferred":
            self.decide("defer")
        elif outcome == "returned":
            self.return_with_locks()
        elif outcome == "resubmitted":
            self.return_with_locks()
            self.correct_and_resubmit()
        elif outcome == "rejected":
            self.reject()
        elif outcome == "approved":
            self.approve()
        elif outcome == "reopened":
            self.approve()
            app = self._refresh()
            review_services.tier_review_reopen(
                actor=self._reviewer(app),
                tier_review=TierReview.objects.get(application=app, tier=app.current_tier),
                remark="需再次核对所报材料。",
            )
        else:
            raise ValueError(outcome)

    def play_script(self, script: str) -> None:
        self.create()
        if script == "draft":
            # 基础信息 done, 学历信息 saved as an incomplete draft (no record uploaded yet).
            first, second = sections_for(self.application.project.kind)[:2]
            sections = self._sections()
            exam_services.section_save(
                actor=self.user,
                section=sections[first.code],
                data=self.content.sections[first.code],
                complete=True,
            )
            exam_services.section_save(
                actor=self.user,
                section=sections[second.code],
                data={"school": self.content.sections[second.code]["school"]},
                complete=False,
            )
            return
        self.fill()
        self.submit()
        if script == "returned":
            self.return_with_locks()

    def settle_payment(self) -> None:
        """About half of the submitted applications paid; some rejected ones refunded."""
        app = self._refresh()
        paid_share = {
            Application.Status.APPROVED: 0.85,
            Application.Status.IN_REVIEW: 0.5,
            Application.Status.SUBMITTED: 0.4,
            Application.Status.RETURNED: 0.4,
            Application.Status.REJECTED: 0.6,
        }.get(app.status, 0)
        if self.rng.random() >= paid_share:
            return
        actor = self.world.reviewers["province"]
        review_services.application_set_payment(
            actor=actor, application=app, status=PaymentStatus.PAID
        )
        if app.status == Application.Status.REJECTED and self.rng.random() < 0.6:
            review_services.application_set_payment(
                actor=actor, application=app, status=PaymentStatus.REFUNDED
            )


# --- the physician registry ---------------------------------------------------------------

PHYSICIAN_COUNT = 60
# (title, share, may recommend, chance of being tagged 指导老师, birth years)
PHYSICIAN_TITLES = (
    ("主任医师", 25, True, 0.8, (1958, 1975)),
    ("副主任医师", 40, True, 0.5, (1962, 1984)),
    ("主治医师", 35, False, 0.7, (1972, 1990)),
)


def physician_institutions(world: World) -> list[tuple[str, str]]:
    """(institution, county code or "" for 市直/省直) where the demo physicians work."""
    result = [
        ("江岸区演示第一医院", JIANGAN),
        ("武昌区演示中医医院", "420106"),
        ("武汉市演示市直医院", ""),
        ("宜昌市演示市直医院", ""),
        ("湖北省演示省直医院", ""),
        ("秭归县中医院", "420527"),
        ("远安县中医院", "420525"),
    ]
    for code in TCM_COUNTY_WEIGHTS:
        result.append((f"{world.division_names[code]}中医医院", code))
    return result


def plan_physicians(world: World, avoid_ids: set[str]) -> list[Physician]:
    """The demo physicians (unsaved), the same every time: generated names and ID numbers,
    执业类别 中医, tagged 推荐医师 / 指导老师 as the registry would."""
    rng = random.Random(f"{SEED}:physicians")
    institutions = physician_institutions(world)
    titles = [t[0] for t in PHYSICIAN_TITLES]
    used = set(avoid_ids)
    physicians = []
    for index in range(PHYSICIAN_COUNT):
        institution, county = institutions[index % len(institutions)]
        title = rng.choices(titles, weights=[t[1] for t in PHYSICIAN_TITLES])[0]
        _, _, recommends, supervises, years = PHYSICIAN_TITLES[titles.index(title)]
        male = rng.random() < 0.6
        while True:
            birth = _birth(rng, *years)
            number = fake_resident_id(
                region=county or rng.choice(world.regions), birth=birth, male=male, rng=rng
            )
            if _is_valid(number) and number not in used:
                used.add(number)
                break
        qualified = birth.year + rng.randint(24, 28)
        physicians.append(
            Physician(
                name=generate_name(rng, male),
                id_number=number,
                institution_name=institution,
                phone=physician_phone(index),
                qualification_no=f"{qualified}1442{_digits(rng, 7)}",
                license_no=f"1104201{_digits(rng, 8)}",
                practice_category="中医",
                practice_scope=rng.choices(
                    ["中医专业", "中西医结合专业", "全科医学专业"], weights=[7, 2, 1]
                )[0],
                title=title,
                is_recommender=recommends,
                is_supervisor=rng.random() < supervises,
            )
        )
    return physicians


def ensure_physicians(world: World, avoid_ids: set[str]) -> int:
    """Create the demo physicians that are missing (matched by ID number) and put them in
    `world`, with the county of their institution. Returns how many were created."""
    planned = plan_physicians(world, avoid_ids)
    numbers = [p.id_number for p in planned]
    existing = set(
        Physician.objects.filter(id_number__in=numbers).values_list("id_number", flat=True)
    )
    missing = [p for p in planned if p.id_number not in existing]
    Physician.objects.bulk_create(missing)
    backfill_phones(planned)
    world.physicians = list(Physician.objects.filter(id_number__in=numbers).order_by("id_number"))
    counties = dict(physician_institutions(world))
    world.physician_county = {
        p.pk: counties[p.institution_name]
        for p in world.physicians
        if counties.get(p.institution_name)
    }
    return len(missing)


# --- comparison libraries -----------------------------------------------------------------

REFERENCE_NOISE = 200
# Library → weight among the people who are not candidates.
NOISE_LIBRARIES = {
    "history": 80,
    "qualification": 40,
    "nurse_registry": 25,
    "physician_registry": 20,
    "graduate": 12,
    "provincial_line": 8,
    "covid_frontline": 10,
    "violation": 5,
}


class ReferenceSet:
    """The records to have, keyed like the table's unique constraint."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str, int], ReferenceRecord] = {}

    def add(
        self,
        library: str,
        id_number: str,
        name: str,
        year: int,
        detail: str,
        **extra: Any,
    ) -> None:
        self.records.setdefault(
            (library, id_number, year),
            ReferenceRecord(
                library_id=library,
                id_number=id_number,
                name=name,
                year=year,
                source=demo_texts.REFERENCE_SOURCES[library],
                detail=detail,
                extra={k: str(v) for k, v in extra.items()},
            ),
        )


def _violator(plans: list[CandidatePlan]) -> str:
    """The phone number of a candidate pending at unit_a who must be in 违纪考生库."""
    for plan in plans:
        if (
            plan.kind == ExamKind.HEALTH_QUALIFICATION
            and plan.entry_code == UNIT_A
            and plan.scenario is not None
            and plan.scenario.outcome == "submitted"
        ):
            return plan.phone
    return DEMO_CANDIDATES["candidate2"]


def _candidate_references(world: World, plans: list[CandidatePlan], wanted: ReferenceSet) -> None:
    """Matches for the health-exam candidates, read from their applications and materials."""
    phones = [p.phone for p in plans if p.kind == ExamKind.HEALTH_QUALIFICATION]
    applications = {
        a.candidate.phone: a
        for a in Application.objects.filter(
            project=world.projects[ExamKind.HEALTH_QUALIFICATION], candidate__phone__in=phones
        ).select_related("candidate", "specialty", "unit")
    }

    def by_application(model: type[Material]) -> dict[int, Material]:
        rows = model.objects.filter(application__in=applications.values()).order_by("pk")
        return {row.application_id: row for row in rows}

    titles = by_application(TitleCertificate)
    physician_licenses = by_application(PhysicianLicense)
    nurse_licenses = by_application(NurseLicense)
    supplementary = by_application(SupplementaryInfo)
    highest: dict[int, EducationRecord] = {}
    for record in EducationRecord.objects.filter(application__in=applications.values()).order_by(
        "graduation_date", "pk"
    ):
        highest[record.application_id] = record
    violator = _violator(plans)

    for phone in phones:
        application = applications.get(phone)
        if application is None:
            continue
        rng = random.Random(f"{SEED}:reference:{phone}")
        pk = application.pk
        person = (application.candidate.id_number, application.candidate.name)
        specialty = application.specialty.name
        title = titles.get(pk)
        education = highest.get(pk)
        graduated = education.graduation_date.year if education else 2015
        if rng.random() < 0.4:  # 历史考生库: sat the exam before
            years = list(range(max(2019, graduated + 1), PROJECT_YEAR))
            for year in sorted(rng.sample(years, min(len(years), rng.randint(1, 2)))):
                if title is not None and year == title.issued_on.year:
                    detail = f"{year}年度报考{title.title_name}资格考试，成绩合格"
                    result = "合格"
                else:
                    detail = f"{year}年度报考{specialty}，成绩未合格"
                    result = "未合格"
                wanted.add("history", *person, year, detail, specialty=specialty, result=result)
        if title is not None and rng.random() < 0.3:  # 资格库: the title they already hold
            year = title.issued_on.year
            wanted.add(
                "qualification",
                *person,
                year,
                f"{title.title_name}（{title.get_title_level_display()}）资格，{year}年取得",
                certificate_no=title.certificate_no,
            )
        license_ = physician_licenses.get(pk)
        if license_ is not None and rng.random() < 0.7:
            wanted.add(
                "physician_registry",
                *person,
                license_.issued_on.year,
                f"执业类别：{license_.category}；执业范围：{license_.scope}；"
                f"执业地点：{license_.practice_institution}",
                certificate_no=license_.certificate_no,
            )
        nurse = nurse_licenses.get(pk)
        if nurse is not None and rng.random() < 0.7:
            wanted.add(
                "nurse_registry",
                *person,
                nurse.issued_on.year,
                f"执业地点：{nurse.practice_institution}；有效期至{nurse.valid_until:%Y年%m月%d日}",
                certificate_no=nurse.certificate_no,
            )
        if (
            education is not None
            and education.level_id == demo_texts.UNDERGRADUATE
            and graduated >= 2024
            and rng.random() < 0.6
        ):
            wanted.add(
                "graduate",
                *person,
                graduated,
                f"{graduated}届本科毕业生：{education.school}{education.major}专业",
            )
        if rng.random() < 0.04:
            year = rng.randint(2022, 2025)
            wanted.add(
                "provincial_line", *person, year, f"{year}年度{specialty}成绩达到湖北省合格线"
            )
        if phone == violator or rng.random() < 0.03:
            detail = rng.choice(demo_texts.VIOLATION_DETAILS)
            wanted.add("violation", *person, int(detail[:4]), detail)
        info = supplementary.get(pk)
        if info is not None and info.covid_frontline:
            unit = application.unit.name if application.unit else ""
            wanted.add(
                "covid_frontline", *person, 2020, f"2020年新冠肺炎疫情防控一线医务人员（{unit}）"
            )


def _noise_references(world: World, avoid_ids: set[str], wanted: ReferenceSet) -> None:
    """People who are not candidates, so that a match means something; and the demo
    physicians in 医师注册库."""
    for physician in world.physicians:
        wanted.add(
            "physician_registry",
            physician.id_number,
            physician.name,
            int(physician.qualification_no[:4]) + 1,
            f"执业类别：{physician.practice_category}；执业范围：{physician.practice_scope}；"
            f"执业地点：{physician.institution_name}",
            certificate_no=physician.license_no,
        )
    rng = random.Random(f"{SEED}:reference-noise")
    specialties = [
        name for level in sorted(world.specialties) for _, name in world.specialties[level]
    ]
    used = set(avoid_ids)
    for _ in range(REFERENCE_NOISE):
        male = rng.random() < 0.4
        while True:
            number = fake_resident_id(region=rng.choice(world.regions), male=male, rng=rng)
            if number not in used:
                used.add(number)
                break
        name = generate_name(rng, male)
        library = _pick_weighted(rng, NOISE_LIBRARIES)
        year = rng.randint(2019, 2025)
        specialty = rng.choice(specialties)
        detail = {
            "history": f"{year}年度报考{specialty}，成绩未合格",
            "qualification": f"{specialty}资格，{year}年取得",
            "nurse_registry": f"执业地点：{rng.choice(DEMO_UNIT_NAMES)}",
            "physician_registry": f"执业类别：临床；执业地点：{rng.choice(DEMO_UNIT_NAMES)}",
            "graduate": f"{year}届本科毕业生",
            "provincial_line": f"{year}年度{specialty}成绩达到湖北省合格线",
            "covid_frontline": "2020年新冠肺炎疫情防控一线医务人员",
            "violation": f"{year}年度考试违纪人员",
        }[library]
        if library == "covid_frontline":
            year = 2020
        wanted.add(library, number, name, year, detail)


def ensure_reference_records(world: World, plans: list[CandidatePlan]) -> int:
    """The comparison-library records the demo needs; those already there are kept, the
    missing ones bulk-created. Returns how many were created."""
    wanted = ReferenceSet()
    _candidate_references(world, plans, wanted)
    candidate_ids = {p.id_number for p in plans} | world.taken_ids
    _noise_references(world, candidate_ids | {p.id_number for p in world.physicians}, wanted)
    id_numbers = {key[1] for key in wanted.records}
    existing = set(
        ReferenceRecord.objects.filter(id_number__in=id_numbers).values_list(
            "library_id", "id_number", "year"
        )
    )
    missing = [r for key, r in wanted.records.items() if key not in existing]
    ReferenceRecord.objects.bulk_create(missing, batch_size=500)
    return len(missing)


# --- the seed -----------------------------------------------------------------------------


@dataclass
class SeedResult:
    projects_created: list[str] = field(default_factory=list)
    superuser_created: bool = False
    candidates_created: int = 0
    candidates_skipped: int = 0
    applications_created: int = 0
    physicians_created: int = 0
    reference_records_created: int = 0


class DemoDataError(Exception):
    """The database is not ready for the demo data (message in Chinese)."""


def ensure_projects(result: SeedResult) -> dict[str, ExamProject]:
    """The two 2026 projects; the registration window is set at first creation only."""
    today = timezone.localdate()
    opens = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=WINDOW_OPENS_DAYS_BEFORE), datetime.time(8, 0)
        )
    )
    closes = timezone.make_aware(
        datetime.datetime.combine(
            today + datetime.timedelta(days=WINDOW_CLOSES_DAYS_AFTER), datetime.time(17, 0)
        )
    )
    projects = {}
    for kind, name in PROJECT_NAMES.items():
        project = ExamProject.objects.filter(kind=kind, year=PROJECT_YEAR).first()
        if project is None:
            project = ExamProject.objects.create(
                kind=kind,
                year=PROJECT_YEAR,
                name=name,
                registration_opens_at=opens,
                registration_closes_at=closes,
            )
            result.projects_created.append(name)
        projects[kind] = project
    return projects


def ensure_superuser(result: SeedResult) -> AbstractBaseUser:
    user = User.objects.filter(username=SUPERUSER_NAME).first()
    if user is None:
        user = User.objects.create_superuser(
            username=SUPERUSER_NAME, email="", password=DEMO_PASSWORD
        )
        result.superuser_created = True
    return user


def _load_world(result: SeedResult) -> World:
    if (
        not Division.objects.filter(code="420000").exists()
        or not Level.objects.exists()
        or not ReferenceLibrary.objects.exists()
    ):
        raise DemoDataError("尚未载入参考数据，请先运行 python manage.py load_reference_data。")
    tree = build_demo_tree()
    reviewers = ensure_demo_reviewers(tree)
    admin = ensure_superuser(result)
    projects = ensure_projects(result)
    regions = list(
        Division.objects.filter(level=Division.Level.COUNTY, code__startswith="42")
        .order_by("code")
        .values_list("code", flat=True)
    )
    specialties: dict[str, list[tuple[int, str]]] = {}
    rows = Specialty.objects.filter(is_active=True).order_by("level_id", "code")
    for level_id, pk, name in rows.values_list("level_id", "pk", "name"):
        specialties.setdefault(level_id, []).append((pk, name))
    return World(
        tree=tree,
        reviewers=reviewers,
        admin=admin,
        projects=projects,
        regions=regions,
        specialties=specialties,
        password_hash=make_password(DEMO_PASSWORD),
        taken_ids=set(
            Candidate.objects.exclude(demo_filter())
            .exclude(id_number="")
            .values_list("id_number", flat=True)
        ),
        reviewer_by_code={code: reviewers[name] for name, code in DEMO_REVIEWERS.items()},
        education_labels=dict(
            EducationLevel.objects.filter(kind=EducationLevel.Kind.CATEGORY)
            .exclude(exam_label="")
            .values_list("code", "exam_label")
        ),
        division_names=dict(
            Division.objects.filter(code__startswith="42").values_list("code", "name")
        ),
    )


def _create_candidate(world: World, plan: CandidatePlan) -> Candidate:
    """A verified candidate: the same fields a successful 身份证（自动核验） fills in."""
    user = User.objects.create(username=plan.username, password=world.password_hash)
    candidate = Candidate(
        user=user,
        phone=plan.phone,
        name=plan.name,
        id_number=plan.id_number,
        ethnicity_id=plan.ethnicity_code,
        political_status_id=plan.political_code,
        identity_status=Candidate.IdentityStatus.VERIFIED,
    )
    candidate.clean()  # gender and birth date from the ID number
    candidate.save()
    IdentityVerification.objects.create(
        candidate=candidate,
        method=IdentityVerification.Method.AUTO,
        id_type=candidate.id_type,
        name=candidate.name,
        id_number=candidate.id_number,
        status=IdentityVerification.Status.VERIFIED,
        reason="自动核验通过（演示数据，未附证件照片）",
        decided_at=timezone.now(),
    )
    return candidate


def _exists(plan: CandidatePlan) -> bool:
    return (
        Candidate.objects.filter(phone=plan.phone).exists()
        or User.objects.filter(username=plan.username).exists()
    )


def _check_window(world: World) -> None:
    for project in world.projects.values():
        if not project.is_registration_open():
            raise DemoDataError(
                f"“{project.name}”不在报名时间内，无法生成演示申报。"
                "请在管理后台调整报名时间，或使用新的数据库。"
            )


@transaction.atomic
def seed_demo() -> SeedResult:
    """Create whatever demo data is missing; existing demo candidates are left alone."""
    result = SeedResult()
    world = _load_world(result)
    plans = build_plan(world)
    result.physicians_created = ensure_physicians(
        world, {plan.id_number for plan in plans} | world.taken_ids
    )
    missing = [plan for plan in plans if not _exists(plan)]
    result.candidates_skipped = len(plans) - len(missing)
    if missing:
        _check_window(world)
    for plan in missing:
        with transaction.atomic():
            candidate = _create_candidate(world, plan)
            result.candidates_created += 1
            if plan.kind is None:
                continue
            player = Player(world, plan, candidate)
            if plan.script:
                player.play_script(plan.script)
            else:
                player.play_scenario(plan.scenario)
                player.settle_payment()
            player.verify_materials()
            result.applications_created += 1
    result.reference_records_created = ensure_reference_records(world, plans)
    return result


# --- reading it back ----------------------------------------------------------------------


def demo_counts() -> dict[str, Any]:
    """Counts for the summary (and for checking that a second run changed nothing)."""
    tier_status = Counter(
        (tier, status) for tier, status in TierReview.objects.values_list("tier", "status")
    )
    return {
        "candidates": Candidate.objects.count(),
        "users": User.objects.count(),
        "applications": Application.objects.count(),
        "sections": Section.objects.count(),
        "tier_reviews": TierReview.objects.count(),
        "review_logs": ReviewLog.objects.count(),
        "institutions": Institution.objects.count(),
        "projects": ExamProject.objects.count(),
        "status": Counter(Application.objects.values_list("status", flat=True)),
        "current_tier": Counter(Application.objects.values_list("current_tier", flat=True)),
        "payment": Counter(Application.objects.values_list("payment_status", flat=True)),
        "tier_status": tier_status,
        "materials": {m._meta.model_name: m.objects.count() for m in MATERIAL_MODELS},
        "verification": sum(
            (
                Counter(m.objects.values_list("verification_status", flat=True))
                for m in MATERIAL_MODELS
            ),
            Counter(),
        ),
        "highest_education": Counter(
            Application.objects.exclude(highest_education="").values_list(
                "highest_education", flat=True
            )
        ),
        "case_records": CaseRecord.objects.count(),
        "attachments": Attachment.objects.count(),
        "recommenders": Counter(Recommender.objects.values_list("status", flat=True)),
        "physicians": Physician.objects.count(),
        "reference_records": Counter(ReferenceRecord.objects.values_list("library_id", flat=True)),
    }


def summary_lines(counts: dict[str, Any]) -> list[str]:
    """The counts in Chinese, one line each."""
    lines = [
        f"考生 {counts['candidates']} 人，申报 {counts['applications']} 条，"
        f"层级审核 {counts['tier_reviews']} 条，审核日志 {counts['review_logs']} 条。",
        "提交状态：",
    ]
    for value, label in Application.Status.choices:
        lines.append(f"  {label}：{counts['status'].get(value, 0)}")
    lines.append("当前审核层级：")
    for tier in TIER_ORDER:
        lines.append(f"  {Tier(tier).label}：{counts['current_tier'].get(tier, 0)}")
    lines.append("各层级审核状态：")
    for tier in TIER_ORDER:
        parts = [
            f"{label} {counts['tier_status'].get((tier, value), 0)}"
            for value, label in ReviewStatus.choices
        ]
        lines.append(f"  {Tier(tier).label}：" + "，".join(parts))
    lines.append("缴费状态：")
    for value, label in PaymentStatus.choices:
        lines.append(f"  {label}：{counts['payment'].get(value, 0)}")
    materials = "，".join(
        f"{m._meta.verbose_name} {counts['materials'][m._meta.model_name]}" for m in MATERIAL_MODELS
    )
    lines.append(f"证明材料：{materials}")
    verification = "，".join(
        f"{label} {counts['verification'].get(value, 0)}"
        for value, label in VerificationStatus.choices
    )
    lines.append(f"  核验：{verification}")
    recommenders = "，".join(
        f"{label} {counts['recommenders'].get(value, 0)}"
        for value, label in Recommender.Status.choices
    )
    lines.append(
        f"中医申报：医案 {counts['case_records']} 份，附件 {counts['attachments']} 个；"
        f"推荐医师/指导老师：{recommenders}"
    )
    libraries = "，".join(
        f"{library.name} {counts['reference_records'].get(library.code, 0)}"
        for library in ReferenceLibrary.objects.all()
    )
    lines.append(f"医师库 {counts['physicians']} 人；对比库记录：{libraries}")
    return lines


def describe_candidate(candidate: Candidate) -> str:
    """One line about a candidate's state, read from the database."""
    identity = candidate.get_identity_status_display()
    applications = list(
        candidate.applications.select_related("project", "current_institution").order_by("pk")
    )
    if not applications:
        return f"{candidate.name or candidate.phone}：{identity}，尚未报名"
    return f"{candidate.name}：" + "；".join(describe_application(a) for a in applications)


def describe_application(application: Application) -> str:
    project = application.project.name
    if application.track:
        project += f"（{application.get_track_display()}）"
    sections = list(application.sections.values_list("status", flat=True))
    done = sum(1 for s in sections if s != Section.Status.INCOMPLETE)
    locked = sum(1 for s in sections if s == Section.Status.LOCKED)
    tier = application.current_tier
    tier_status = ReviewStatus(application.review_status_at(tier)).label
    parts = [
        f"{project}，{application.get_status_display()}",
        f"{application.current_institution.name}（{Tier(tier).label}）{tier_status}",
        f"分项已填 {done}/{len(sections)}" + (f"、已锁定 {locked}" if locked else ""),
        application.get_payment_status_display(),
    ]
    return "，".join(parts)
