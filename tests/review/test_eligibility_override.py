"""review.eligibility: the reviewer of the tier where an application is overrides its
报考条件 with a required remark, or revokes the override; everyone else, and every bad input,
changes nothing. Both write the application's copy of what counts (eligibility_outcome)."""

import datetime

import pytest
from django.utils import timezone

from core.audit import log_action_label, log_state_label
from core.errors import ServiceError
from core.models import AuditLogEntry
from exam.eligibility.outcomes import Outcome
from exam.eligibility.services import eligibility_outcome_copy
from exam.models import Application, EligibilityResult
from review.eligibility import (
    LOG_ELIGIBILITY_OVERRIDDEN,
    LOG_ELIGIBILITY_OVERRIDE_REVOKED,
    eligibility_override,
    eligibility_override_revoke,
)
from tests.builders import new_application, submitted
from tests.tree import REVIEWERS


def _with_result(application, outcome=Outcome.INELIGIBLE) -> EligibilityResult:
    eligibility_outcome_copy(outcomes={application.pk: outcome})  # as the services do
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


def _copy(application) -> str:
    return Application.objects.values_list("eligibility_outcome", flat=True).get(pk=application.pk)


def _unchanged(application) -> None:
    result = EligibilityResult.objects.get(application=application)
    assert (result.outcome, result.override_outcome, result.override_remark) == (
        Outcome.INELIGIBLE,
        "",
        "",
    )
    assert not AuditLogEntry.objects.filter(action=LOG_ELIGIBILITY_OVERRIDDEN).exists()
    assert _copy(application) == Outcome.INELIGIBLE


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
    assert _copy(at_unit) == Outcome.ELIGIBLE  # the list's filter reads this
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


# --- 撤销人工认定 ---------------------------------------------------------------------------


def _overridden(application, reviewer) -> EligibilityResult:
    return eligibility_override(
        actor=reviewer, application=application, outcome=Outcome.MANUAL, remark="待核实学历"
    )


@pytest.mark.django_db
def test_revoking_puts_the_engines_result_back_and_logs_the_removed_override(at_unit, reviewers):
    unit_a = reviewers["unit_a"]
    overridden = _overridden(at_unit, unit_a)
    assert _copy(at_unit) == Outcome.MANUAL

    result = eligibility_override_revoke(actor=unit_a, application=at_unit)
    result.refresh_from_db()
    assert result.outcome == result.computed_outcome == Outcome.INELIGIBLE
    assert (result.override_outcome, result.override_remark) == ("", "")
    assert (result.overridden_by, result.overridden_at) == (None, None)
    assert _copy(at_unit) == Outcome.INELIGIBLE
    entry = AuditLogEntry.objects.get(action=LOG_ELIGIBILITY_OVERRIDE_REVOKED)
    assert entry.object_id == at_unit.pk and entry.actor == unit_a
    assert entry.data["from_state"] == "manual" and entry.data["to_state"] == "ineligible"
    assert entry.data["remark"] == "原认定说明：待核实学历"
    assert entry.data["revoked"] == {
        "override_outcome": "manual",
        "override_remark": "待核实学历",
        "overridden_by": unit_a.pk,
        "overridden_at": overridden.overridden_at.isoformat(),
    }
    assert log_action_label(LOG_ELIGIBILITY_OVERRIDE_REVOKED) == "撤销人工认定报考条件"
    assert log_state_label(LOG_ELIGIBILITY_OVERRIDE_REVOKED, "ineligible") == "不符合"

    with pytest.raises(ServiceError, match="没有人工认定，无需撤销"):  # nothing left to revoke
        eligibility_override_revoke(actor=unit_a, application=at_unit)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["unit_b", "county_jiangan", "city_wuhan", "province"])
def test_only_the_tier_where_the_application_is_may_revoke(at_unit, reviewers, username):
    _overridden(at_unit, reviewers["unit_a"])
    with pytest.raises(ServiceError, match="没有.*审核权限"):
        eligibility_override_revoke(actor=reviewers[username], application=at_unit)
    result = EligibilityResult.objects.get(application=at_unit)
    assert (result.outcome, result.override_outcome) == (Outcome.MANUAL, Outcome.MANUAL)
    assert _copy(at_unit) == Outcome.MANUAL
    assert not AuditLogEntry.objects.filter(action=LOG_ELIGIBILITY_OVERRIDE_REVOKED).exists()


@pytest.mark.django_db
def test_without_an_override_or_a_result_there_is_nothing_to_revoke(
    at_unit, health_project, tree, reviewers
):
    no_result = submitted(health_project, tree[REVIEWERS["unit_a"]])
    for application in (at_unit, no_result):
        with pytest.raises(ServiceError, match="没有人工认定，无需撤销"):
            eligibility_override_revoke(actor=reviewers["unit_a"], application=application)
    _unchanged(at_unit)
    assert _copy(no_result) == ""
