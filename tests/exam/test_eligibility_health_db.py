"""报考条件 of 卫生专业技术资格考试 on the database: facts for many applications in constant
queries, and the project's rule set made from its kind's rules."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ServiceError
from exam.eligibility import rule_sets
from exam.eligibility.health import Education, HealthFacts, Title, load_facts
from exam.eligibility.health_rules import HealthRules, default_rules
from exam.eligibility.outcomes import Outcome
from exam.eligibility.registry import for_kind
from exam.eligibility.rule_sets import rule_set_ensure, rule_set_rules
from exam.models import EligibilityRuleSet, SupplementaryInfo, TitleCertificate
from tests.builders import new_application
from tests.review.materials import education

UNIT_A = "U420102001"


def title(application, level="junior", issued_on=datetime.date(2021, 7, 1)):
    return TitleCertificate.objects.create(
        application=application,
        title_name="护师",
        title_level=level,
        certificate_no=f"T{application.pk}{level}",
        issued_on=issued_on,
        issuing_authority="湖北省卫生健康委员会",
    )


def work(application, started_on):
    return SupplementaryInfo.objects.create(application=application, work_started_on=started_on)


@pytest.fixture(name="unit")
def unit_fixture(tree):
    return tree[UNIT_A]


def test_load_facts_reads_what_the_rules_need(health_project, unit):
    full = new_application(health_project, unit)
    education(full, level="20", graduated=2015, image=False)
    education(full, level="10", graduated=2018, major_type="non_medical", image=False)
    title(full, "junior_assistant", datetime.date(2016, 7, 1))
    title(full, "junior", datetime.date(2021, 7, 1))
    work(full, datetime.date(2015, 7, 1))
    empty = new_application(health_project, unit)
    work(empty, None)

    facts = load_facts([full, empty])

    assert facts[full.pk] == HealthFacts(
        level="3",
        educations=(
            Education("本科", "medical", datetime.date(2015, 6, 30)),
            Education("研究生", "non_medical", datetime.date(2018, 6, 30)),
        ),
        work_started_on=datetime.date(2015, 7, 1),
        titles=(
            Title("junior", datetime.date(2021, 7, 1)),
            Title("junior_assistant", datetime.date(2016, 7, 1)),
        ),
    )
    assert facts[empty.pk] == HealthFacts(level="3")
    evaluation = for_kind(health_project.kind).evaluate(
        rule_set_rules(rule_set_ensure(project=health_project)),
        facts[full.pk],
        datetime.date(2026, 12, 31),
    )
    # The 研究生 is 非医学类: the 本科 decides.
    assert evaluation.outcome == Outcome.ELIGIBLE
    assert evaluation.results[1].explanation == (
        "本科，任初级（师）职称满 5 年（2021-07 至 2026-12-31），中级要求 4 年：符合"
    )


def test_load_facts_queries_do_not_grow_with_the_applications(health_project, unit):
    applications = []
    for index in range(30):
        application = new_application(health_project, unit)
        education(application, graduated=2010 + index % 5, image=False)
        title(application)
        work(application, datetime.date(2012, 7, 1))
        applications.append(application)

    with CaptureQueriesContext(connection) as one:
        load_facts(applications[:1])
    with CaptureQueriesContext(connection) as thirty:
        facts = load_facts(applications)

    assert len(one) == len(thirty) == 3
    assert len(facts) == 30
    assert all(f.educations and f.titles and f.work_started_on for f in facts.values())


def test_rule_set_ensure_creates_the_project_rules_once(health_project):
    rule_set = rule_set_ensure(project=health_project)

    assert rule_set.cutoff_date == datetime.date(2026, 12, 31)
    assert rule_set.rules == default_rules(2026)
    assert rule_set.version == 1
    assert isinstance(rule_set_rules(rule_set), HealthRules)

    rule_set.rules["note"] = "省里改过"
    rule_set.cutoff_date = datetime.date(2026, 8, 31)
    rule_set.save()
    again = rule_set_ensure(project=health_project)
    assert again.pk == rule_set.pk
    assert again.rules["note"] == "省里改过"
    assert again.cutoff_date == datetime.date(2026, 8, 31)
    assert EligibilityRuleSet.objects.filter(project=health_project).count() == 1


def test_rule_set_ensure_refuses_a_kind_without_rules(health_project, monkeypatch):
    monkeypatch.setattr(rule_sets, "for_kind", lambda kind: None)
    with pytest.raises(ServiceError, match="没有报考条件规则"):
        rule_set_ensure(project=health_project)
    assert not EligibilityRuleSet.objects.filter(project=health_project).exists()


def test_reference_data_gives_every_project_with_rules_its_rule_set(
    health_project, tcm_project, monkeypatch
):
    from review.reference_data import load_reference_data

    # Only the kinds that have rules get a rule set (here: the health exam alone).
    monkeypatch.setattr(
        rule_sets, "for_kind", lambda kind: for_kind(kind) if kind == health_project.kind else None
    )
    assert load_reference_data()["报考条件（新建）"] == 1
    assert EligibilityRuleSet.objects.get(project=health_project).version == 1
    assert not EligibilityRuleSet.objects.filter(project=tcm_project).exists()
    assert load_reference_data()["报考条件（新建）"] == 0  # idempotent
