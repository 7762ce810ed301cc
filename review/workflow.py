"""The review chain's rules as data: decisions, what they do to the application, log codes.

Services read these tables; views and admin screens read them for labels and choices.
No other module spells out which decision leads where: `available_decisions` (at the end)
is the one answer to "which decisions may this user make on this application now, and why
not the others", for the decision service, the 审核结果 import and the detail page alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from exam.decisions import DECISIONS, Decision
from exam.eligibility.outcomes import Outcome
from exam.models import ExamKind, PaymentStatus, Recommender, Section, VerificationStatus
from exam.models.applications import Application, ReviewStatus
from people.permissions import Perm, institutions_with_perm
from people.tiers import Tier

if TYPE_CHECKING:
    from exam.models import TierReview

AppStatus = Application.Status
RS = ReviewStatus


# The decisions themselves are exam/decisions.py (the TierReview model's transitions read
# them); this module holds what depends on the user and the application.

# Application states in which a tier may decide (the entry tier sees drafts but cannot decide).
DECIDABLE_APPLICATION_STATES = {AppStatus.SUBMITTED, AppStatus.IN_REVIEW}

# Why an application in another state cannot be decided, in words for the reviewer.
NOT_DECIDABLE_REASONS: dict[str, str] = {
    AppStatus.DRAFT: "考生尚未提交，不能审核。",
    AppStatus.WITHDRAWN: "考生已撤回申报，不能审核。",
    AppStatus.RETURNED: "已退回考生修改，待考生重新提交后才能审核。",
    AppStatus.REJECTED: "该申报已审核不通过，不能再审核。",
    AppStatus.APPROVED: "该申报已终审通过，不能再审核。",
}


def application_transition_for(decision: Decision, application: Application, tier: str) -> str:
    """Which Application transition a tier decision implies ('' for none)."""
    if decision.code == "reject":
        return "reject"
    if decision.code == "return":
        return "return_for_changes"
    if decision.code == "approve" and tier == application.top_tier():
        return "approve"
    if application.status == AppStatus.SUBMITTED:
        return "start_review"
    return ""


# The review chain's audit codes besides the decisions' own (`Decision.log_action`); the
# other apps' codes are in their audit_actions modules. Registered by ReviewConfig.ready.
LOG_REVIEW_REOPENED = "review.reopened"
LOG_REVIEW_REPORTED = "review.reported"
LOG_SECTION_LOCKED = "section.locked"
LOG_SECTION_UNLOCKED = "section.unlocked"
LOG_MATERIAL_VERIFIED = "material.verified"
LOG_MATERIAL_FAILED = "material.failed"

# Labels for the 审核进度 timeline.
LOG_LABELS: dict[str, str] = {
    LOG_REVIEW_REOPENED: "撤销审核通过",
    LOG_REVIEW_REPORTED: "材料上报",
    LOG_SECTION_LOCKED: "锁定分项",
    LOG_SECTION_UNLOCKED: "解锁分项",
    LOG_MATERIAL_VERIFIED: "材料核验通过",
    LOG_MATERIAL_FAILED: "材料核验不通过",
    **{d.log_action: d.label for d in DECISIONS.values()},
}

REVIEW_STATUS_LABELS = dict(ReviewStatus.choices)

# What a reviewer calls a section's state (the model's labels are the candidate's buttons).
SECTION_STATUS_LABELS: dict[str, str] = {
    Section.Status.INCOMPLETE: "未完善",
    Section.Status.COMPLETE: "已填写",
    Section.Status.LOCKED: "已锁定",
}

# Badge colours: one map per status enum, keyed by code; every screen reads these. The
# values are unfold's label variants (info, primary, success, warning, danger; anything else
# is grey), the admin's `rv-badge--<colour>` classes (review/static/review/admin.css) and the
# dashboard's figures (review/admin/dashboard.py); templates read them with the `colour` filter
# (review/templatetags/review_badges.py).
APPLICATION_STATUS_COLOURS: dict[str, str] = {
    AppStatus.DRAFT: "info",
    AppStatus.SUBMITTED: "primary",
    AppStatus.WITHDRAWN: "info",
    AppStatus.IN_REVIEW: "warning",
    AppStatus.RETURNED: "warning",
    AppStatus.REJECTED: "danger",
    AppStatus.APPROVED: "success",
}
REVIEW_STATUS_COLOURS: dict[str, str] = {
    RS.PENDING: "info",
    RS.APPROVED: "success",
    RS.DEFERRED: "warning",
    RS.RETURNED: "warning",
    RS.REJECTED: "danger",
    RS.REPORTED: "success",
}
PAYMENT_STATUS_COLOURS: dict[str, str] = {
    PaymentStatus.UNPAID: "warning",
    PaymentStatus.PAID: "success",
    PaymentStatus.REFUNDED: "info",
}
VERIFICATION_STATUS_COLOURS: dict[str, str] = {
    VerificationStatus.PENDING: "info",
    VerificationStatus.VERIFIED: "success",
    VerificationStatus.FAILED: "danger",
}
SECTION_STATUS_COLOURS: dict[str, str] = {
    Section.Status.INCOMPLETE: "muted",
    Section.Status.COMPLETE: "info",
    Section.Status.LOCKED: "success",
}
RECOMMENDER_STATUS_COLOURS: dict[str, str] = {
    Recommender.Status.LOOKED_UP: "warning",
    Recommender.Status.INVITED: "warning",
    Recommender.Status.CONFIRMED: "warning",
    Recommender.Status.SIGNED: "success",
}
# 报考条件 (the list's column, the detail page's block and each rule's result).
ELIGIBILITY_COLOURS: dict[str, str] = {
    Outcome.ELIGIBLE: "success",
    Outcome.INELIGIBLE: "danger",
    Outcome.MANUAL: "warning",
}

# What the 原状态 / 新状态 codes of the review chain's rows mean, by prefix (material.* rows
# read with exam's rule: the same verification statuses).
LOG_STATE_LABELS: dict[str, dict[str, str]] = {
    "review.": REVIEW_STATUS_LABELS,
    "section.": dict(Section.Status.choices),
}


@dataclass(frozen=True)
class VerificationOutcome:
    """One choice of 批量核验: the material transition it runs and its log code."""

    code: str  # the target VerificationStatus
    label: str
    transition: str  # method name on Material
    remark_required: bool
    log_action: str


VERIFICATION_OUTCOMES: dict[str, VerificationOutcome] = {
    o.code: o
    for o in (
        VerificationOutcome("verified", "核验通过", "verify", False, LOG_MATERIAL_VERIFIED),
        VerificationOutcome("failed", "核验不通过", "fail", True, LOG_MATERIAL_FAILED),
    )
}
VERIFICATION_OUTCOME_CHOICES: list[tuple[str, str]] = [
    (o.code, o.label) for o in VERIFICATION_OUTCOMES.values()
]


# --- Which decisions are possible now ---------------------------------------------------------


@dataclass(frozen=True)
class Precondition:
    """What must have happened before `decision` at `tier` on an application of `exam_kind`."""

    decision: str
    exam_kind: str
    tier: str
    done_field: str  # the Application field that is set once it has happened
    reason: str

    def blocks(self, application: Application, tier: str) -> bool:
        return (
            application.project.kind == self.exam_kind
            and tier == self.tier
            and getattr(application, self.done_field) is None
        )


ONSITE_CONFIRMATION = Precondition(
    decision="approve",
    exam_kind=ExamKind.TCM_EXPERTISE,
    tier=Tier.COUNTY,
    done_field="onsite_confirmed_at",
    reason="中医医术确有专长申报须先由区县卫健局完成现场确认，才能审核通过。",
)
PRECONDITIONS: tuple[Precondition, ...] = (ONSITE_CONFIRMATION,)


def remark_refusal(decision: Decision, remark: str) -> str | None:
    """A decision that must say why (允许修改, 审核不通过) is refused without a remark."""
    if decision.remark_required and not remark.strip():
        return f"选择“{decision.label}”时必须填写审核备注。"
    return None


def may_review(user: AbstractBaseUser | AnonymousUser, institution_id: int) -> bool:
    """The user holds 审核 on the institution (one EXISTS; the superuser always)."""
    return institutions_with_perm(user, Perm.REVIEW).filter(pk=institution_id).exists()


def _refusal_for_all(
    user: AbstractBaseUser | AnonymousUser,
    application: Application,
    tier_review: TierReview | None,
) -> str | None:
    """Why no decision at all is possible (None: each decision is judged on its own)."""
    if tier_review is not None and not may_review(user, tier_review.institution_id):
        return f"您没有“{tier_review.institution.name}”的{Perm.REVIEW.label}权限。"
    if application.status not in DECIDABLE_APPLICATION_STATES:
        return NOT_DECIDABLE_REASONS[application.status]
    if tier_review is None or tier_review.tier != application.current_tier:
        where = application.current_institution.name
        if tier_review is not None and tier_review.status == RS.REPORTED:
            return f"本级已上报，该申报当前在{where}审核。"
        return f"该申报当前在{where}审核，不在本级。"
    return None


def _refusal_for(
    decision: Decision, application: Application, tier_review: TierReview
) -> str | None:
    for precondition in PRECONDITIONS:
        if precondition.decision == decision.code and precondition.blocks(
            application, tier_review.tier
        ):
            return precondition.reason
    if tier_review.status not in decision.sources:
        current = REVIEW_STATUS_LABELS[tier_review.status]
        return f"当前审核状态为“{current}”，不能改为“{decision.label}”。"
    return None


def available_decisions(
    *,
    user: AbstractBaseUser | AnonymousUser,
    application: Application,
    tier_review: TierReview | None,
) -> list[tuple[Decision, str | None]]:
    """Every decision with None when `user` may make it now on `tier_review` (the review of
    `application` at the tier that would decide; None: that tier has none), else the reason
    in the reviewer's words. Checked in this order: 审核 permission on the tier's institution,
    the application's state, the application being at that tier, the preconditions
    (现场确认), the tier review's state. The remark rule (`remark_refusal`) is checked when a
    remark is given."""
    common = _refusal_for_all(user, application, tier_review)
    if common is not None or tier_review is None:  # (no tier review always has a reason)
        return [(d, common) for d in DECISIONS.values()]
    return [(d, _refusal_for(d, application, tier_review)) for d in DECISIONS.values()]


def decision_refusal(
    *,
    user: AbstractBaseUser | AnonymousUser,
    application: Application,
    tier_review: TierReview | None,
    decision: Decision,
) -> str | None:
    """Why `decision` is not possible now (None: it is): `available_decisions` for one."""
    available = available_decisions(user=user, application=application, tier_review=tier_review)
    return next(reason for d, reason in available if d.code == decision.code)
