"""`seed_demo` and `demo_info`: the demo data covers every state at every tier, is built
through the services, and a second run changes nothing."""

import datetime
import io
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.http import HttpRequest
from django.test import Client, override_settings
from django.utils import timezone
from stdnum.cn import ric

from devtools.demo import media as demo_media
from devtools.demo.people import fake_resident_id
from devtools.demo.plan import DEMO_CANDIDATES, SUPERUSER_NAME, TOTAL_CANDIDATES
from devtools.demo.registry import PHYSICIAN_COUNT, REFERENCE_NOISE
from devtools.demo.seed import SeedResult, seed_demo
from devtools.demo.summary import demo_counts
from devtools.demo.tree import DEMO_PASSWORD, DEMO_REVIEWERS
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
    SupplementaryInfo,
    TitleCertificate,
    Track,
    VerificationStatus,
)
from exam.models.applications import ReviewStatus
from exam.sections import TCM_ITEM_FIELDS, TCM_SECTION_FIELDS, required_codes
from people.models import Candidate, IdType, Physician
from people.models.candidates import validate_id_document
from people.tiers import TIER_ORDER, Tier
from review import workflow
from review.models import ReferenceRecord, ReviewLog, TierReview

# The mark also makes pytest-django create the test database for this module.
pytestmark = pytest.mark.django_db

S = ReviewStatus
AppStatus = Application.Status


HEALTH, TCM = ExamKind.HEALTH_QUALIFICATION, ExamKind.TCM_EXPERTISE


@dataclass
class Seeded:
    first: SeedResult
    second: SeedResult
    counts_first: dict[str, Any]
    counts_second: dict[str, Any]
    media: Path
    files_first: set[Path]
    files_second: set[Path]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Seeded]:
    """Seed once for the whole module (twice, to compare), in a transaction rolled back at the
    end so the other modules see an empty database again. The generated files go to a
    temporary media directory, never into the repository's var/."""
    fast_hasher = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    media = tmp_path_factory.mktemp("demo-media")
    default = settings.STORAGES["default"]
    storages = override_settings(
        MEDIA_ROOT=media,
        STORAGES={
            **settings.STORAGES,
            "default": {**default, "OPTIONS": {**default.get("OPTIONS", {}), "location": media}},
        },
    )
    with django_db_blocker.unblock(), fast_hasher, storages, transaction.atomic():
        assert Path(default_storage.path("x")).parent == media
        first = seed_demo()
        counts_first = demo_counts()
        files_first = _files(media)
        second = seed_demo()
        yield Seeded(first, second, counts_first, demo_counts(), media, files_first, _files(media))
        transaction.set_rollback(True)


def test_first_run_creates_the_demo_data(seeded: Seeded) -> None:
    assert seeded.first.candidates_created == TOTAL_CANDIDATES
    assert seeded.first.applications_created == TOTAL_CANDIDATES - 1  # candidate4 has none
    assert seeded.first.superuser_created
    assert len(seeded.first.projects_created) == 2
    assert Candidate.objects.count() == TOTAL_CANDIDATES
    assert Application.objects.count() == TOTAL_CANDIDATES - 1


def test_second_run_changes_nothing(seeded: Seeded) -> None:
    assert seeded.second.candidates_created == 0
    assert seeded.second.applications_created == 0
    assert seeded.second.candidates_skipped == TOTAL_CANDIDATES
    assert not seeded.second.superuser_created
    assert seeded.second.projects_created == []
    assert seeded.second.physicians_created == 0
    assert seeded.second.reference_records_created == 0
    assert seeded.counts_second == seeded.counts_first
    assert seeded.files_second == seeded.files_first


def test_projects_are_open_now(seeded: Seeded) -> None:
    projects = ExamProject.objects.filter(year=2026)
    assert {p.kind for p in projects} == set(ExamKind.values)
    assert all(p.is_registration_open(timezone.now()) for p in projects)


def test_every_application_status_appears(seeded: Seeded) -> None:
    assert set(Application.objects.values_list("status", flat=True)) == set(AppStatus.values)


def test_every_review_status_appears(seeded: Seeded) -> None:
    assert set(TierReview.objects.values_list("status", flat=True)) == set(S.values)


def test_every_tier_has_applications_under_review(seeded: Seeded) -> None:
    under_review = Application.objects.filter(
        status__in=[AppStatus.SUBMITTED, AppStatus.IN_REVIEW, AppStatus.RETURNED]
    )
    for tier in TIER_ORDER:
        assert under_review.filter(current_tier=tier).exists(), tier


@pytest.mark.parametrize(
    ("tier", "status"),
    [
        (Tier.UNIT, S.PENDING),
        (Tier.UNIT, S.DEFERRED),
        (Tier.UNIT, S.RETURNED),
        (Tier.UNIT, S.REJECTED),
        (Tier.UNIT, S.APPROVED),  # approved, not yet reported
        (Tier.COUNTY, S.PENDING),  # reported up to the county
        (Tier.COUNTY, S.RETURNED),
        (Tier.COUNTY, S.REJECTED),
        (Tier.CITY, S.PENDING),  # approved at the county and reported to the city
        (Tier.CITY, S.RETURNED),
        (Tier.CITY, S.REJECTED),
        (Tier.PROVINCE, S.PENDING),
        (Tier.PROVINCE, S.APPROVED),
    ],
)
def test_states_the_demo_needs_are_present(seeded: Seeded, tier: str, status: str) -> None:
    assert Application.objects.filter(
        current_tier=tier, **{f"{tier}_review_status": status}
    ).exists()


def test_applications_mirror_their_tier_reviews(seeded: Seeded) -> None:
    mirrored = {(r.application_id, r.tier): r.status for r in TierReview.objects.all()}
    for application in Application.objects.all():
        for tier in TIER_ORDER:
            expected = mirrored.get((application.pk, tier), "")
            assert application.review_status_at(tier) == expected, (application.pk, tier)


def test_final_states_match_the_top_tier(seeded: Seeded) -> None:
    approved = Application.objects.filter(status=AppStatus.APPROVED)
    assert approved.exists()
    assert not approved.exclude(province_review_status=S.APPROVED).exists()
    rejected = Application.objects.filter(status=AppStatus.REJECTED)
    for application in rejected:
        assert application.review_status_at(application.current_tier) == S.REJECTED


def test_every_change_is_in_the_review_log(seeded: Seeded) -> None:
    logs = ReviewLog.objects
    assert logs.filter(action=workflow.LOG_APPLICATION_CREATED).count() == (
        Application.objects.count()
    )
    assert logs.filter(action=workflow.LOG_REVIEW_REPORTED).count() == (
        TierReview.objects.filter(status=S.REPORTED).count()
    )
    assert logs.filter(action=workflow.LOG_SECTION_LOCKED).count() == (
        Section.objects.filter(status=Section.Status.LOCKED).count()
    )
    resubmitted = logs.filter(action=workflow.LOG_APPLICATION_RESUBMITTED)
    assert resubmitted.exists()
    assert logs.filter(action=workflow.LOG_REVIEW_REOPENED).exists()
    assert logs.filter(action=workflow.LOG_APPLICATION_WITHDRAWN).exists()
    assert not logs.filter(actor__isnull=True).exists()


def test_returned_applications_keep_locked_sections(seeded: Seeded) -> None:
    returned = Application.objects.filter(status=AppStatus.RETURNED)
    for tier in (Tier.UNIT, Tier.COUNTY):
        at_tier = returned.filter(current_tier=tier)
        assert at_tier.filter(sections__status=Section.Status.LOCKED).exists(), tier
    for application in returned:
        statuses = set(application.sections.values_list("status", flat=True))
        assert Section.Status.COMPLETE in statuses  # something left to correct


def test_submitted_applications_have_their_required_sections(seeded: Seeded) -> None:
    for application in Application.objects.exclude(status=AppStatus.DRAFT).select_related(
        "project"
    ):
        done = set(
            application.sections.exclude(status=Section.Status.INCOMPLETE).values_list(
                "code", flat=True
            )
        )
        assert required_codes(application.project.kind, application.track) <= done


def test_tcm_applications_approved_at_county_were_confirmed_onsite(seeded: Seeded) -> None:
    passed_county = Application.objects.filter(
        project__kind=ExamKind.TCM_EXPERTISE,
        county_review_status__in=[S.APPROVED, S.REPORTED],
    )
    assert passed_county.exists()
    assert not passed_county.filter(onsite_confirmed_at__isnull=True).exists()


def test_payment_states(seeded: Seeded) -> None:
    counts = seeded.counts_first["payment"]
    submitted = Application.objects.exclude(status__in=[AppStatus.DRAFT, AppStatus.WITHDRAWN])
    assert 0.3 * submitted.count() <= counts[PaymentStatus.PAID] <= 0.7 * submitted.count()
    assert counts[PaymentStatus.REFUNDED] > 0
    assert not Application.objects.filter(
        status__in=[AppStatus.DRAFT, AppStatus.WITHDRAWN]
    ).exclude(payment_status=PaymentStatus.UNPAID)


def test_candidate_id_numbers_are_valid_and_marked_generated(seeded: Seeded) -> None:
    numbers = []
    for candidate in Candidate.objects.all():
        assert candidate.identity_status == Candidate.IdentityStatus.VERIFIED
        facts = validate_id_document(IdType.RESIDENT_ID, candidate.id_number)
        assert facts.birth_date == candidate.birth_date
        assert facts.gender == candidate.gender
        assert candidate.id_number[14] == "9"
        assert candidate.id_number.startswith("42")
        assert 1965 <= candidate.birth_date.year <= 2003
        assert 2 <= len(candidate.name) <= 4
        numbers.append(candidate.id_number)
    assert len(set(numbers)) == len(numbers)


def test_named_candidates(seeded: Seeded) -> None:
    def application_of(username: str) -> Application:
        return Application.objects.select_related("entry_institution").get(
            candidate__user__username=username
        )

    c1 = application_of("candidate1")
    assert c1.status == AppStatus.DRAFT
    assert c1.entry_institution.code == DEMO_REVIEWERS["unit_a"]
    assert c1.sections.filter(code="education", status=Section.Status.INCOMPLETE).exists()

    c2 = application_of("candidate2")
    assert (c2.status, c2.current_tier, c2.unit_review_status) == (
        AppStatus.SUBMITTED,
        Tier.UNIT,
        S.PENDING,
    )
    assert c2.entry_institution.code == DEMO_REVIEWERS["unit_a"]

    c3 = application_of("candidate3")
    assert (c3.status, c3.unit_review_status) == (AppStatus.RETURNED, S.RETURNED)
    assert c3.entry_institution.code == DEMO_REVIEWERS["unit_a"]
    assert c3.sections.filter(status=Section.Status.LOCKED).exists()

    c4 = Candidate.objects.get(user__username="candidate4")
    assert c4.is_verified
    assert not c4.applications.exists()

    c5 = application_of("candidate5")
    assert (c5.status, c5.track) == (AppStatus.SUBMITTED, Track.PRACTICE)
    assert c5.entry_institution.code == DEMO_REVIEWERS["county_jiangan"]

    phones = dict(
        Candidate.objects.filter(user__username__in=DEMO_CANDIDATES).values_list(
            "user__username", "phone"
        )
    )
    assert phones == DEMO_CANDIDATES


def test_demo_accounts_log_in(seeded: Seeded) -> None:
    usernames = [SUPERUSER_NAME, *DEMO_REVIEWERS, *DEMO_CANDIDATES]
    for username in usernames:
        assert Client().login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), (
            username
        )
    assert get_user_model().objects.get(username=SUPERUSER_NAME).is_superuser


def test_generated_candidates_log_in_with_their_phone_number(seeded: Seeded) -> None:
    candidate = Candidate.objects.exclude(user__username__in=DEMO_CANDIDATES).first()
    assert candidate.user.username == candidate.phone
    assert Client().login(request=HttpRequest(), username=candidate.phone, password=DEMO_PASSWORD)


def test_demo_info_lists_urls_accounts_and_states(seeded: Seeded) -> None:
    out = io.StringIO()
    call_command("demo_info", "--host", "192.0.2.10", "--port", "8080", stdout=out)
    text = out.getvalue()
    assert "http://192.0.2.10:8080/" in text
    assert "http://192.0.2.10:8080/admin/" in text
    for username in [SUPERUSER_NAME, *DEMO_REVIEWERS, *DEMO_CANDIDATES]:
        assert username in text
    for phone in DEMO_CANDIDATES.values():
        assert phone in text
    assert DEMO_PASSWORD in text
    c3 = Candidate.objects.get(user__username="candidate3")
    line = next(line for line in text.splitlines() if "candidate3" in line)
    assert c3.name in line
    assert "允许修改" in line
    line = next(line for line in text.splitlines() if "candidate4" in line)
    assert "尚未报名" in line


def test_seed_demo_command_prints_a_summary(seeded: Seeded) -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert f"已存在而跳过的演示考生 {TOTAL_CANDIDATES} 人" in text
    for label in AppStatus.labels:
        assert label in text


def test_fake_resident_id_is_valid_and_marked_generated() -> None:
    rng = random.Random(1)
    birth = datetime.date(1992, 5, 17)
    for male in (True, False):
        number = fake_resident_id(region="420106", birth=birth, male=male, rng=rng)
        facts = validate_id_document(IdType.RESIDENT_ID, number)
        assert (facts.birth_date, facts.gender) == (birth, "male" if male else "female")
        assert number[14] == "9"
    for _ in range(50):
        number = fake_resident_id(rng=rng)
        assert ric.calc_check_digit(number) == number[17]
        birth = validate_id_document(IdType.RESIDENT_ID, number).birth_date
        assert 1965 <= birth.year <= 2003


# --- content: health-exam materials --------------------------------------------------------

EXAM_LABELS = {"10": "研究生", "20": "本科", "30": "大专", "40": "中专"}


def _health() -> Any:
    return Application.objects.filter(project__kind=HEALTH)


def test_materials_have_images_in_the_temporary_storage(seeded: Seeded) -> None:
    counts = seeded.counts_first["materials"]
    for model in MATERIAL_MODELS:
        assert counts[model._meta.model_name] > 0, model
        for material in model.objects.all():
            assert material.image.name, material
            path = Path(material.image.path)
            assert path.is_relative_to(seeded.media)
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert seeded.files_first
    assert all(p.is_relative_to(seeded.media) for p in seeded.files_first)


def test_highest_education_follows_the_education_records(seeded: Seeded) -> None:
    with_records = 0
    for application in _health().prefetch_related("educationrecord_set"):
        records = list(application.educationrecord_set.all())
        if not records:
            assert application.highest_education == ""
            continue
        with_records += 1
        highest = min(r.level_id for r in records)  # 10 研究生 … 40 中专
        assert application.highest_education == EXAM_LABELS[highest], application.pk
        assert len(records) <= 2
    assert with_records > 0.8 * _health().count()
    assert set(EXAM_LABELS.values()) <= set(_health().values_list("highest_education", flat=True))


def test_education_records_are_consistent(seeded: Seeded) -> None:
    for record in EducationRecord.objects.all():
        assert record.enrollment_date < record.graduation_date
        assert record.duration_years in {3, 4, 5}
        assert record.graduation_date.year - record.enrollment_date.year == record.duration_years
        assert record.graduation_date.year <= 2025
        assert bool(record.certification_report_no) == (record.level_id in {"10", "20"})
        assert record.diploma_no and record.school and record.major


def test_materials_follow_level_and_specialty(seeded: Seeded) -> None:
    submitted = _health().exclude(status=Application.Status.DRAFT).select_related("specialty")
    assert submitted.exists()
    for application in submitted:
        specialty = application.specialty.name
        clinical = not any(word in specialty for word in ("护理", "药", "检验"))
        has = {
            model: model.objects.filter(application=application).exists()
            for model in MATERIAL_MODELS
        }
        assert has[EducationRecord] and has[SupplementaryInfo]
        if application.level_id == "3":
            title = TitleCertificate.objects.get(application=application)
            assert title.title_level == TitleCertificate.TitleLevel.JUNIOR
        assert has[PhysicianQualification] == has[PhysicianLicense]
        assert has[PhysicianLicense] == (application.level_id == "3" and clinical)
        assert has[NurseLicense] == ("护理" in specialty)


def test_sections_with_materials_are_complete(seeded: Seeded) -> None:
    statuses = {(s.application_id, s.code): s.status for s in Section.objects.all()}
    for model in MATERIAL_MODELS:
        for application_id in model.objects.values_list("application_id", flat=True):
            status = statuses[(application_id, model.SECTION_CODE)]
            assert status != Section.Status.INCOMPLETE, (model, application_id)
    candidate1 = Application.objects.get(candidate__user__username="candidate1")
    assert not candidate1.educationrecord_set.exists()
    assert candidate1.highest_education == ""


def test_verification_states(seeded: Seeded) -> None:
    states = seeded.counts_first["verification"]
    assert states[VerificationStatus.PENDING] > states[VerificationStatus.VERIFIED]
    assert states[VerificationStatus.VERIFIED] > states[VerificationStatus.FAILED] > 0
    for model in MATERIAL_MODELS:
        decided = model.objects.exclude(verification_status=VerificationStatus.PENDING)
        assert not decided.filter(verified_by__isnull=True).exists()
        assert not decided.filter(verified_at__isnull=True).exists()
        failed = model.objects.filter(verification_status=VerificationStatus.FAILED)
        assert not failed.filter(verification_remark="").exists()
        assert not decided.filter(
            application__status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN]
        ).exists()
    assert EducationRecord.objects.filter(verification_status=VerificationStatus.FAILED).exists()
    # Each decision went through the batch-verification service: one log row per material.
    decided = sum(
        model.objects.exclude(verification_status=VerificationStatus.PENDING).count()
        for model in MATERIAL_MODELS
    )
    assert ReviewLog.objects.filter(action__startswith="material.").count() == decided


def test_about_one_in_ten_were_covid_frontline(seeded: Seeded) -> None:
    infos = SupplementaryInfo.objects.all()
    frontline = infos.filter(covid_frontline=True).count()
    assert 0.03 * infos.count() <= frontline <= 0.2 * infos.count()


# --- content: TCM applications ------------------------------------------------------------


def _tcm() -> Any:
    return Application.objects.filter(project__kind=TCM).select_related("project")


def test_tcm_section_data_uses_the_documented_keys(seeded: Seeded) -> None:
    assert set(TCM_SECTION_FIELDS) == {
        "basic",
        "apprenticeship",
        "practice",
        "technique",
        "study",
        "expertise",
        "credentials",
        "recommendation",
    }
    optional = {"external_medicine", "proof_issuer", "records", "no_study_note"}
    for section in Section.objects.filter(application__project__kind=TCM):
        keys = {key for key, _ in TCM_SECTION_FIELDS[section.code]}
        assert set(section.data) <= keys, section.code
        if section.status != Section.Status.INCOMPLETE and section.code != "credentials":
            assert keys - optional <= set(section.data), section.code
        for list_key, item_fields in TCM_ITEM_FIELDS.items():
            for item in section.data.get(list_key, []):
                assert set(item) == {key for key, _ in item_fields}


def test_tcm_basic_and_track_sections(seeded: Seeded) -> None:
    for application in _tcm().exclude(status=Application.Status.DRAFT):
        data = {s.code: s.data for s in application.sections.all()}
        assert data["basic"]["name"] == application.candidate.name
        assert data["basic"]["work_unit"]
        track = data[application.track]
        assert track["division"] == application.entry_institution.code
        assert track["started_on"] < track["ended_on"]
        if application.track == Track.PRACTICE:
            assert track["proof_type"]
        else:
            assert isinstance(track["has_certificate"], bool)


def test_submitted_tcm_applications_have_all_case_records(seeded: Seeded) -> None:
    for application in _tcm():
        count = application.case_records.count()
        expertise = application.sections.get(code="expertise")
        if expertise.status != Section.Status.INCOMPLETE:
            assert count == application.project.case_record_count == 5, application.pk
        else:
            assert count < 5
    records = CaseRecord.objects.all()
    assert records.count() >= 5 * _tcm().exclude(status=Application.Status.DRAFT).count()
    for record in records:
        for name in ("patient_name", "address", "phone", "chief_complaint", "history"):
            assert getattr(record, name), name
        assert record.syndrome_analysis and record.diagnosis.startswith("中医诊断")
        assert record.treatment.startswith("治法") and record.analysis
        assert "{" not in record.history + record.treatment + record.analysis
    assert len(set(records.values_list("chief_complaint", flat=True))) > 20


TRACK_ATTACHMENTS = {
    True: {"master_certificate", "two_year_proof", "study_notes", "contract", "notarization"},
    False: {"five_year_proof", "study_notes", "contract", "notarization"},
}
PRACTICE_PROOF_KINDS = {
    "practice_proof",
    "patient_recommendations",
    "expertise_certificate",
    "rural_doctor_license",
}


def test_tcm_attachments_follow_the_track(seeded: Seeded) -> None:
    for application in _tcm().exclude(status=Application.Status.DRAFT):
        kinds = Counter(
            application.attachments.filter(section_code=application.track).values_list(
                "kind", flat=True
            )
        )
        if application.track == Track.APPRENTICESHIP:
            section = application.sections.get(code="apprenticeship")
            assert set(kinds) == TRACK_ATTACHMENTS[section.data["has_certificate"]]
        else:
            assert len(kinds) == 1 and set(kinds) <= PRACTICE_PROOF_KINDS
        assert application.attachments.filter(section_code="basic", kind="photo").exists()
    for attachment in Attachment.objects.all():
        content = Path(attachment.file.path).read_bytes()
        assert attachment.size == len(content) > 0
        if attachment.is_pdf:
            assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        else:
            assert attachment.is_image and content.startswith(b"\x89PNG")


def test_recommenders_follow_the_project_rules(seeded: Seeded) -> None:
    submitted = _tcm().exclude(status=Application.Status.DRAFT)
    supervisors_needed = Counter()
    for application in submitted:
        project = application.project
        roles = Counter(application.recommenders.values_list("role", flat=True))
        if application.track == Track.APPRENTICESHIP:
            expected = {
                Recommender.Role.RECOMMENDER: project.apprenticeship_recommenders,
                Recommender.Role.SUPERVISOR: project.apprenticeship_supervisors,
            }
        else:
            ended = application.sections.get(code="practice").data["ended_on"]
            needs = project.needs_supervisor([datetime.date.fromisoformat(ended)])
            supervisors_needed[needs] += 1
            expected = {Recommender.Role.RECOMMENDER: project.practice_recommenders}
            if needs:
                expected[Recommender.Role.SUPERVISOR] = 1
        assert dict(roles) == expected, application.pk
        physicians = [r.physician_id for r in application.recommenders.all()]
        assert len(set(physicians)) == len(physicians)
    assert supervisors_needed[True] and supervisors_needed[False]
    for recommender in Recommender.objects.select_related("physician"):
        assert recommender.id_number == recommender.physician.id_number
        if recommender.role == Recommender.Role.RECOMMENDER:
            assert recommender.physician.is_recommender
        else:
            assert recommender.physician.is_supervisor


def test_signed_recommenders_have_a_signature(seeded: Seeded) -> None:
    submitted = Recommender.objects.exclude(application__status=Application.Status.DRAFT)
    assert submitted.exists()
    assert not submitted.exclude(status=Recommender.Status.SIGNED).exists()
    for recommender in Recommender.objects.filter(status=Recommender.Status.SIGNED):
        assert recommender.pledge_accepted and recommender.evaluation and recommender.opinion
        assert recommender.invited_at <= recommender.confirmed_at <= recommender.signed_at
        assert recommender.invitation_nonce
        assert default_storage.exists(recommender.signature.name)
        assert Path(recommender.signature.path).read_bytes().startswith(b"\x89PNG")
    drafts = Recommender.objects.filter(application__status=Application.Status.DRAFT)
    assert drafts.filter(
        status__in=[Recommender.Status.LOOKED_UP, Recommender.Status.INVITED]
    ).exists()


def test_physician_registry(seeded: Seeded) -> None:
    physicians = Physician.objects.all()
    assert physicians.count() == PHYSICIAN_COUNT
    assert physicians.filter(is_recommender=True).count() >= 20
    assert physicians.filter(is_supervisor=True).count() >= 15
    assert set(physicians.values_list("practice_category", flat=True)) == {"中医"}
    assert set(physicians.values_list("title", flat=True)) == {"主任医师", "副主任医师", "主治医师"}
    candidate_ids = set(Candidate.objects.values_list("id_number", flat=True))
    for physician in physicians:
        validate_id_document(IdType.RESIDENT_ID, physician.id_number)
        assert physician.id_number[14] == "9"
        assert physician.id_number not in candidate_ids


# --- comparison libraries -----------------------------------------------------------------


def test_reference_records_match_candidates(seeded: Seeded) -> None:
    health_ids = set(_health().values_list("candidate__id_number", flat=True))
    records = ReferenceRecord.objects.all()
    matched = Counter()
    for library, id_number in records.values_list("library_id", "id_number"):
        if id_number in health_ids:
            matched[library] += 1
    history = set(
        records.filter(library_id="history", id_number__in=health_ids).values_list(
            "id_number", flat=True
        )
    )
    assert 0.25 * len(health_ids) <= len(history) <= 0.55 * len(health_ids)
    for library in ("qualification", "physician_registry", "nurse_registry", "graduate"):
        assert matched[library] > 0, library
    assert 0 < matched["violation"] <= 0.08 * len(health_ids)
    frontline = set(
        SupplementaryInfo.objects.filter(covid_frontline=True).values_list(
            "application__candidate__id_number", flat=True
        )
    )
    covid = set(records.filter(library_id="covid_frontline").values_list("id_number", flat=True))
    assert frontline and frontline <= covid
    others = records.exclude(id_number__in=health_ids).exclude(
        id_number__in=Physician.objects.values("id_number")
    )
    assert others.count() >= REFERENCE_NOISE


def test_unit_a_sees_a_violation_among_its_pending_candidates(seeded: Seeded) -> None:
    pending = Application.objects.filter(
        unit__code=DEMO_REVIEWERS["unit_a"], current_tier=Tier.UNIT, unit_review_status=S.PENDING
    )
    violations = ReferenceRecord.objects.filter(
        library_id="violation", id_number__in=pending.values("candidate__id_number")
    )
    assert violations.exists()
    assert all(re.match(r"20\d\d年度考试违纪人员", v.detail) for v in violations)


def test_registry_matches_agree_with_the_materials(seeded: Seeded) -> None:
    licenses = {
        (lic.application.candidate.id_number, lic.certificate_no)
        for lic in PhysicianLicense.objects.select_related("application__candidate")
    }
    records = ReferenceRecord.objects.filter(
        library_id="physician_registry",
        id_number__in=[number for number, _ in licenses],
    )
    assert records.exists()
    for record in records:
        assert (record.id_number, record.extra["certificate_no"]) in licenses


# --- generated files ----------------------------------------------------------------------


def test_generated_pdf_is_well_formed() -> None:
    content = demo_media.document_pdf("tcm", 1, 3)
    assert content.count(b"/Type /Page ") == 3
    start = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert content[start:].startswith(b"xref\n")
    table = content[start:].split(b"\n")
    count = int(table[1].split()[1])
    for number in range(1, count):
        offset = int(table[2 + number].split()[0])
        assert content[offset:].startswith(f"{number} 0 obj".encode())


def test_generated_images_are_deterministic() -> None:
    assert demo_media.signature_png("a") == demo_media.signature_png("a")
    assert demo_media.signature_png("a") != demo_media.signature_png("b")
    assert demo_media.certificate_png("education", 0).startswith(b"\x89PNG")
