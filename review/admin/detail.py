"""The review detail page's data (seed 003 §2.3): 基础信息, 对比库信息, 证明材料, 审核进度.

Reads only; the page's forms post to the admin's decision views, which call services.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from core.audit import log_action_label
from core.models import AuditLogEntry
from exam import sections as exam_sections
from exam.eligibility.outcomes import Outcome, RuleResult
from exam.models import (
    MATERIAL_MODELS,
    Application,
    Attachment,
    EligibilityResult,
    ExamKind,
    Recommender,
    Section,
    SupplementaryInfo,
    TierReview,
)
from exam.models.applications import ReviewStatus
from exam.section_display import material_fields, section_fields
from people.access import own_institution
from people.tiers import TIER_ORDER, Tier
from review import workflow
from review.admin.image_viewer import detail_viewer_context
from review.admin.sequence import sequence_nav
from review.duplicates import duplicate_flags
from review.eligibility import LOG_ELIGIBILITY_OVERRIDDEN, eligibility_override_refusal
from review.models import ReferenceLibrary
from review.selectors import reference_matches, review_log_for
from review.snapshots import application_changes


@dataclass
class FileLink:
    label: str
    url: str
    is_image: bool
    is_pdf: bool
    name: str = ""  # the stored name: its saved rotation (review.admin.image_viewer)
    rotation: int = 0
    rotate_url: str = ""


@dataclass
class MaterialCard:
    label: str
    fields: list[tuple[str, Any]]
    file: FileLink | None
    verification: str
    verification_code: str
    verification_remark: str


@dataclass
class SectionBlock:
    code: str
    label: str
    status: str
    status_label: str
    fields: list[tuple[str, Any]] = field(default_factory=list)
    files: list[FileLink] = field(default_factory=list)
    materials: list[MaterialCard] = field(default_factory=list)


def _file_url(application: Application, kind: str, obj_id: int) -> str:
    return reverse("admin:review_reviewapplication_file", args=[application.pk, kind, obj_id])


def _guess_type(name: str) -> tuple[bool, bool]:
    lower = name.lower()
    return lower.endswith((".png", ".jpg", ".jpeg", ".gif", ".webp")), lower.endswith(".pdf")


def _file_link(
    application: Application, kind: str, obj_id: int, file: FieldFile, label: str
) -> FileLink | None:
    if not file:
        return None
    is_image, is_pdf = _guess_type(file.name)
    return FileLink(
        label=label,
        url=_file_url(application, kind, obj_id),
        is_image=is_image,
        is_pdf=is_pdf,
        name=file.name,
    )


def _material_cards(application: Application) -> dict[str, list[MaterialCard]]:
    """Materials per section code: one query per material type (six), not per row."""
    cards: dict[str, list[MaterialCard]] = {}
    for model in MATERIAL_MODELS:
        rows = model.objects.filter(application=application)
        if model._meta.model_name == "educationrecord":
            rows = rows.select_related("level")
        for row in rows:
            cards.setdefault(model.SECTION_CODE, []).append(
                MaterialCard(
                    label=model.LABEL,
                    fields=material_fields(row, empty=""),
                    file=_file_link(
                        application, model._meta.model_name, row.pk, row.image, model.LABEL
                    ),
                    verification=row.get_verification_status_display(),
                    verification_code=row.verification_status,
                    verification_remark=row.verification_remark,
                )
            )
    return cards


def _sections(application: Application, all_sections: list[Section]) -> list[SectionBlock]:
    kind = application.project.kind
    materials = _material_cards(application) if kind == ExamKind.HEALTH_QUALIFICATION else {}
    attachments: dict[str, list[FileLink]] = {}
    for attachment in Attachment.objects.filter(application=application).select_related(
        "recommender"
    ):
        label = attachment.label
        if attachment.recommender_id:  # 推荐信息: whose certificate it is
            label = f"{attachment.recommender.name}：{label}"
        attachments.setdefault(attachment.section_code, []).append(
            FileLink(
                label=label,
                url=_file_url(application, "attachment", attachment.pk),
                is_image=attachment.is_image,
                is_pdf=attachment.is_pdf,
                name=attachment.file.name,
            )
        )
    blocks = []
    by_code = {s.code: s for s in all_sections}
    for definition in exam_sections.sections_for(kind, application.track):
        section = by_code.get(definition.code)
        if section is None or (kind == ExamKind.HEALTH_QUALIFICATION and section.code == "basic"):
            continue  # the health exam's 基础信息 is the 基础信息 tab
        blocks.append(
            SectionBlock(
                code=section.code,
                label=definition.label,
                status=section.status,
                status_label=workflow.SECTION_STATUS_LABELS[section.status],
                fields=section_fields(kind, section.code, section.data, empty="")
                if kind == ExamKind.TCM_EXPERTISE
                else [],
                files=attachments.get(section.code, []),
                materials=materials.get(section.code, []),
            )
        )
    return blocks


def _lockable_sections(application: Application, all_sections: list[Section]) -> list[SectionBlock]:
    """Every section a reviewer may lock with 允许修改: filled in (or already locked)."""
    kind = application.project.kind
    lockable = {Section.Status.COMPLETE, Section.Status.LOCKED}
    by_code = {s.code: s for s in all_sections if s.status in lockable}
    return [
        SectionBlock(
            code=d.code,
            label=d.label,
            status=by_code[d.code].status,
            status_label=workflow.SECTION_STATUS_LABELS[by_code[d.code].status],
        )
        for d in exam_sections.sections_for(kind, application.track)
        if d.code in by_code
    ]


def _tier_reviews(application: Application) -> dict[str, TierReview]:
    """Every tier's review, with its institution and reviewer: the chain and the current
    review (its institution is the permission check's object) from one query."""
    reviews = TierReview.objects.filter(application=application).select_related(
        "institution", "decided_by"
    )
    return {r.tier: r for r in reviews}


def _chain(application: Application, reviews: dict[str, TierReview]) -> list[dict[str, Any]]:
    chain = []
    for tier in reversed(TIER_ORDER):  # 省级 first, as the list's columns
        if not application.chain_institution_id(tier):
            continue
        review = reviews.get(tier)
        chain.append(
            {
                "tier": Tier(tier).label,
                "status": review.get_status_display() if review else "未到达",
                "status_code": review.status if review else "",
                "institution": review.institution.name if review else "",
                "remark": review.remark if review else "",
                "decided_at": review.decided_at if review else None,
                "decided_by": review.decided_by if review else None,
                "is_current": tier == application.current_tier,
            }
        )
    return chain


def _recommenders(application: Application) -> list[dict[str, Any]]:
    result = []
    for rec in Recommender.objects.filter(application=application).select_related("physician"):
        result.append(
            {
                "obj": rec,
                "signature": _file_link(application, "signature", rec.pk, rec.signature, "签名"),
            }
        )
    return result


@dataclass
class EligibilityBlock:
    """报考条件 on 基础信息: what counts, each rule's result and, once a reviewer overrode the
    engine, who did it and what the engine says."""

    result: EligibilityResult
    rules: list[RuleResult]
    override_line: str  # "人工认定：符合（王五，单位·某医院，2026-12-04 10:00）", or ""
    form_refusal: str | None  # None: this viewer is offered the override form


def _override_line(result: EligibilityResult, logs: list[AuditLogEntry]) -> str:
    """Where the override was made comes from its log row (the page has the log already):
    the reviewer's institution and tier at the time, which the result does not keep."""
    if not result.override_outcome:
        return ""
    entry = next((e for e in logs if e.action == LOG_ELIGIBILITY_OVERRIDDEN), None)
    who = result.overridden_by
    parts = [(who.get_full_name() or who.username) if who is not None else "账号已删除"]
    if entry is not None and getattr(entry, "institution_name", None):
        tier = Tier(entry.tier).label if entry.tier in Tier.values else ""
        parts.append(f"{tier}·{entry.institution_name}" if tier else entry.institution_name)
    if result.overridden_at is not None:
        parts.append(timezone.localtime(result.overridden_at).strftime("%Y-%m-%d %H:%M"))
    return f"人工认定：{Outcome(result.override_outcome).label}（{'，'.join(parts)}）"


def _eligibility(
    request: HttpRequest, application: Application, logs: list[AuditLogEntry]
) -> EligibilityBlock | None:
    """None when the engine has not judged the application yet (the page says so)."""
    try:
        result = application.eligibility  # loaded with the application (DETAIL_RELATED)
    except EligibilityResult.DoesNotExist:
        return None
    return EligibilityBlock(
        result=result,
        rules=[RuleResult.from_dict(item) for item in result.results],
        override_line=_override_line(result, logs),
        form_refusal=eligibility_override_refusal(user=request.user, application=application),
    )


# What the page reads of the application; the admin fetches it with these in the one
# scoped query (review.selectors.application_list), so build_context does not fetch again.
DETAIL_RELATED = (
    "candidate__ethnicity",
    "candidate__political_status",
    "project",
    "level",
    "specialty",
    "entry_institution",
    "current_institution",
    "eligibility__overridden_by",  # 报考条件 (none yet: nothing joined, no query)
)


def build_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    """`application` comes with DETAIL_RELATED loaded (ReviewApplicationAdmin.change_view)."""
    candidate = application.candidate
    reviews = _tier_reviews(application)
    current = reviews.get(application.current_tier)
    all_sections = list(Section.objects.filter(application=application))
    user = request.user
    mine = own_institution(request)
    # 本级 is the viewer's own tier on this chain (e.g. 已上报 at the county), which is not
    # the current tier once the application has been reported up.
    own = reviews.get(mine.tier) if mine is not None else None
    own_review = own if own is not None and own.institution_id == mine.pk else None
    # The review this viewer would decide: its own tier's; the superuser's is the current one.
    deciding = own_review if mine is not None else current
    decisions = workflow.available_decisions(
        user=user, application=application, tier_review=deciding
    )
    refusals = [reason for _, reason in decisions if reason]
    can_reopen = (
        deciding is not None
        and deciding == current
        and application.status == Application.Status.IN_REVIEW
        and current.status == ReviewStatus.APPROVED
        and workflow.may_review(user, current.institution_id)
    )
    matches = reference_matches(id_numbers=[candidate.id_number]).get(candidate.id_number, [])
    libraries = [
        {"library": lib, "records": [r for r in matches if r.library_id == lib.pk]}
        for lib in ReferenceLibrary.objects.all()
    ]
    is_tcm = application.project.kind == ExamKind.TCM_EXPERTISE
    # 抗疫一线: listed in the comparison library, or the candidate's 补充信息 says so.
    covid = any(r.library_id == "covid_frontline" for r in matches) or (
        application.project.kind == ExamKind.HEALTH_QUALIFICATION
        and SupplementaryInfo.objects.filter(application=application, covid_frontline=True).exists()
    )
    sections = _sections(application, all_sections)
    logs = list(review_log_for(application=application))
    for log in logs:
        log.label = log_action_label(log.action)  # type: ignore[attr-defined]
    basic_section = next((s for s in all_sections if s.code == "basic"), None)
    # A TCM 基本信息 saved before its 民族/政治面貌 were also written to the candidate has
    # them only in the section's data.
    typed = basic_section.data if is_tcm and basic_section else {}
    context = {
        "application": application,
        "candidate": candidate,
        "photo": _file_link(
            application, "candidate-photo", candidate.pk, candidate.photo, "证件照"
        ),
        "chain": _chain(application, reviews),
        "current_review": current,
        "own_review": own_review,
        "current_tier_label": Tier(application.current_tier).label,
        "can_decide": len(refusals) < len(decisions),
        "can_reopen": can_reopen,
        # 现场确认 is what stands between this reviewer and 审核通过.
        "needs_onsite": workflow.ONSITE_CONFIRMATION.reason in refusals,
        "decisions": decisions,
        "refusal": refusals[0] if refusals else "",
        "remark_required_js": json.dumps(
            [d.code for d in workflow.DECISIONS.values() if d.remark_required]
        ),
        "sections": sections,
        "basic_section": basic_section,
        "ethnicity": candidate.ethnicity or typed.get("ethnicity") or "",
        "political_status": candidate.political_status or typed.get("political_status") or "",
        "lockable_sections": _lockable_sections(application, all_sections),
        "libraries": libraries,
        "covid_frontline": covid,
        "is_tcm": is_tcm,
        "case_records": application.case_records.all() if is_tcm else [],
        "recommenders": _recommenders(application) if is_tcm else [],
        "logs": logs,
        "eligibility": _eligibility(request, application, logs),
        "eligibility_choices": Outcome.choices,
        "changes": application_changes(application=application),  # 修改内容 (None: no return)
        "sequence": sequence_nav(request, application),  # 上一条 / 下一条, 第 N / M 条
        "duplicates": duplicate_flags(user=user, application=application),
    }
    context["image_viewer"] = detail_viewer_context(context)
    return context
