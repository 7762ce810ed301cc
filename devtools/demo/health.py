"""The health exam's demo content: 学历 records, 证明材料 (职称, 资格证, 执业证, 补充信息)
with generated certificate images, and the sections' data."""

import datetime
import random
from decimal import Decimal
from typing import Any

from devtools.demo import texts as demo_texts
from devtools.demo.content import (
    DIPLOMA_LEVEL_DIGITS,
    EDUCATION_DURATION,
    FIVE_YEAR_MAJORS,
    JUNIOR_TITLES,
    LAST_GRADUATION_YEAR,
    ApplicationContent,
    PlannedMaterial,
    add_years,
    field_of,
    practice_scope_of,
    profile_names,
    random_day_in,
    random_digits,
)
from devtools.demo.plan import World
from exam.models import (
    Application,
    EducationRecord,
    MajorType,
    NurseLicense,
    PhysicianLicense,
    PhysicianQualification,
    StudyForm,
    SupplementaryInfo,
    TitleCertificate,
)
from people.models import Candidate


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
    field_name = field_of(specialty)
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
                f"{DIPLOMA_LEVEL_DIGITS[level]}{random_digits(rng, 6)}"
            )
        else:
            diploma_no = f"鄂{graduation.year}{random_digits(rng, 8)}"
        report_no = ""
        if level in {demo_texts.UNDERGRADUATE, demo_texts.POSTGRADUATE}:
            report_no = f"{graduation.year}{random_digits(rng, 12)}"
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
    field_name = field_of(specialty)
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
    ethnicity, political_status = profile_names(candidate)
    sections: dict[str, dict[str, Any]] = {
        "basic": {
            "name": candidate.name,
            "gender": candidate.get_gender_display(),
            "birth_date": candidate.birth_date.isoformat(),
            "phone": candidate.phone,
            "ethnicity": ethnicity,
            "political_status": political_status,
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
            "certificate_no": f"{year}0420{random_digits(rng, 7)}",
            "issued_on": random_day_in(rng, year, (9, 12)),
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
            random_day_in(rng, clinical["graduation_date"].year + 1 + rng.randint(0, 1), (1, 3)),
            datetime.date(2025, 3, 31),
        )
        qualification = {
            "certificate_no": f"{issued.year - 1}1142{random_digits(rng, 7)}",
            "category": "临床",
            "level": "执业医师",
            "issued_on": issued,
        }
        registered = issued + datetime.timedelta(days=rng.randint(30, 200))
        license_ = {
            "certificate_no": f"110420{random_digits(rng, 9)}",
            "category": "临床",
            "scope": practice_scope_of(specialty),
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
        while add_years(issued, 5) < datetime.date(2026, 1, 1):
            issued = add_years(issued, 5)
        nurse = {
            "certificate_no": f"{first_registration.year}42{random_digits(rng, 6)}",
            "practice_institution": unit_name,
            "issued_on": issued,
            "valid_until": add_years(issued, 5) - datetime.timedelta(days=1),
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
