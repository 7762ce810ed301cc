"""The result of checking an application: one per rule, and the application's overall one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", "符合"
    INELIGIBLE = "ineligible", "不符合"
    MANUAL = "manual", "需人工核实"


# The overall outcome is the worst of the rules': one 不符合 decides; otherwise one
# 需人工核实 leaves it to the reviewer; only all 符合 is 符合.
_SEVERITY = {Outcome.ELIGIBLE: 0, Outcome.MANUAL: 1, Outcome.INELIGIBLE: 2}


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    worst = Outcome.ELIGIBLE
    for outcome in outcomes:
        if _SEVERITY[outcome] > _SEVERITY[worst]:
            worst = outcome
    return worst


@dataclass(frozen=True)
class RuleResult:
    """One rule's result. `code` is the rule's stable key in the rule set (e.g.
    "education_years"); `title` its Chinese name; `explanation` one line a reviewer reads,
    such as "本科，工作满 4 年（2022-07 至 2026-12-31），中级要求 4 年：符合"."""

    code: str
    title: str
    outcome: Outcome
    explanation: str

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "title": self.title,
            "outcome": str(self.outcome.value),
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> RuleResult:
        return cls(data["code"], data["title"], Outcome(data["outcome"]), data["explanation"])


@dataclass(frozen=True)
class Evaluation:
    """All rules' results for one application, in the rule set's order."""

    results: tuple[RuleResult, ...]

    @property
    def outcome(self) -> Outcome:
        return combine(result.outcome for result in self.results)

    def as_list(self) -> list[dict[str, str]]:
        return [result.as_dict() for result in self.results]
