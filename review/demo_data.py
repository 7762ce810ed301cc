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
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from stdnum.cn import ric

from exam import services as exam_services
from exam.models import (
    Application,
    ExamKind,
    ExamProject,
    Level,
    PaymentStatus,
    Section,
    Specialty,
    Track,
)
from exam.models.applications import ReviewStatus
from exam.sections import section_label, sections_for
from people.demo import (
    DEMO_PASSWORD,
    DEMO_REVIEWERS,
    DemoTree,
    build_demo_tree,
    ensure_demo_reviewers,
)
from people.id_documents import validate_resident_id
from people.models import Candidate, Division, IdentityVerification, Institution
from people.tiers import TIER_ORDER, Tier
from review import services as review_services
from review.models import ReviewLog, TierReview

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

SCHOOLS = (
    "武汉大学",
    "华中科技大学",
    "湖北中医药大学",
    "湖北医药学院",
    "三峡大学",
    "长江大学",
    "湖北科技学院",
    "江汉大学",
    "湖北职业技术学院",
    "咸宁职业技术学院",
    "随州职业技术学院",
    "湖北三峡职业技术学院",
)
TCM_TECHNIQUES = (
    ("内服方药", "自拟方剂辨证加减，擅长调理脾胃病、失眠等常见病证。"),
    ("外治技术", "针刺、艾灸、拔罐，擅长治疗颈肩腰腿痛。"),
    ("外治技术", "推拿正骨手法，擅长治疗小儿积食及成人关节扭伤。"),
    ("内服方药和外治技术", "内服方药配合穴位贴敷，擅长治疗慢性咳嗽、风湿痹痛。"),
)


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


# --- section contents -------------------------------------------------------------------


def _date(rng: random.Random, first_year: int, last_year: int) -> str:
    return _birth(rng, first_year, max(first_year, last_year)).isoformat()


def _major(specialty_name: str) -> str:
    if "护理" in specialty_name:
        return "护理学"
    if "药" in specialty_name:
        return "药学"
    if "检验" in specialty_name:
        return "医学检验技术"
    return "临床医学"


def _title(specialty_name: str, level_code: str) -> str:
    """The title held before applying for this level (专技职称)."""
    junior = level_code == "1"
    for word, titles in (
        ("护理", ("护士", "护师")),
        ("药", ("药士", "药师")),
        ("检验", ("技士", "技师")),
    ):
        if word in specialty_name:
            return titles[0] if junior else titles[1]
    return "医士" if junior else "医师"


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


def section_data(
    rng: random.Random, candidate: Candidate, application: Application, code: str
) -> dict[str, Any]:
    """Plausible contents for one section (the forms that will validate them come later)."""
    birth_year = candidate.birth_date.year
    basic = {
        "name": candidate.name,
        "gender": candidate.get_gender_display(),
        "birth_date": candidate.birth_date.isoformat(),
        "phone": candidate.phone,
        "ethnicity": candidate.ethnicity.name if candidate.ethnicity else "",
        "political_status": candidate.political_status.name if candidate.political_status else "",
    }
    if application.project.kind == ExamKind.HEALTH_QUALIFICATION:
        specialty = application.specialty.name
        graduated = min(birth_year + rng.randint(19, 24), 2025)
        data: dict[str, dict[str, Any]] = {
            "basic": basic
            | {
                "work_unit": application.entry_institution.name,
                "work_started_on": f"{graduated}-07-01",
                "specialty": specialty,
            },
            "education": {
                "education": {"1": "中专", "2": "大专", "3": "本科"}[application.level_id],
                "school": rng.choice(SCHOOLS),
                "major": _major(specialty),
                "graduated_on": f"{graduated}-06-30",
            },
            "title": {
                "title": _title(specialty, application.level_id),
                "obtained_on": _date(rng, graduated + 1, graduated + 6),
            },
            "physician_qualification": {
                "category": "临床",
                "obtained_on": _date(rng, graduated + 1, graduated + 3),
            },
            "physician_license": {
                "scope": _practice_scope(specialty),
                "registered_on": _date(rng, graduated + 2, graduated + 4),
            },
            "nurse_license": {"registered_on": _date(rng, graduated, graduated + 1)},
            "supplementary": {"note": "在本单位连续工作，无违纪记录。"},
        }
        return data[code]
    technique, description = rng.choice(TCM_TECHNIQUES)
    started = birth_year + rng.randint(20, 30)
    data = {
        "basic": basic | {"address": f"{application.entry_institution.name}辖区"},
        "apprenticeship": {
            "teacher": generate_name(rng, rng.random() < 0.6),
            "started_on": f"{started}-03-01",
            "ended_on": f"{started + rng.randint(5, 10)}-02-28",
            "place": f"{application.entry_institution.name.removesuffix('卫生健康局')}中医诊所",
        },
        "practice": {
            "place": f"{application.entry_institution.name.removesuffix('卫生健康局')}",
            "started_on": f"{started}-01-01",
            "ended_on": None,
        },
        "technique": {"category": technique, "description": description},
        "study": {"history": "自幼随家中长辈学习中医，后参加中医药继续教育培训。"},
        "expertise": {
            "expertise": description,
            "case_records": application.project.case_record_count,
        },
        "credentials": {"note": "乡镇卫生院出具的从业证明。"},
        "recommendation": {
            "recommenders": [generate_name(rng, rng.random() < 0.6) for _ in range(2)],
        },
    }
    return data[code]


# --- the actors' steps --------------------------------------------------------------------


class Player:
    """Plays one candidate's story through the services."""

    def __init__(self, world: World, plan: CandidatePlan, candidate: Candidate) -> None:
        self.world = world
        self.plan = plan
        self.candidate = candidate
        self.user = candidate.user
        self.rng = random.Random(f"{SEED}:{plan.phone}")
        self.application: Application | None = None

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

    def fill(self, *, complete: bool = True) -> None:
        """Fill the sections: every required one (and some optional ones), or only part."""
        app = self.application
        definitions = sections_for(app.project.kind, app.track)
        sections = self._sections()
        specialty = app.specialty.name if app.specialty else ""
        for index, definition in enumerate(definitions):
            if not definition.required and not self._wants_optional(definition.code, specialty):
                continue
            data = section_data(self.rng, self.candidate, app, definition.code)
            done = complete or index == 0
            if not done:
                if self.rng.random() < 0.5:
                    continue  # not opened yet: stays 去完善 with nothing typed
                data = dict(list(data.items())[:1])  # a draft missing most fields
            exam_services.section_save(
                actor=self.user, section=sections[definition.code], data=data, complete=done
            )

    def _wants_optional(self, code: str, specialty: str) -> bool:
        if code in {"physician_qualification", "physician_license"}:
            return not any(word in specialty for word in ("护理", "药", "检验"))
        if code == "nurse_license":
            return "护理" in specialty
        return self.rng.random() < 0.4

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
                data = section.data | {"corrected": "已按审核意见修改"}
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
            self.fill(complete=self.rng.random() < 0.25)
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
            # 基础信息 done, 学历信息 saved as an incomplete draft.
            first, second = sections_for(self.application.project.kind)[:2]
            sections = self._sections()
            exam_services.section_save(
                actor=self.user,
                section=sections[first.code],
                data=section_data(self.rng, self.candidate, self.application, first.code),
                complete=True,
            )
            exam_services.section_save(
                actor=self.user,
                section=sections[second.code],
                data={"school": self.rng.choice(SCHOOLS)},
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


# --- the seed -----------------------------------------------------------------------------


@dataclass
class SeedResult:
    projects_created: list[str] = field(default_factory=list)
    superuser_created: bool = False
    candidates_created: int = 0
    candidates_skipped: int = 0
    applications_created: int = 0


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
    if not Division.objects.filter(code="420000").exists() or not Level.objects.exists():
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
            result.applications_created += 1
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
