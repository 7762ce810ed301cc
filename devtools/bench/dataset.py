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

This module seeds, counts and clears; the pieces are constants.py (marks, sizes, word lists),
context.py (the generator's state and helpers), tree.py (authorities and units),
applications.py (applications, materials, logs) and registry.py (医师库, 对比库).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from core.models import AuditLogEntry
from devtools.bench.applications import generate_application, write_chunk
from devtools.bench.constants import (
    BASE_TIME,
    BENCH_MARK,
    BENCH_PASSWORD,
    BENCH_PHONE_PREFIX,
    BENCH_PROVINCE_USER,
    BENCH_SOURCE,
    BENCH_UNIT_PREFIX,
    BENCH_USER_PREFIX,
    CHUNK,
    DEFAULT_SEED,
    PROJECT_NAMES,
    PROJECT_YEAR,
    PROVINCE_CODE,
    BenchDataError,
    Scale,
)
from devtools.bench.context import MATERIAL_EXTRA, Chunk, Context, Node
from devtools.bench.registry import generate_physicians, generate_reference_records, id_stream
from devtools.bench.tree import ensure_authorities, make_units
from devtools.bench.writer import BulkWriter
from exam.duplicates.models import Match, TextBand, TextFingerprint
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    CaseRecord,
    ExamProject,
    Recommender,
    Section,
    Specialty,
    StagedUpload,
    TierReview,
)
from people.models import (
    Candidate,
    Division,
    IdentityVerification,
    Institution,
    Physician,
    ReviewerMembership,
)
from people.permissions import Perm
from people.services import reviewer_add
from review.models import ReferenceLibrary, ReferenceRecord

User = get_user_model()


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

    wipe(
        "review_logs", AuditLogEntry.objects.about_model(Application).filter(object_id__in=app_ids)
    )
    wipe("tier_reviews", TierReview.objects.filter(application__in=app_ids))
    wipe("sections", Section.objects.filter(application__in=app_ids))
    for model in MATERIAL_MODELS:
        wipe("materials", model.objects.filter(application__in=app_ids))
    for model in (Attachment, CaseRecord, Recommender):
        wipe("other", model.objects.filter(application__in=app_ids))
    # 查重: what `bench --only texts` indexed and found (rows pointing at the applications).
    wipe("other", TextBand.objects.filter(application_id__in=app_ids))
    wipe("other", TextFingerprint.objects.filter(application__in=app_ids))
    wipe("other", Match.objects.filter(application__in=app_ids))
    wipe("other", Match.objects.filter(other_application__in=app_ids))
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
        province, cities, counties = ensure_authorities()
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
        make_units(ctx, scale.units, cities)
        # Units differ in size: a few large hospitals, many small ones.
        ctx.unit_cum = list(accumulate(ctx.rng.choice((1, 1, 1, 2, 3, 5, 10)) for _ in ctx.units))
        say(f"机构：{len(ctx.units)} 个单位")
        done = 0
        while done < applications:
            size = min(CHUNK, applications - done)
            ids = {
                "user": id_stream(writer, User, size),
                "candidate": id_stream(writer, Candidate, size),
                "app": id_stream(writer, Application, size),
                "review": id_stream(writer, TierReview, size * 4),
                "section": id_stream(writer, Section, size * 8),
                "log": id_stream(writer, AuditLogEntry, size * 14),
                **{m.__name__: id_stream(writer, m, size * 3) for m in MATERIAL_EXTRA},
            }
            chunk = Chunk()
            for index in range(done, done + size):
                generate_application(ctx, chunk, index, ids)
            write_chunk(writer, chunk)
            done += size
            say(f"申报：{done}/{applications}")
        generate_physicians(ctx, scale.physicians)
        say(f"医师库：{scale.physicians}")
        generate_reference_records(ctx, scale.reference_records)
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
