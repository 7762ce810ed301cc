"""`seed_bench` and `bench`: a tiny data set on SQLite is consistent, valid, deterministic,
removable and refused next to other data; the benchmark runs and writes its JSON.
(Speed is measured by `manage.py bench`, never asserted here.)"""

import json
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from core.jobs.models import Job
from core.models import AuditLogEntry
from devtools.bench.constants import (
    BENCH_PHONE_PREFIX,
    BENCH_PROVINCE_USER,
    BENCH_SOURCE,
    BENCH_UNIT_PREFIX,
    EDUCATION,
)
from devtools.bench.dataset import bench_counts
from exam.duplicates.models import Match, TextBand, TextFingerprint
from exam.eligibility.rule_changes import PREVIEW_STATUSES
from exam.models import (
    MATERIAL_MODELS,
    Application,
    CaseRecord,
    EligibilityResult,
    ExamKind,
    Section,
    TierReview,
)
from exam.models.applications import ReviewStatus
from exam.sections import sections_for
from people.models import Candidate, Institution, Physician
from people.models.candidates import validate_id_document
from people.tiers import TIER_ORDER, Tier
from review.models import ReferenceRecord
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

S = ReviewStatus
AppStatus = Application.Status
N = 80


def _seed(n: int = N, seed: int = 1, **kwargs) -> None:
    call_command("seed_bench", applications=n, seed=seed, stdout=_Null(), **kwargs)


class _Null:
    def write(self, *_args) -> None:
        pass

    def flush(self) -> None:
        pass


def _snapshot() -> list[tuple]:
    """Everything that makes the data set, without primary keys."""
    apps = Application.objects.select_related("candidate", "entry_institution", "specialty")
    rows = []
    for app in apps.order_by("candidate__phone"):
        reviews = sorted(
            (r.tier, r.status, r.institution.code)
            for r in TierReview.objects.filter(application=app).select_related("institution")
        )
        materials = tuple(m.objects.filter(application=app).count() for m in MATERIAL_MODELS)
        verification = tuple(
            sorted(
                s
                for m in MATERIAL_MODELS
                for s in m.objects.filter(application=app).values_list(
                    "verification_status", flat=True
                )
            )
        )
        rows.append(
            (
                app.candidate.phone,
                app.candidate.name,
                app.candidate.id_number,
                app.status,
                app.payment_status,
                app.current_tier,
                app.entry_institution.code,
                app.specialty.code if app.specialty else "",
                app.highest_education,
                str(app.submitted_at),
                tuple(reviews),
                materials,
                verification,
            )
        )
    rows.append(
        tuple(sorted(ReferenceRecord.objects.values_list("library_id", "id_number", "year")))
    )
    rows.append(tuple(sorted(Physician.objects.values_list("name", "id_number"))))
    return rows


def test_seed_creates_consistent_applications():
    _seed()
    counts = bench_counts()
    assert counts["applications"] == N
    assert counts["candidates"] == N
    assert counts["units"] >= 12
    assert counts["physicians"] >= 10
    assert counts["reference_records"] == N * 5 // 2
    kinds = Counter(Application.objects.values_list("project__kind", flat=True))
    assert kinds[ExamKind.HEALTH_QUALIFICATION] > kinds[ExamKind.TCM_EXPERTISE]
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert len(statuses) >= 4  # spread over states, not one state

    for app in Application.objects.select_related("candidate", "entry_institution", "project"):
        chain = {t: app.chain_institution_id(t) for t in TIER_ORDER}
        reviews = {r.tier: r for r in TierReview.objects.filter(application=app)}
        # Every TierReview agrees with its column; the columns name no tier without one.
        for tier in TIER_ORDER:
            column = app.review_status_at(tier)
            if tier in reviews:
                assert column == reviews[tier].status, (app.pk, tier)
                assert reviews[tier].institution_id == chain[tier]
            else:
                assert column == "", (app.pk, tier)
        # The chain: the entry institution's ancestors, the current tier holds the review.
        entry = app.entry_institution
        assert chain[entry.tier] == entry.pk
        assert app.current_institution_id == chain[app.current_tier]
        assert app.current_tier in reviews
        assert entry.tier == (
            Tier.UNIT if app.project.kind == ExamKind.HEALTH_QUALIFICATION else Tier.COUNTY
        )
        ids = list(Institution.objects.get(pk=entry.pk).chain())
        assert [i.pk for i in ids] == [chain[t] for t in TIER_ORDER if chain[t]]
        # Below the current tier everything is reported, above it nothing has arrived.
        index = TIER_ORDER.index(app.current_tier)
        for tier, review in reviews.items():
            if TIER_ORDER.index(tier) < index:
                assert review.status == S.REPORTED and review.reported_at is not None
            assert TIER_ORDER.index(tier) <= index
        current = reviews[app.current_tier].status
        expected = {
            AppStatus.DRAFT: {S.PENDING},
            AppStatus.SUBMITTED: {S.PENDING},
            AppStatus.WITHDRAWN: {S.PENDING},
            AppStatus.IN_REVIEW: {S.PENDING, S.DEFERRED, S.APPROVED},
            AppStatus.RETURNED: {S.RETURNED},
            AppStatus.REJECTED: {S.REJECTED},
            AppStatus.APPROVED: {S.APPROVED},
        }[app.status]
        assert current in expected, (app.status, current)
        if app.status == AppStatus.APPROVED:
            assert app.current_tier == Tier.PROVINCE
        if app.status in {AppStatus.DRAFT, AppStatus.SUBMITTED, AppStatus.WITHDRAWN}:
            assert len(reviews) == 1 and app.current_tier == entry.tier
        assert (app.submitted_at is None) == (app.status == AppStatus.DRAFT)
        # Sections as application_create makes them; locks only after 允许修改.
        sections = list(Section.objects.filter(application=app))
        assert {s.code for s in sections} == {
            d.code for d in sections_for(app.project.kind, app.track)
        }
        if any(s.status == Section.Status.LOCKED for s in sections):
            assert S.RETURNED in {r.status for r in reviews.values()} or app.status in {
                AppStatus.IN_REVIEW
            }
        # Materials only for the health exam; the highest education follows them.
        materials = sum(m.objects.filter(application=app).count() for m in MATERIAL_MODELS)
        if app.project.kind == ExamKind.TCM_EXPERTISE:
            assert materials == 0
        levels = app.educationrecord_set.values_list("level_id", flat=True)
        assert app.highest_education == (EDUCATION[min(levels)] if levels else "")
        # TCM: 现场确认 before the county approves.
        if (
            app.project.kind == ExamKind.TCM_EXPERTISE
            and reviews.get(Tier.COUNTY)
            and (reviews[Tier.COUNTY].status in {S.APPROVED, S.REPORTED})
        ):
            assert app.onsite_confirmed_at is not None
        # Candidate: valid ID number, gender and birth date from it, bench phone.
        candidate = app.candidate
        facts = validate_id_document(candidate.id_type, candidate.id_number)
        assert facts.birth_date == candidate.birth_date
        assert facts.gender == candidate.gender
        assert candidate.phone.startswith(BENCH_PHONE_PREFIX)
        assert candidate.user.username == candidate.phone
    # Units carry confirmation codes and bench codes; the log has rows for the applications.
    units = Institution.objects.filter(code__startswith=BENCH_UNIT_PREFIX)
    assert all(len(u.confirmation_code) == 8 for u in units)
    assert all(u.path.endswith(f"/{u.code}/") for u in units)
    assert AuditLogEntry.objects.about_model(Application).count() >= N
    for physician in Physician.objects.all():
        validate_id_document("resident_id", physician.id_number)
    for id_number in ReferenceRecord.objects.values_list("id_number", flat=True)[:50]:
        validate_id_document("resident_id", id_number)
    assert get_user_model().objects.filter(username=BENCH_PROVINCE_USER).exists()


def test_same_seed_same_data_other_seed_other_data():
    _seed(40, seed=7)
    first = _snapshot()
    call_command("seed_bench", clear=True, stdout=_Null())
    _seed(40, seed=7)
    assert _snapshot() == first
    call_command("seed_bench", clear=True, stdout=_Null())
    _seed(40, seed=8)
    assert _snapshot() != first


def test_clear_removes_everything_it_created(tmp_path):
    province_id = Institution.objects.get(code="420000").pk
    _seed(30)
    # The texts group leaves its 医案, index and matches: clear takes them too.
    call_command(
        "bench", runs=1, only="texts", json=str(tmp_path / "t.json"), stdout=_Null(), stderr=_Null()
    )
    assert TextFingerprint.objects.exists() and CaseRecord.objects.exists()
    call_command("seed_bench", clear=True, stdout=_Null())
    assert not TextFingerprint.objects.exists() and not TextBand.objects.exists()
    assert not CaseRecord.objects.exists() and not Match.objects.exists()
    assert bench_counts() == dict.fromkeys(bench_counts(), 0)
    assert not Application.objects.exists()
    assert not Candidate.objects.exists()
    assert not ReferenceRecord.objects.filter(source=BENCH_SOURCE).exists()
    assert not TierReview.objects.exists()
    assert not get_user_model().objects.filter(username__startswith=BENCH_PHONE_PREFIX).exists()
    assert not get_user_model().objects.filter(username=BENCH_PROVINCE_USER).exists()
    # The health authorities are shared with the demo data and stay.
    assert Institution.objects.filter(pk=province_id).exists()


def test_refuses_a_database_with_other_data_unless_forced():
    CandidateFactory()
    with pytest.raises(CommandError, match="非基准测试数据"):
        _seed(10)
    assert bench_counts()["applications"] == 0
    _seed(10, force=True)
    assert bench_counts()["applications"] == 10
    # A second seed on top of bench data is refused too (clear first).
    with pytest.raises(CommandError, match="--clear"):
        _seed(10, force=True)


EXPECTED_OPERATIONS = {
    "list:unfiltered",
    "list:level",
    "list:specialty",
    "list:name",
    "list:id_number",
    "list:institution",
    "list:status",
    "list:education",
    "list:scope_direct",
    "list:review_status",
    "list:payment",
    "list:eligibility",
    "detail",
    "materials:education",
    "export:app",
    "export:raw",
    "export:import_export",
    "import:app",
    "import:raw",
    "report",
    "texts:rebuild",
    "texts:check",
    "verify",
    "eligibility:evaluate",
    "eligibility:load+evaluate",
    "eligibility:job",
    "eligibility:preview",
}


def test_bench_runs_every_operation_and_writes_json(tmp_path):
    _seed(120)
    before = (
        Application.objects.count(),
        ReferenceRecord.objects.count(),
        AuditLogEntry.objects.count(),
    )
    target = tmp_path / "bench.json"
    call_command(
        "bench",
        runs=1,
        heavy_runs=1,
        import_rows=20,
        json=str(target),
        stdout=_Null(),
        stderr=_Null(),
    )
    payload = json.loads(target.read_text())
    assert {"machine", "reference", "operations", "explain", "runs"} <= set(payload)
    assert payload["reference"]["median_s"] > 0
    names = {op["name"] for op in payload["operations"]}
    assert names >= EXPECTED_OPERATIONS
    for op in payload["operations"]:
        for key in ("median_s", "ratio", "runs", "queries", "peak_mb", "rows", "target"):
            assert key in op, (op["name"], key)
        assert len(op["runs"]) == 1
    by_name = {op["name"]: op for op in payload["operations"]}
    assert by_name["import:app"]["rows"] == by_name["import:raw"]["rows"] == 20
    assert by_name["import:app"]["new"] == 20
    assert "throughput_vs_raw" in by_name["import:app"]
    assert by_name["export:app"]["rows"] == by_name["export:raw"]["rows"] > 0
    assert "throughput_vs_raw" in by_name["export:app"]
    assert "queries_small_page" in by_name["list:unfiltered"]
    health = Application.objects.filter(project__kind=ExamKind.HEALTH_QUALIFICATION)
    evaluated = by_name["eligibility:evaluate"]
    assert evaluated["rows"] == by_name["eligibility:load+evaluate"]["rows"] == health.count() > 0
    assert sum(evaluated["outcomes"].values()) == evaluated["rows"]
    job = by_name["eligibility:job"]
    assert job["rows"] == health.count() and job["created"] + job["updated"] + job["unchanged"] > 0
    preview = by_name["eligibility:preview"]
    submitted = health.filter(status__in=PREVIEW_STATUSES).count()
    assert preview["rows"] == submitted > 0 and "moved" in preview
    assert not EligibilityResult.objects.exists()  # rolled back
    assert not Job.objects.exists()
    if connection.vendor == "postgresql":  # EXPLAIN (ANALYZE, BUFFERS): one per list filter
        assert {e["name"] for e in payload["explain"]} == {
            n.replace("list:", "explain:") for n in EXPECTED_OPERATIONS if n.startswith("list:")
        }
        assert all("page" in e and "count" in e for e in payload["explain"])
    else:
        assert payload["explain"] == []
    # Writes were rolled back: the bench can run again on the same data.
    after = (
        Application.objects.count(),
        ReferenceRecord.objects.count(),
        AuditLogEntry.objects.count(),
    )
    assert after == before


def test_bench_only_limits_the_groups(tmp_path):
    _seed(30)
    target = tmp_path / "only.json"
    call_command("bench", runs=1, only="detail", json=str(target), stdout=_Null(), stderr=_Null())
    payload = json.loads(target.read_text())
    assert [op["name"] for op in payload["operations"]] == ["detail"]
    with pytest.raises(CommandError):
        call_command("bench", only="nonsense", json=str(target), stdout=_Null())
