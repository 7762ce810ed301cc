"""A stand-in exam kind for the eligibility engine's plumbing tests: its one rule is that the
candidate's name has at most `max` characters. Tests of services, screens and jobs use it so
they hold whatever the real kinds' rules are (those have tests of their own)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from exam.eligibility import registry
from exam.eligibility.outcomes import Evaluation, Outcome, RuleResult
from exam.models import Application, EligibilityRuleSet
from tests.builders import new_application

CUTOFF = datetime.date(2026, 12, 31)
UNIT_A = "U420102001"


def _parse(rules: dict) -> int:
    # Like a real kind: malformed rules are refused with a Chinese ValidationError.
    value = rules.get("max")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError("max（姓名最多字数）必须是不小于 0 的整数。")
    return value


def _load_facts(applications) -> dict[int, str]:
    return dict(
        Application.objects.filter(pk__in=[a.pk for a in applications]).values_list(
            "pk", "candidate__name"
        )
    )


def _evaluate(rules: int, name: str, cutoff: datetime.date) -> Evaluation:
    if not name:
        result = RuleResult("name", "姓名", Outcome.MANUAL, "未填写姓名")
    elif len(name) <= rules:
        result = RuleResult("name", "姓名", Outcome.ELIGIBLE, f"{len(name)} 字：符合")
    else:
        result = RuleResult("name", "姓名", Outcome.INELIGIBLE, f"{len(name)} 字：不符合")
    return Evaluation((result,))


STAND_IN = registry.EligibilityKind(
    parse=_parse, load_facts=_load_facts, evaluate=_evaluate, default_rules=lambda year: {}
)


@pytest.fixture
def stand_in_kind(monkeypatch, health_project) -> EligibilityRuleSet:
    """The health project judged by the stand-in kind (names of at most 3 characters)."""
    monkeypatch.setattr(registry, "_KINDS", {health_project.kind: STAND_IN})
    monkeypatch.setattr(registry, "_load", lambda: None)
    return EligibilityRuleSet.objects.create(
        project=health_project, cutoff_date=CUTOFF, rules={"max": 3}
    )


def name_candidate(application: Application, name: str) -> Application:
    application.candidate.name = name
    application.candidate.save(update_fields=["name"])
    return application


def applications(project, institution, names, *, status=Application.Status.SUBMITTED):
    """One application per name, in `status` (set directly: the review side is not what
    these tests are about)."""
    made = [name_candidate(new_application(project, institution), name) for name in names]
    Application.objects.filter(pk__in=[a.pk for a in made]).update(status=status)
    return made
