"""A stand-in exam kind for the 报考条件 rule-change tests (the preview, saving, the job and
the admin pages), registered in place of the real kinds exactly as
tests/exam/test_eligibility_services.py does: its one rule is that the candidate's name has
at most `max` characters (no name: 需人工核实). So these tests hold whatever the real kinds'
rules are."""

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


@pytest.fixture(name="stand_in_kind")
def stand_in_kind_fixture(monkeypatch, health_project):
    """The health project's rule set (第 1 版, max 3) under the stand-in kind."""
    kind = registry.EligibilityKind(
        parse=_parse, load_facts=_load_facts, evaluate=_evaluate, default_rules=lambda y: {}
    )
    monkeypatch.setattr(registry, "_KINDS", {health_project.kind: kind})
    monkeypatch.setattr(registry, "_load", lambda: None)
    return EligibilityRuleSet.objects.create(
        project=health_project, cutoff_date=CUTOFF, rules={"max": 3}
    )


def applications(project, institution, names, *, status=Application.Status.SUBMITTED):
    """One application per name, in `status` (set directly: the review side is not tested)."""
    made = []
    for name in names:
        application = new_application(project, institution)
        application.candidate.name = name
        application.candidate.save(update_fields=["name"])
        made.append(application)
    Application.objects.filter(pk__in=[a.pk for a in made]).update(status=status)
    return made
