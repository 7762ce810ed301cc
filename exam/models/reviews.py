"""Per-tier review state: one institution's review of one application (层级审核).

It lives with the application: the candidate's services create and reopen it (binding,
resubmission, a changed entry institution) and the reviewers' services decide on it. Its
transitions are the decision table's (exam/decisions.py). The table keeps its
first name, review_tierreview.
"""

from django.conf import settings
from django.db import models
from django_fsm import FSMField, transition

from exam.decisions import DECISIONS
from exam.models.applications import ReviewStatus
from people.fsm import FSMModel
from people.tiers import Tier

S = ReviewStatus
_APPROVE, _DEFER, _RETURN, _REJECT = (
    DECISIONS[code] for code in ("approve", "defer", "return", "reject")
)


class TierReview(FSMModel):
    """One institution's review of one application. Created pending when the application
    reaches the tier: at binding for the entry tier, by 材料上报 for the tiers above."""

    application = models.ForeignKey(
        "exam.Application",
        verbose_name="申报",
        on_delete=models.CASCADE,
        related_name="tier_reviews",
    )
    institution = models.ForeignKey(
        "people.Institution",
        verbose_name="审核机构",
        on_delete=models.PROTECT,
        related_name="tier_reviews",
    )
    tier = models.CharField("层级", max_length=16, choices=Tier.choices)
    status = FSMField(
        "审核状态", max_length=16, choices=ReviewStatus.choices, default=S.PENDING, protected=True
    )
    remark = models.TextField("审核备注", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    reported_at = models.DateTimeField("上报时间", null=True, blank=True)
    created_at = models.DateTimeField("到达时间", auto_now_add=True)

    class Meta:
        db_table = "review_tierreview"
        verbose_name = "层级审核"
        verbose_name_plural = "层级审核"
        constraints = [
            models.UniqueConstraint(fields=["application", "tier"], name="tier_review_unique"),
        ]
        indexes = [models.Index(fields=["institution", "status"], name="tier_review_inbox")]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.get_status_display()}"

    # The four decisions: their sources and targets are exam.decisions.DECISIONS.
    @transition(field=status, source=list(_APPROVE.sources), target=_APPROVE.target)
    def approve(self) -> None:
        """审核通过."""

    @transition(field=status, source=list(_DEFER.sources), target=_DEFER.target)
    def defer(self) -> None:
        """暂不审核: a mark to come back to later."""

    @transition(field=status, source=list(_RETURN.sources), target=_RETURN.target)
    def return_for_changes(self) -> None:
        """允许修改."""

    @transition(field=status, source=list(_REJECT.sources), target=_REJECT.target)
    def reject(self) -> None:
        """审核不通过: final."""

    @transition(field=status, source=S.APPROVED, target=S.PENDING)
    def reopen(self) -> None:
        """A reviewer changes its mind before reporting."""

    @transition(field=status, source=S.APPROVED, target=S.REPORTED)
    def report(self) -> None:
        """材料上报: the parent tier takes over."""

    @transition(field=status, source=S.RETURNED, target=S.PENDING)
    def receive_resubmission(self) -> None:
        """The candidate resubmitted after 允许修改."""
