"""One round of applications: candidates, applications, sections, materials, tier reviews
and log rows generated consistently, then written table by table."""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from core.models import AuditLogEntry
from devtools.bench.constants import (
    BASE_TIME,
    BENCH_PHONE_PREFIX,
    EDUCATION,
    MAJORS,
    SCHOOLS,
    TCM_SHARE,
)
from devtools.bench.context import (
    MATERIAL_COLUMNS,
    MATERIAL_EXTRA,
    Chunk,
    Context,
    Node,
    application_plan,
    new_resident_id,
    random_moment,
)
from devtools.bench.writer import BulkWriter
from devtools.demo.people import generate_name
from exam.audit_actions import (
    LOG_APPLICATION_CREATED,
    LOG_APPLICATION_ONSITE,
    LOG_APPLICATION_RESUBMITTED,
    LOG_APPLICATION_SUBMITTED,
    LOG_APPLICATION_WITHDRAWN,
)
from exam.models import (
    Application,
    EducationRecord,
    ExamKind,
    NurseLicense,
    PaymentStatus,
    PhysicianLicense,
    PhysicianQualification,
    Section,
    SupplementaryInfo,
    TierReview,
    TitleCertificate,
    Track,
)
from exam.models.applications import ReviewStatus
from exam.models.materials import MajorType, StudyForm, VerificationStatus
from exam.sections import sections_for
from people.models import Candidate
from people.tiers import TIER_ORDER, Tier
from review import workflow

User = get_user_model()
S = ReviewStatus
AppStatus = Application.Status


def materials_for(ctx: Context, specialty_name: str, level: str, graduated: int) -> list[tuple]:
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


def generate_application(
    ctx: Context, chunk: Chunk, index: int, ids: dict[str, Iterator[int]]
) -> None:
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
    plan = application_plan(rng, kind, entry)
    chain = entry.chain()

    # The candidate and the account.
    male = rng.random() >= (0.9 if "护" in specialty_name else 0.5)
    name = generate_name(rng, male)
    id_number = new_resident_id(ctx, male, years)
    ctx.people.append((id_number, name))
    phone = f"{BENCH_PHONE_PREFIX}{index:07d}"
    user_id, candidate_id, app_id = next(ids["user"]), next(ids["candidate"]), next(ids["app"])
    created = random_moment(rng, BASE_TIME, 30)
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
    submitted = None if plan.status == AppStatus.DRAFT else random_moment(rng, created, 5)
    moment = submitted or created
    logs = chunk.logs
    application_type = ContentType.objects.get_for_model(Application).pk  # cached after one

    def log(action: str, node: Node | None, when, from_state="", to_state="", remark="") -> None:
        # The payload as core.audit writes it: empty values left out.
        data = {
            "institution": node.pk if node else None,
            "tier": node.tier if node else "",
            "from_state": from_state,
            "to_state": to_state,
            "remark": remark,
        }
        data = {key: value for key, value in data.items() if value not in ("", None)}
        logs.append((next(ids["log"]), application_type, app_id, None, action, data, when))

    log(LOG_APPLICATION_CREATED, entry, created, to_state=AppStatus.DRAFT)
    if submitted:
        log(
            LOG_APPLICATION_SUBMITTED,
            entry,
            submitted,
            AppStatus.DRAFT,
            AppStatus.SUBMITTED,
        )
    if plan.outcome == "withdrawn":
        log(
            LOG_APPLICATION_WITHDRAWN,
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
            moment = decided = random_moment(rng, moment, 3)
        if status == S.REPORTED:
            log("review.approved", node, decided, S.PENDING, S.APPROVED)
            moment = reported = random_moment(rng, moment, 2)
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
                    LOG_APPLICATION_RESUBMITTED,
                    node,
                    decided,
                    AppStatus.RETURNED,
                    AppStatus.IN_REVIEW,
                )
            elif plan.outcome == "reopened":
                log(workflow.LOG_REVIEW_REOPENED, node, decided, S.APPROVED, S.PENDING)
        needs_onsite = kind == ExamKind.TCM_EXPERTISE and tier == Tier.COUNTY
        if needs_onsite and (status in {S.REPORTED, S.APPROVED} or rng.random() < 0.5):
            onsite = random_moment(rng, arrived, 1)
            log(LOG_APPLICATION_ONSITE, node, onsite)
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
        materials = materials_for(ctx, specialty_name, level, min(graduated, 2025))
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
            "",  # 报考条件 not judged yet: manage.py eligibility_refresh fills it
            0,  # return_rounds: no 修改内容 snapshot in the bench data
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
    "eligibility_outcome",
    "return_rounds",
]


def write_chunk(writer: BulkWriter, chunk: Chunk) -> None:
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
        AuditLogEntry,
        ["id", "content_type_id", "object_id", "actor_id", "action", "data", "created_at"],
        chunk.logs,
    )
