"""The TCM expertise demo content: the sections' data (keys of
exam.sections.TCM_SECTION_FIELDS), five case records, the attachments of the track and the
推荐医师/指导老师 drawn from the generated physicians."""

import datetime
import random
from typing import Any

from devtools.demo import media as demo_media
from devtools.demo import texts as demo_texts
from devtools.demo.content import (
    LAST_GRADUATION_YEAR,
    PRACTICE_ONGOING_UNTIL,
    ApplicationContent,
    PlannedAttachment,
    add_years,
    profile_names,
    random_day_in,
    random_digits,
)
from devtools.demo.people import generate_name
from devtools.demo.plan import TCM_COUNTY_WEIGHTS, World
from devtools.demo.voices import (
    personal_case,
    personal_experience,
    personal_expertise,
    voice_for,
)
from exam.models import Application, Recommender, Track
from people.models import Candidate, Gender, Physician

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
    phone = f"1{rng.choice('3589')}{rng.randrange(10)}****{random_digits(rng, 4)}"
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
    ethnicity, political_status = profile_names(candidate)
    registration_name = world.division_names.get(registration, "")
    registration_city = world.division_names.get(registration[:4] + "00", "")
    basic = {
        "name": candidate.name,
        "gender": candidate.get_gender_display(),
        "birth_date": candidate.birth_date.isoformat(),
        "ethnicity": ethnicity,
        "political_status": political_status,
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
        end = add_years(start, years) - datetime.timedelta(days=1)
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
        end = PRACTICE_ONGOING_UNTIL if ongoing else random_day_in(rng, rng.randint(2014, 2016))
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
                    "certificate_no": f"{begin + length}{random_digits(rng, 10)}",
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

    # The candidate's own wording (devtools/demo/voices.py), from a stream of its own.
    voice = voice_for(candidate.id_number)
    for code in ("apprenticeship", "practice"):
        if code in sections:
            sections[code]["experience"] = personal_experience(voice, sections[code]["experience"])
    sections["expertise"] = personal_expertise(
        voice,
        {
            "content": f"{template.content}擅长治疗{disease}等病证。",
            "indications": template.indications,
            "safety": template.safety,
            "effectiveness": template.effectiveness,
            "risks": template.risks,
        },
    )
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
        personal_case(
            voice,
            _case_record(
                rng,
                world,
                template if rng.random() < 0.6 else rng.choice(same_method),
                n,
                county_code,
            ),
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
                "title_issued_on": random_day_in(rng, rng.randint(2005, 2022)).isoformat(),
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
                "other_issued_on": random_day_in(rng, rng.randint(2012, 2025)).isoformat(),
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
