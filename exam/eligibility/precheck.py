"""报考条件 before 提交: what the candidate's overview shows and what submission enforces,
decided here once.

Each project's rule set says whether 不符合 blocks submission (`blocks_submission`) or only
warns. The check evaluates live (the candidate may have just changed a section); the result
is stored when the application is submitted (exam.services)."""

from __future__ import annotations

from dataclasses import dataclass

from exam.eligibility.outcomes import Evaluation, Outcome
from exam.eligibility.services import eligibility_evaluate
from exam.models import Application, EligibilityRuleSet


@dataclass(frozen=True)
class Precheck:
    evaluation: Evaluation | None  # None: the project has no rules to check
    blocks_submission: bool  # the project's choice

    @property
    def outcome(self) -> Outcome | None:
        return self.evaluation.outcome if self.evaluation else None

    @property
    def blocks(self) -> bool:
        """不符合, and the project does not accept such a submission."""
        return self.blocks_submission and self.outcome == Outcome.INELIGIBLE

    @property
    def failing(self) -> list[str]:
        """The explanations of the rules not met, for the candidate."""
        if self.evaluation is None:
            return []
        return [r.explanation for r in self.evaluation.results if r.outcome == Outcome.INELIGIBLE]

    @property
    def refusal(self) -> str:
        return "不符合报考条件，不能提交：" + "；".join(self.failing) + "。"

    @property
    def summary(self) -> str:
        """One sentence in plain words for the overview."""
        if self.outcome == Outcome.ELIGIBLE:
            return "按您填写的信息，符合报考条件（系统初步判断，以审核结果为准）。"
        if self.outcome == Outcome.MANUAL:
            return "部分报考条件需要审核机构人工核实，您可以提交。"
        if self.blocks:
            return "按您填写的信息，不符合报考条件，不能提交。请核对填写的信息。"
        if self.outcome == Outcome.INELIGIBLE:
            return "按您填写的信息，可能不符合报考条件。您仍可提交，由审核机构审核。"
        return ""


def eligibility_precheck(*, application: Application) -> Precheck:
    evaluation = eligibility_evaluate(applications=[application]).get(application.pk)
    if evaluation is None:
        return Precheck(evaluation=None, blocks_submission=False)
    blocks = (
        EligibilityRuleSet.objects.filter(project_id=application.project_id)
        .values_list("blocks_submission", flat=True)
        .first()
    )
    return Precheck(evaluation=evaluation, blocks_submission=bool(blocks))
