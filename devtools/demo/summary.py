"""Reading the demo data back: counts by state and tier, the summary `seed_demo` prints,
and the one-line descriptions `demo_info` shows."""

from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model

from core.models import AuditLogEntry
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    CaseRecord,
    ExamProject,
    PaymentStatus,
    Recommender,
    Section,
    TierReview,
    VerificationStatus,
)
from exam.models.applications import ReviewStatus
from people.models import Candidate, Institution, Physician
from people.tiers import TIER_ORDER, Tier
from review.models import ReferenceLibrary, ReferenceRecord

User = get_user_model()


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
        "review_logs": AuditLogEntry.objects.count(),
        "institutions": Institution.objects.count(),
        "projects": ExamProject.objects.count(),
        "status": Counter(Application.objects.values_list("status", flat=True)),
        "current_tier": Counter(Application.objects.values_list("current_tier", flat=True)),
        "payment": Counter(Application.objects.values_list("payment_status", flat=True)),
        "tier_status": tier_status,
        "materials": {m._meta.model_name: m.objects.count() for m in MATERIAL_MODELS},
        "verification": sum(
            (
                Counter(m.objects.values_list("verification_status", flat=True))
                for m in MATERIAL_MODELS
            ),
            Counter(),
        ),
        "highest_education": Counter(
            Application.objects.exclude(highest_education="").values_list(
                "highest_education", flat=True
            )
        ),
        "case_records": CaseRecord.objects.count(),
        "attachments": Attachment.objects.count(),
        "recommenders": Counter(Recommender.objects.values_list("status", flat=True)),
        "physicians": Physician.objects.count(),
        "reference_records": Counter(ReferenceRecord.objects.values_list("library_id", flat=True)),
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
    materials = "，".join(
        f"{m._meta.verbose_name} {counts['materials'][m._meta.model_name]}" for m in MATERIAL_MODELS
    )
    lines.append(f"证明材料：{materials}")
    verification = "，".join(
        f"{label} {counts['verification'].get(value, 0)}"
        for value, label in VerificationStatus.choices
    )
    lines.append(f"  核验：{verification}")
    recommenders = "，".join(
        f"{label} {counts['recommenders'].get(value, 0)}"
        for value, label in Recommender.Status.choices
    )
    lines.append(
        f"中医申报：医案 {counts['case_records']} 份，附件 {counts['attachments']} 个；"
        f"推荐医师/指导老师：{recommenders}"
    )
    libraries = "，".join(
        f"{library.name} {counts['reference_records'].get(library.code, 0)}"
        for library in ReferenceLibrary.objects.all()
    )
    lines.append(f"医师库 {counts['physicians']} 人；对比库记录：{libraries}")
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
