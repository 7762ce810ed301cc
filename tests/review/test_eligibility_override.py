"""review.eligibility: the reviewer of the tier where an application is overrides its
报考条件 with a required remark; everyone else, and every bad input, changes nothing."""

import datetime

import pytest
from django.utils import timezone

from core.audit import log_action_label, log_state_label
from core.errors import ServiceError
from core.models import AuditLogEntry
from exam.eligibility.outcomes import Outcome
from exam.models import EligibilityResult
from review.eligibility import LOG_ELIGIBILITY_OVERRIDDEN, eligibility_override
from tests.builders import new_application, submitted
from tests.tree import REVIEWERS


def _with_result(application, outcome=Outcome.INELIGIBLE) -> EligibilityResult:
    return EligibilityResult.objects.create(
        application=application,
        outcome=outcome,
        computed_outcome=outcome,
        results=[{"code": "years", "title": "年限", "outcome": outcome, "explanation": "…"}],
        rule_set_version=1,
        evaluated_at=timezone.now(),
    )


@pytest.fixture
def at_unit(health_project, tree):
    application = submitted(health_project, tree[REVIEWERS["unit_a"]])
    _with_result(application)
    return application


def _unchanged(application) -> None:
    result = EligibilityResult.objects.get(application=application)
    assert (result.outcome, result.override_outcome, result.override_remark) == (
        Outcome.INELIGIBLE,
        "",
        "",
    )
    assert not AuditLogEntry.objects.filter(action=LOG_ELIGIBILITY_OVERRIDDEN).exists()


@pytest.mark.django_db
def test_the_tiers_reviewer_overrides_with_a_remark_and_it_is_logged(at_unit, reviewers):
    result = eligibility_override(
        actor=reviewers["unit_a"],
        application=at_unit,
        outcome=Outcome.ELIGIBLE,
        remark="  工作证明显示 2022 年 6 月已入职，年限满足  ",
    )
    result.refresh_from_db()
    assert result.outcome == result.override_outcome == Outcome.ELIGIBLE
    assert result.computed_outcome == Outcome.INELIGIBLE  # the engine's word is kept
    assert result.override_remark == "工作证明显示 2022 年 6 月已入职，年限满足"
    assert result.overridden_by == reviewers["unit_a"]
    assert result.overridden_at > timezone.now() - datetime.timedelta(minutes=1)
    entry = AuditLogEntry.objects.get(action=LOG_ELIGIBILITY_OVERRIDDEN)
    assert entry.object_id == at_unit.pk and entry.actor == reviewers["unit_a"]
    assert entry.data["from_state"] == "ineligible" and entry.data["to_state"] == "eligible"
    assert entry.data["remark"] == "工作证明显示 2022 年 6 月已入职，年限满足"
    assert log_action_label(LOG_ELIGIBILITY_OVERRIDDEN) == "人工认定报考条件"
    assert log_state_label(LOG_ELIGIBILITY_OVERRIDDEN, "manual") == "需人工核实"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "remark", "message"),
    [
        (Outcome.ELIGIBLE, "   ", "必须填写认定说明"),
        ("maybe", "说明", "请选择认定结果"),
        (Outcome.ELIGIBLE, "长" * 256, "不能超过 255 个字"),
    ],
)
def test_bad_input_is_refused_in_chinese(at_unit, reviewers, outcome, remark, message):
    with pytest.raises(ServiceError, match=message):
        eligibility_override(
            actor=reviewers["unit_a"], application=at_unit, outcome=outcome, remark=remark
        )
    _unchanged(at_unit)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["unit_b", "county_jiangan", "city_wuhan", "province"])
def test_only_the_tier_where_the_application_is_may_override(at_unit, reviewers, username):
    with pytest.raises(ServiceError, match="没有.*审核权限"):
        eligibility_override(
            actor=reviewers[username], application=at_unit, outcome=Outcome.ELIGIBLE, remark="说明"
        )
    _unchanged(at_unit)


@pytest.mark.django_db
def test_a_draft_or_an_application_without_a_result_cannot_be_overridden(
    health_project, tree, reviewers
):
    draft = new_application(health_project, tree[REVIEWERS["unit_a"]])
    _with_result(draft)
    with pytest.raises(ServiceError, match="尚未提交"):
        eligibility_override(
            actor=reviewers["unit_a"], application=draft, outcome=Outcome.ELIGIBLE, remark="说明"
        )
    _unchanged(draft)

    no_result = submitted(health_project, tree[REVIEWERS["unit_a"]])
    with pytest.raises(ServiceError, match="还没有报考条件判断结果"):
        eligibility_override(
            actor=reviewers["unit_a"],
            application=no_result,
            outcome=Outcome.ELIGIBLE,
            remark="说明",
        )
