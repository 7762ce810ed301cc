"""`review.workflow.available_decisions`: the one answer to which decisions a reviewer may
make now, over the application's and the tier review's states, the tiers, permissions and
the TCM 现场确认 precondition; and the FSM transitions read the same table."""

import pytest

from exam.models import Application, TierReview
from exam.models.applications import ReviewStatus
from review import services as review_services
from review import workflow
from tests.builders import advance_to, decide, new_application, review_at, submitted, superuser
from tests.review.scenario import UNIT_A

ALL = ["approve", "defer", "return", "reject"]


def _available(user, application: Application, tier_review: TierReview | None) -> dict:
    application = Application.objects.select_related("project", "current_institution").get(
        pk=application.pk
    )
    return {
        d.code: reason
        for d, reason in workflow.available_decisions(
            user=user, application=application, tier_review=tier_review
        )
    }


def _refused_all(result: dict, reason: str) -> bool:
    return list(result) == ALL and all(r == reason for r in result.values())


def test_every_decision_is_open_on_a_pending_review(reviewers, tree, health_project):
    application = submitted(health_project, tree[UNIT_A])
    result = _available(reviewers["unit_a"], application, review_at(application))
    assert result == dict.fromkeys(ALL)


def test_a_deferred_review_cannot_be_deferred_again(reviewers, tree, health_project):
    application = decide(submitted(health_project, tree[UNIT_A]), "defer")
    result = _available(reviewers["unit_a"], application, review_at(application))
    assert result == {
        "approve": None,
        "defer": "当前审核状态为“暂不审核”，不能改为“暂不审核”。",
        "return": None,
        "reject": None,
    }


def test_an_approved_review_allows_no_decision(reviewers, tree, health_project):
    application = decide(submitted(health_project, tree[UNIT_A]), "approve")
    result = _available(reviewers["unit_a"], application, review_at(application))
    assert result == {
        d.code: f"当前审核状态为“审核通过”，不能改为“{d.label}”。"
        for d in workflow.DECISIONS.values()
    }


@pytest.mark.parametrize(
    ("make", "status"),
    [
        (lambda p, u: new_application(p, u), Application.Status.DRAFT),
        (lambda p, u: decide(submitted(p, u), "reject"), Application.Status.REJECTED),
        (lambda p, u: decide(submitted(p, u), "return"), Application.Status.RETURNED),
    ],
)
def test_an_application_out_of_review_allows_no_decision(
    reviewers, tree, health_project, make, status
):
    application = make(health_project, tree[UNIT_A])
    assert application.status == status
    result = _available(reviewers["unit_a"], application, review_at(application, "unit"))
    assert _refused_all(result, workflow.NOT_DECIDABLE_REASONS[status])


def test_a_final_approval_allows_no_decision(reviewers, tree, health_project):
    application = decide(advance_to(submitted(health_project, tree[UNIT_A]), "province"), "approve")
    assert application.status == Application.Status.APPROVED
    result = _available(superuser(), application, review_at(application))
    assert _refused_all(result, workflow.NOT_DECIDABLE_REASONS[Application.Status.APPROVED])


def test_a_tier_that_reported_sees_where_the_application_is(reviewers, tree, health_project):
    application = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    own = review_at(application, "unit")
    assert own.status == ReviewStatus.REPORTED
    result = _available(reviewers["unit_a"], application, own)
    county = application.current_institution.name
    assert _refused_all(result, f"本级已上报，该申报当前在{county}审核。")
    # The county, where it is now, may decide.
    assert _available(reviewers["county_jiangan"], application, review_at(application)) == (
        dict.fromkeys(ALL)
    )


def test_a_tier_the_application_has_not_reached_cannot_decide(reviewers, tree, health_project):
    application = submitted(health_project, tree[UNIT_A])
    result = _available(reviewers["county_jiangan"], application, None)
    assert _refused_all(result, f"该申报当前在{tree[UNIT_A].name}审核，不在本级。")


def test_without_review_permission_on_the_tier_nothing_is_possible(reviewers, tree, health_project):
    application = submitted(health_project, tree[UNIT_A])
    result = _available(reviewers["unit_b"], application, review_at(application))
    assert _refused_all(result, f"您没有“{tree[UNIT_A].name}”的审核权限。")


def test_tcm_approval_at_the_county_waits_for_onsite_confirmation(reviewers, tree, tcm_project):
    application = submitted(tcm_project, tree["420102"], track="practice")
    assert application.current_tier == "county"
    county = reviewers["county_jiangan"]
    result = _available(county, application, review_at(application))
    assert result == {
        "approve": workflow.ONSITE_CONFIRMATION.reason,
        "defer": None,
        "return": None,
        "reject": None,
    }
    # The service gives the same reason.
    with pytest.raises(review_services.ServiceError, match="现场确认"):
        review_services.tier_review_decide(
            actor=county, tier_review=review_at(application), decision="approve"
        )
    review_services.application_confirm_onsite(actor=county, application=application)
    assert _available(county, application, review_at(application)) == dict.fromkeys(ALL)


def test_the_onsite_precondition_is_only_for_tcm_at_the_county(reviewers, tree, health_project):
    application = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    assert application.onsite_confirmed_at is None
    result = _available(reviewers["county_jiangan"], application, review_at(application))
    assert result["approve"] is None


def test_tcm_above_the_county_needs_no_new_onsite_confirmation(reviewers, tree, tcm_project):
    application = advance_to(submitted(tcm_project, tree["420102"], track="practice"), "city")
    result = _available(reviewers["city_wuhan"], application, review_at(application))
    assert result == dict.fromkeys(ALL)


def test_the_remark_rule_is_the_decisions_remark_required():
    for decision in workflow.DECISIONS.values():
        refusal = workflow.remark_refusal(decision, "  ")
        if decision.remark_required:
            assert refusal == f"选择“{decision.label}”时必须填写审核备注。"
        else:
            assert refusal is None
        assert workflow.remark_refusal(decision, "理由") is None
    assert [d.code for d in workflow.DECISIONS.values() if d.remark_required] == [
        "return",
        "reject",
    ]


def test_the_fsm_transitions_read_the_workflow_table():
    for decision in workflow.DECISIONS.values():
        meta = getattr(TierReview, decision.tier_transition)._django_fsm
        sources = set(meta.transitions)
        assert sources == set(decision.sources), decision.code
        assert {t.target for t in meta.transitions.values()} == {decision.target}
