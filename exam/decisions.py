"""The four review decisions as data (审核通过, 暂不审核, 允许修改, 审核不通过): the tier review
states each may be made from, the state it leads to, whether it needs a remark, whether it is
final and its log code. TierReview's FSM transitions (exam/models/reviews.py) are built from
this table; review/workflow.py adds who may make which decision now.
"""

from __future__ import annotations

from dataclasses import dataclass

from exam.models.applications import ReviewStatus

RS = ReviewStatus


@dataclass(frozen=True)
class Decision:
    code: str
    label: str
    tier_transition: str  # method name on TierReview; its FSM decorator reads the two below
    sources: tuple[str, ...]  # the tier review states it may be made from
    target: str  # the tier review state it leads to
    remark_required: bool
    final: bool  # nobody can review the application again
    log_action: str


_OPEN = (RS.PENDING, RS.DEFERRED)

DECISIONS: dict[str, Decision] = {
    d.code: d
    for d in (
        Decision(
            "approve", "审核通过", "approve", _OPEN, RS.APPROVED, False, False, "review.approved"
        ),
        Decision(
            "defer",
            "暂不审核",
            "defer",
            (RS.PENDING,),
            RS.DEFERRED,
            False,
            False,
            "review.deferred",
        ),
        Decision(
            "return",
            "允许修改",
            "return_for_changes",
            _OPEN,
            RS.RETURNED,
            True,
            False,
            "review.returned",
        ),
        Decision(
            "reject", "审核不通过", "reject", _OPEN, RS.REJECTED, True, True, "review.rejected"
        ),
    )
}
