"""医师库 and 对比库 for the demo: ~60 generated physicians, and reference records that
match some candidates plus people who are not candidates."""

import random
from typing import Any

from devtools.demo import texts as demo_texts
from devtools.demo.content import random_digits
from devtools.demo.people import fake_resident_id, generate_name, is_valid_resident_id, random_birth
from devtools.demo.phones import backfill_phones, physician_phone
from devtools.demo.plan import (
    DEMO_CANDIDATES,
    DEMO_UNIT_NAMES,
    JIANGAN,
    PROJECT_YEAR,
    SEED,
    TCM_COUNTY_WEIGHTS,
    UNIT_A,
    CandidatePlan,
    World,
    pick_weighted,
)
from exam.models import (
    Application,
    EducationRecord,
    ExamKind,
    Material,
    NurseLicense,
    PhysicianLicense,
    SupplementaryInfo,
    TitleCertificate,
)
from people.models import Physician
from review.models import ReferenceRecord

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
            birth = random_birth(rng, *years)
            number = fake_resident_id(
                region=county or rng.choice(world.regions), birth=birth, male=male, rng=rng
            )
            if is_valid_resident_id(number) and number not in used:
                used.add(number)
                break
        qualified = birth.year + rng.randint(24, 28)
        physicians.append(
            Physician(
                name=generate_name(rng, male),
                id_number=number,
                institution_name=institution,
                phone=physician_phone(index),
                qualification_no=f"{qualified}1442{random_digits(rng, 7)}",
                license_no=f"1104201{random_digits(rng, 8)}",
                practice_category="中医",
                practice_scope=rng.choices(
                    ["中医专业", "中西医结合专业", "全科医学专业"], weights=[7, 2, 1]
                )[0],
                title=title,
                clinical_start_year=qualified,  # in clinical work since qualifying
                is_recommender=recommends,
                is_supervisor=rng.random() < supervises,
            )
        )
    return physicians


def backfill_clinical_years(planned: list[Physician]) -> None:
    """Demo databases seeded before the registry had 从事临床工作起始年份 get it now."""
    years = {p.id_number: p.clinical_start_year for p in planned}
    lacking = Physician.objects.filter(id_number__in=years, clinical_start_year__isnull=True)
    for number in lacking.values_list("id_number", flat=True):
        Physician.objects.filter(id_number=number).update(clinical_start_year=years[number])


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
    backfill_clinical_years(planned)
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
        library = pick_weighted(rng, NOISE_LIBRARIES)
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
