"""Completeness of the TCM-expertise sections (seed 000 §4.3).

Each rule reads Section.data as the pages store it (exam.sections.TCM_SECTION_FIELDS) and the
rows the section owns: its Attachment rows (one per file; 患者推荐证明 counts PDF pages as
pieces), the case records, the teachers. The pages check formats and dates before saving;
these rules say what must be there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from exam.models import Application, Attachment, CaseRecord, StagedUpload
from exam.recommender_services import section_problems
from exam.tcm_lists import (
    CASE_FIELDS,
    CONTRACT,
    DIPLOMA,
    DISEASE_CATEGORIES,
    EXPERTISE_CERTIFICATE,
    EXPERTISE_PROOF,
    EXTERNAL,
    FIVE_YEAR_PROOF,
    MASTER_CERTIFICATE,
    NOTARIZATION,
    OTHER_PROOF,
    PATIENT_RECOMMENDATIONS,
    PHOTO,
    PRACTICE_PROOF,
    PRACTICE_PROOFS,
    PROOF_CERTIFICATE,
    PROOF_FIVE_YEARS,
    PROOF_PATIENTS,
    RURAL_DOCTOR_LICENSE,
    STUDY_NOTES,
    TITLE_CERTIFICATE,
    TWO_YEAR_PROOF,
    Slot,
)
from people.uploaded_files import CONTENT_TYPES, PDF, pdf_page_count

PDF_TYPE = CONTENT_TYPES[PDF]
Rule = Callable[[Application, dict[str, Any]], bool]


def _filled(data: dict[str, Any], *keys: str) -> bool:
    return all(data.get(key) not in (None, "") for key in keys)


def _pages(handle: Any) -> int:
    handle.seek(0)
    try:
        return pdf_page_count(handle)
    finally:
        handle.seek(0)


def pieces_of(value: Any) -> int:
    """Pieces in a saved Attachment, a staged upload or a new (already checked) upload: an
    image is one, a PDF as many as its pages (ten recommendations scanned into one PDF)."""
    if isinstance(value, UploadedFile):
        if getattr(value, "detected_content_type", "") != PDF_TYPE:
            return 1
        return _pages(value)
    if isinstance(value, Attachment | StagedUpload):
        if value.content_type != PDF_TYPE:
            return 1
        with value.file.open("rb") as handle:
            return _pages(handle)
    return 0


def _files(application: Application, code: str) -> dict[str, list[Attachment]]:
    found: dict[str, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(
        application=application, section_code=code, recommender__isnull=True
    ).order_by("id"):
        found.setdefault(attachment.kind, []).append(attachment)
    return found


def _holds(files: dict[str, list[Attachment]], slot: Slot) -> bool:
    kept = files.get(slot.kind, [])
    if not kept:
        return False
    return not slot.pieces or sum(pieces_of(a) for a in kept) >= slot.pieces


PLACE_KEYS = ("division", "address", "place_name", "started_on", "experience")


def basic_complete(application: Application, data: dict[str, Any]) -> bool:
    keys = (
        "ethnicity",
        "political_status",
        "health_status",
        "occupation",
        "work_unit",  # "无" when the candidate has none
        "home_address",
        "mailing_address",
        "postal_code",
        "household_registration",
    )
    return _filled(data, *keys) and _holds(_files(application, "basic"), PHOTO)


def apprenticeship_complete(application: Application, data: dict[str, Any]) -> bool:
    has = data.get("has_certificate")
    if not _filled(data, *PLACE_KEYS, "ended_on") or not isinstance(has, bool):
        return False
    slots = (MASTER_CERTIFICATE, TWO_YEAR_PROOF) if has else (FIVE_YEAR_PROOF,)
    files = _files(application, "apprenticeship")
    return all(_holds(files, s) for s in (*slots, STUDY_NOTES, CONTRACT, NOTARIZATION))


def practice_complete(application: Application, data: dict[str, Any]) -> bool:
    proof = data.get("proof_type")
    if not _filled(data, *PLACE_KEYS, "origin") or proof not in PRACTICE_PROOFS:
        return False
    files = _files(application, "practice")
    if proof == PROOF_FIVE_YEARS:
        return _filled(data, "proof_issuer") and _holds(files, PRACTICE_PROOF)
    if proof == PROOF_PATIENTS:
        return _holds(files, PATIENT_RECOMMENDATIONS)
    return proof == PROOF_CERTIFICATE and (
        _holds(files, EXPERTISE_CERTIFICATE) or _holds(files, RURAL_DOCTOR_LICENSE)
    )


def technique_complete(application: Application, data: dict[str, Any]) -> bool:
    if not _filled(data, "method", "technique", "patients_served"):
        return False
    if data.get("disease_category") not in DISEASE_CATEGORIES:
        return False
    return EXTERNAL not in data["method"] or _filled(data, "external_medicine")


def study_complete(application: Application, data: dict[str, Any]) -> bool:
    has = data.get("has_study")
    if has is False:
        return _filled(data, "no_study_note")
    if has is not True:
        return False
    records = [r for r in data.get("records") or [] if isinstance(r, dict)]
    # Records and their 学历证书 pair up in order: each record needs its own.
    diplomas = _files(application, "study").get(DIPLOMA.kind, [])
    return bool(records) and len(diplomas) >= len(records)


def case_record_complete(record: CaseRecord) -> bool:
    return all(getattr(record, f) not in (None, "") for f in CASE_FIELDS)


EXPERTISE_KEYS = ("content", "indications", "safety", "effectiveness", "risks")


def expertise_complete(application: Application, data: dict[str, Any]) -> bool:
    """The overview (texts and proof) and every one of the project's N case records."""
    if not _filled(data, *EXPERTISE_KEYS):
        return False
    if not _holds(_files(application, "expertise"), EXPERTISE_PROOF):
        return False
    needed = application.project.case_record_count
    records = {
        r.number: r for r in application.case_records.filter(number__gte=1, number__lte=needed)
    }
    return all(n in records and case_record_complete(records[n]) for n in range(1, needed + 1))


def credentials_complete(application: Application, data: dict[str, Any]) -> bool:
    """Optional: an uploaded certificate needs its 发证时间 and 发证机构; without the file,
    nothing of it may be typed."""
    files = _files(application, "credentials")
    for slot, name in ((TITLE_CERTIFICATE, "title_certificate"), (OTHER_PROOF, "other_proof")):
        prefix = name.split("_")[0]
        dated = (f"{prefix}_issued_on", f"{prefix}_issuer")
        if files.get(slot.kind):
            if not _filled(data, *dated):
                return False
        elif any(data.get(k) not in (None, "") for k in (name, *dated)):
            return False
    return True


def recommendation_complete(application: Application, data: dict[str, Any]) -> bool:
    teachers = list(application.recommenders.all())
    return not section_problems(application, teachers)


RULES: dict[str, Rule] = {
    "basic": basic_complete,
    "apprenticeship": apprenticeship_complete,
    "practice": practice_complete,
    "technique": technique_complete,
    "study": study_complete,
    "expertise": expertise_complete,
    "credentials": credentials_complete,
    "recommendation": recommendation_complete,
}
