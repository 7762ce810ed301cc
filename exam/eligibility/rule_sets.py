"""An exam project's rule set: created from its kind's rules on first need, read as rules."""

from __future__ import annotations

import datetime
from typing import Any

from core.errors import ServiceError
from exam.eligibility.registry import EligibilityKind, for_kind
from exam.models import ExamProject
from exam.models.eligibility import EligibilityRuleSet


def _engine(kind: str) -> EligibilityKind:
    engine = for_kind(kind)
    if engine is None:
        raise ServiceError("该类考试项目没有报考条件规则。")
    return engine


def rule_set_ensure(*, project: ExamProject) -> EligibilityRuleSet:
    """The project's rule set; a project without one gets its kind's rules for its year,
    years counted to 31 December of that year. Two callers at once get the same row (the
    rule set is unique per project)."""
    existing = EligibilityRuleSet.objects.filter(project=project).first()
    if existing is not None:
        return existing
    engine = _engine(project.kind)
    rules = engine.default_rules(project.year)
    engine.parse(rules)  # the defaults are valid by construction; a broken change fails here
    # get_or_create inserts in a savepoint and, losing a race, reads the winner's row.
    rule_set, _ = EligibilityRuleSet.objects.get_or_create(
        project=project,
        defaults={"rules": rules, "cutoff_date": datetime.date(project.year, 12, 31)},
    )
    return rule_set


def rule_set_rules(rule_set: EligibilityRuleSet) -> Any:
    """The rule set's rules read by its kind (ValidationError if they are malformed)."""
    return _engine(rule_set.project.kind).parse(rule_set.rules)


def rule_sets_ensure_all() -> int:
    """Every exam project of a kind with rules gets its rule set if it has none (run by
    `load_reference_data` after a deployment and by the demo): how many were created."""
    created = 0
    for project in ExamProject.objects.filter(rule_set__isnull=True).order_by("pk"):
        if for_kind(project.kind) is not None:
            rule_set_ensure(project=project)
            created += 1
    return created
