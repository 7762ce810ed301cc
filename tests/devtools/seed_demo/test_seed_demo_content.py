"""`seed_demo`'s content: health-exam materials, TCM sections and attachments, the comparison
libraries, and the generated files."""

import datetime
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from core.models import AuditLogEntry
from devtools.demo import media as demo_media
from devtools.demo.registry import PHYSICIAN_COUNT, REFERENCE_NOISE
from devtools.demo.tree import DEMO_REVIEWERS
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    CaseRecord,
    EducationRecord,
    ExamKind,
    NurseLicense,
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
from exam.sections import TCM_ITEM_FIELDS, TCM_SECTION_FIELDS
from people.models import Candidate, IdType, Physician
from people.models.candidates import validate_id_document
from people.tiers import Tier
from review.models import ReferenceRecord
from tests.devtools.seed_demo.seeded import Seeded

# The mark also makes pytest-django create the test database for this module.
pytestmark = pytest.mark.django_db

S = ReviewStatus


HEALTH, TCM = ExamKind.HEALTH_QUALIFICATION, ExamKind.TCM_EXPERTISE


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
    assert AuditLogEntry.objects.filter(action__startswith="material.").count() == decided


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
