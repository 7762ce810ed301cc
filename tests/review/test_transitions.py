"""DESIGN.md's state machines through the services: every allowed and forbidden step, by role.
The model-level tables are in test_transition_tables.py."""

import pytest

from core.errors import ServiceError
from core.models import AuditLogEntry
from exam import services as exam_services
from exam.models import Application, PaymentStatus, Section, TierReview
from exam.models.applications import ReviewStatus
from review import services as review_services
from tests.builders import (
    advance_to,
    approve_and_report,
    decide,
    new_application,
    review_at,
    submitted,
    superuser,
)

A = Application.Status
R = ReviewStatus


# --- through the services ---------------------------------------------------------------


@pytest.fixture
def unit_a(tree):
    return tree["U420102001"]


def _snapshot(application):
    application.refresh_from_db()
    reviews = sorted(
        TierReview.objects.filter(application=application).values_list("tier", "status")
    )
    return application.status, reviews, AuditLogEntry.objects.about(application).count()


def test_submit_and_withdraw_and_submit_again(health_project, unit_a, reviewers):
    application = new_application(health_project, unit_a)
    assert application.status == A.DRAFT
    assert application.unit_review_status == R.PENDING  # the unit sees 未提交 rows as 待审核
    with pytest.raises(ServiceError, match="尚未填写完成"):
        exam_services.application_submit(actor=application.candidate.user, application=application)

    application = submitted(health_project, unit_a)
    user = application.candidate.user
    application = exam_services.application_withdraw(actor=user, application=application)
    assert application.status == A.WITHDRAWN
    application = exam_services.application_submit(actor=user, application=application)
    assert application.status == A.SUBMITTED
    actions = list(
        AuditLogEntry.objects.about(application).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "application.created",
        "application.submitted",
        "application.withdrawn",
        "application.submitted",
    ]


def test_withdraw_refused_once_first_tier_decided(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    decide(application, "defer", actor=reviewers["unit_a"])
    before = _snapshot(application)
    with pytest.raises(ServiceError, match="已开始审核"):
        exam_services.application_withdraw(
            actor=application.candidate.user, application=application
        )
    assert _snapshot(application) == before


@pytest.mark.parametrize("decision", ["approve", "defer", "return", "reject"])
def test_first_tier_decisions_from_pending(health_project, unit_a, reviewers, decision):
    application = submitted(health_project, unit_a)
    application = decide(application, decision, actor=reviewers["unit_a"])
    expected_app = {
        "approve": A.IN_REVIEW,
        "defer": A.IN_REVIEW,
        "return": A.RETURNED,
        "reject": A.REJECTED,
    }
    expected_tier = {
        "approve": R.APPROVED,
        "defer": R.DEFERRED,
        "return": R.RETURNED,
        "reject": R.REJECTED,
    }
    assert application.status == expected_app[decision]
    assert review_at(application, "unit").status == expected_tier[decision]
    assert application.unit_review_status == expected_tier[decision]
    log = AuditLogEntry.objects.about(application).first()
    assert (
        log.action
        == f"review.{ {'approve': 'approved', 'defer': 'deferred', 'return': 'returned', 'reject': 'rejected'}[decision] }"
    )
    assert (log.from_state, log.to_state, log.actor.username) == (
        R.PENDING,
        expected_tier[decision],
        "unit_a",
    )


@pytest.mark.parametrize("decision", ["approve", "return", "reject"])
def test_deferred_can_be_decided(health_project, unit_a, reviewers, decision):
    application = decide(submitted(health_project, unit_a), "defer", actor=reviewers["unit_a"])
    application = decide(application, decision, actor=reviewers["unit_a"])
    assert (
        review_at(application, "unit").status
        == {"approve": R.APPROVED, "return": R.RETURNED, "reject": R.REJECTED}[decision]
    )


def test_deferred_cannot_be_deferred_again(health_project, unit_a, reviewers):
    application = decide(submitted(health_project, unit_a), "defer", actor=reviewers["unit_a"])
    before = _snapshot(application)
    with pytest.raises(ServiceError, match="不能改为“暂不审核”"):
        decide(application, "defer", actor=reviewers["unit_a"])
    assert _snapshot(application) == before


@pytest.mark.parametrize("decision", ["return", "reject"])
def test_remark_required_to_return_or_reject(health_project, unit_a, reviewers, decision):
    application = submitted(health_project, unit_a)
    before = _snapshot(application)
    with pytest.raises(ServiceError, match="必须填写审核备注"):
        review_services.tier_review_decide(
            actor=reviewers["unit_a"],
            tier_review=review_at(application),
            decision=decision,
            remark="  ",
        )
    assert _snapshot(application) == before


def test_unknown_decision_refused(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    with pytest.raises(ServiceError, match="请选择审核状态"):
        review_services.tier_review_decide(
            actor=reviewers["unit_a"], tier_review=review_at(application), decision="maybe"
        )


def test_reopen_before_reporting_only(health_project, unit_a, reviewers):
    application = decide(submitted(health_project, unit_a), "approve", actor=reviewers["unit_a"])
    review = review_services.tier_review_reopen(
        actor=reviewers["unit_a"], tier_review=review_at(application)
    )
    assert review.status == R.PENDING
    application.refresh_from_db()
    assert application.unit_review_status == R.PENDING
    assert application.status == A.IN_REVIEW

    application = approve_and_report(application, actor=reviewers["unit_a"])
    unit_review = review_at(application, "unit")
    assert unit_review.status == R.REPORTED
    with pytest.raises(ServiceError, match="尚未上报"):
        review_services.tier_review_reopen(actor=reviewers["unit_a"], tier_review=unit_review)


def test_reopen_refused_when_not_approved(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    decide(application, "defer", actor=reviewers["unit_a"])
    with pytest.raises(ServiceError, match="只有“审核通过”"):
        review_services.tier_review_reopen(
            actor=reviewers["unit_a"], tier_review=review_at(application)
        )


def test_report_moves_up_one_tier_each_time(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    application = approve_and_report(application, actor=reviewers["unit_a"])
    assert (application.current_tier, application.county.code) == ("county", "420102")
    assert (application.unit_review_status, application.county_review_status) == (
        R.REPORTED,
        R.PENDING,
    )
    assert application.city_review_status == ""
    application = approve_and_report(application, actor=reviewers["county_jiangan"])
    assert application.current_tier == "city"
    application = approve_and_report(application, actor=reviewers["city_wuhan"])
    assert application.current_tier == "province"
    assert application.status == A.IN_REVIEW
    application = decide(application, "approve", actor=reviewers["province"])
    assert application.status == A.APPROVED  # the top tier's approval is final
    assert [application.review_status_at(t) for t in ("unit", "county", "city", "province")] == [
        R.REPORTED,
        R.REPORTED,
        R.REPORTED,
        R.APPROVED,
    ]
    reported = AuditLogEntry.objects.about(application).filter(action="review.reported")
    assert reported.count() == 3


def test_province_cannot_report_and_final_is_final(health_project, unit_a, reviewers):
    application = advance_to(submitted(health_project, unit_a), "province")
    application = decide(application, "approve", actor=reviewers["province"])
    with pytest.raises(ServiceError, match="无需上报"):
        review_services.institution_report(
            business=None, actor=reviewers["province"], institution=application.province
        )
    before = _snapshot(application)
    for decision in ("approve", "defer", "return", "reject"):
        with pytest.raises(ServiceError, match="终审通过"):
            decide(application, decision, actor=reviewers["province"])
    with pytest.raises(ServiceError):
        review_services.tier_review_reopen(
            actor=reviewers["province"], tier_review=review_at(application)
        )
    assert _snapshot(application) == before


@pytest.mark.parametrize("tier", ["unit", "county", "city", "province"])
def test_reject_at_any_tier_is_final(health_project, unit_a, reviewers, tier):
    application = advance_to(submitted(health_project, unit_a), tier)
    application = decide(application, "reject")
    assert application.status == A.REJECTED
    assert application.review_status_at(tier) == R.REJECTED
    before = _snapshot(application)
    for decision in ("approve", "defer", "return", "reject"):
        with pytest.raises(ServiceError, match="审核不通过"):
            decide(application, decision)
    with pytest.raises(ServiceError):
        exam_services.application_resubmit(
            actor=application.candidate.user, application=application
        )
    assert _snapshot(application) == before


@pytest.mark.parametrize("tier", ["unit", "county", "city", "province"])
def test_return_and_resubmit_comes_back_to_the_same_tier(health_project, unit_a, reviewers, tier):
    application = advance_to(submitted(health_project, unit_a), tier)
    application = decide(application, "return")
    assert application.status == A.RETURNED
    assert application.review_status_at(tier) == R.RETURNED
    # While returned, nobody decides: the candidate has the application.
    with pytest.raises(ServiceError, match="待考生重新提交"):
        decide(application, "approve")
    application = exam_services.application_resubmit(
        actor=application.candidate.user, application=application
    )
    assert application.status == A.IN_REVIEW
    assert application.current_tier == tier
    assert application.review_status_at(tier) == R.PENDING
    assert AuditLogEntry.objects.about(application).first().action == "application.resubmitted"


def test_resubmit_refused_unless_returned(health_project, unit_a):
    application = submitted(health_project, unit_a)
    with pytest.raises(ServiceError, match="只有退回修改"):
        exam_services.application_resubmit(
            actor=application.candidate.user, application=application
        )


def test_submit_refused_when_returned_or_in_review(health_project, unit_a, reviewers):
    application = decide(submitted(health_project, unit_a), "return", actor=reviewers["unit_a"])
    with pytest.raises(ServiceError, match="重新提交"):
        exam_services.application_submit(actor=application.candidate.user, application=application)
    other = decide(submitted(health_project, unit_a), "approve", actor=reviewers["unit_a"])
    with pytest.raises(ServiceError, match="不能再次提交"):
        exam_services.application_submit(actor=other.candidate.user, application=other)


def test_draft_is_visible_but_not_decidable(health_project, unit_a, reviewers):
    application = new_application(health_project, unit_a)
    before = _snapshot(application)
    with pytest.raises(ServiceError, match="尚未提交"):
        decide(application, "approve", actor=reviewers["unit_a"])
    assert _snapshot(application) == before


def test_returned_with_locked_sections(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    basic = application.sections.get(code="basic")
    review_services.section_lock(actor=reviewers["unit_a"], section=basic)
    application = decide(
        application, "return", actor=reviewers["unit_a"], remark="学历证书照片不清晰"
    )
    basic.refresh_from_db()
    assert basic.status == Section.Status.LOCKED
    user = application.candidate.user
    with pytest.raises(ServiceError, match="已被审核机构锁定"):
        exam_services.section_save(actor=user, section=basic, data={"x": 1})
    basic.refresh_from_db()
    assert basic.data == {"filled": True}
    title = application.sections.get(code="title")
    exam_services.section_save(actor=user, section=title, data={"not_applicable": True})
    application = exam_services.application_resubmit(actor=user, application=application)
    assert application.status == A.IN_REVIEW
    review_services.section_unlock(actor=reviewers["unit_a"], section=basic)
    basic.refresh_from_db()
    assert basic.status == Section.Status.COMPLETE
    actions = set(AuditLogEntry.objects.about(application).values_list("action", flat=True))
    assert {
        "section.locked",
        "section.unlocked",
        "review.returned",
        "application.resubmitted",
    } <= actions


def test_section_lock_refused_for_incomplete_or_other_unit(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    title = application.sections.get(code="title")
    title.refresh_from_db()
    with pytest.raises(ServiceError, match="您没有"):
        review_services.section_lock(actor=reviewers["unit_b"], section=title)
    draft = new_application(health_project, unit_a)
    with pytest.raises(ServiceError, match="正在本级审核"):
        review_services.section_lock(
            actor=reviewers["unit_a"], section=draft.sections.get(code="basic")
        )


def test_candidate_cannot_edit_after_submitting(health_project, unit_a):
    application = submitted(health_project, unit_a)
    section = application.sections.get(code="basic")
    with pytest.raises(ServiceError, match="撤回"):
        exam_services.section_save(
            actor=application.candidate.user, section=section, data={}, draft=True
        )


def test_tcm_county_approves_only_after_onsite_confirmation(tcm_project, tree, reviewers):
    county = tree["420102"]
    application = submitted(tcm_project, county, track="practice")
    assert (application.unit_id, application.county_id) == (None, county.pk)
    with pytest.raises(ServiceError, match="现场确认"):
        review_services.tier_review_decide(
            actor=reviewers["county_jiangan"],
            tier_review=review_at(application),
            decision="approve",
        )
    review_services.application_confirm_onsite(
        actor=reviewers["county_jiangan"], application=application
    )
    review_services.tier_review_decide(
        actor=reviewers["county_jiangan"], tier_review=review_at(application), decision="approve"
    )
    application.refresh_from_db()
    assert application.county_review_status == R.APPROVED
    assert (
        AuditLogEntry.objects.about(application)
        .filter(action="application.onsite_confirmed")
        .exists()
    )


def test_payment_transitions(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    with pytest.raises(ServiceError, match="您没有"):
        review_services.application_set_payment(
            actor=reviewers["unit_a"], application=application, status="paid"
        )
    with pytest.raises(ServiceError, match="不能改为“已退费”"):
        review_services.application_set_payment(
            actor=reviewers["province"], application=application, status="refunded"
        )
    application = review_services.application_set_payment(
        actor=reviewers["province"], application=application, status="paid"
    )
    assert application.payment_status == PaymentStatus.PAID
    application = review_services.application_set_payment(
        actor=reviewers["province"], application=application, status="refunded"
    )
    assert application.payment_status == PaymentStatus.REFUNDED
    assert (
        AuditLogEntry.objects.about(application)
        .filter(action="application.payment_changed")
        .count()
        == 2
    )


# --- by role ----------------------------------------------------------------------------

# Who may decide an application sitting (pending) at unit_a: only unit_a's reviewers.
ROLE_CASES = [
    ("unit_a", True),
    ("unit_b", False),
    ("unit_c", False),
    ("county_jiangan", False),  # not reported up yet
    ("county_wuchang", False),
    ("city_wuhan", False),
    ("city_yichang", False),
    ("province", False),
    ("candidate", False),
]


@pytest.mark.parametrize(("role", "allowed"), ROLE_CASES)
@pytest.mark.parametrize("decision", ["approve", "defer", "return", "reject"])
def test_decisions_by_role_at_unit(health_project, unit_a, reviewers, role, allowed, decision):
    application = submitted(health_project, unit_a)
    actor = application.candidate.user if role == "candidate" else reviewers[role]
    before = _snapshot(application)
    call = lambda: review_services.tier_review_decide(  # noqa: E731
        actor=actor, tier_review=review_at(application), decision=decision, remark="备注"
    )
    if allowed:
        call()
        assert _snapshot(application) != before
    else:
        with pytest.raises(ServiceError, match="您没有"):
            call()
        assert _snapshot(application) == before


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("county_jiangan", True),
        ("unit_a", False),
        ("county_wuchang", False),
        ("city_wuhan", False),
        ("province", False),
    ],
)
def test_decisions_by_role_at_county(health_project, unit_a, reviewers, role, allowed):
    application = advance_to(submitted(health_project, unit_a), "county", actor=reviewers["unit_a"])
    before = _snapshot(application)
    if allowed:
        decide(application, "approve", actor=reviewers[role])
        assert _snapshot(application) != before
    else:
        with pytest.raises(ServiceError, match="您没有"):
            review_services.tier_review_decide(
                actor=reviewers[role], tier_review=review_at(application), decision="approve"
            )
        assert _snapshot(application) == before


def test_reviewer_without_review_permission_refused(health_project, unit_a, reviewers):
    from guardian.shortcuts import remove_perm

    application = submitted(health_project, unit_a)
    remove_perm("people.review_applications", unit_a.reviewer_group, unit_a)
    with pytest.raises(ServiceError, match="审核权限"):
        decide(application, "approve", actor=reviewers["unit_a"])


def test_candidate_actions_by_someone_else_refused(health_project, unit_a, reviewers):
    application = submitted(health_project, unit_a)
    for actor in (reviewers["unit_a"], superuser()):
        with pytest.raises(ServiceError, match="本人"):
            exam_services.application_withdraw(actor=actor, application=application)
    assert Application.objects.get(pk=application.pk).status == A.SUBMITTED


def test_report_needs_report_permission_and_approved_selection(health_project, unit_a, reviewers):
    approved = decide(submitted(health_project, unit_a), "approve", actor=reviewers["unit_a"])
    pending = submitted(health_project, unit_a)
    with pytest.raises(ServiceError, match="上报权限"):
        review_services.institution_report(
            business=None, actor=reviewers["unit_b"], institution=unit_a
        )
    before = (_snapshot(approved), _snapshot(pending))
    with pytest.raises(ServiceError, match="未上报任何申报"):
        review_services.institution_report(
            business=None,
            actor=reviewers["unit_a"],
            institution=unit_a,
            application_ids=[approved.pk, pending.pk],
        )
    assert (_snapshot(approved), _snapshot(pending)) == before
    assert (
        review_services.institution_report(
            business=None, actor=reviewers["unit_a"], institution=unit_a
        )
        == 1
    )
    approved.refresh_from_db()
    assert approved.current_tier == "county"
    with pytest.raises(ServiceError, match="没有审核通过且未上报"):
        review_services.institution_report(
            business=None, actor=reviewers["unit_a"], institution=unit_a
        )


def test_report_all_is_one_log_row_each_and_preview_counts(health_project, unit_a, reviewers):
    apps = [
        decide(submitted(health_project, unit_a), "approve", actor=reviewers["unit_a"])
        for _ in range(3)
    ]
    decide(submitted(health_project, unit_a), "defer", actor=reviewers["unit_a"])
    submitted(health_project, unit_a)
    preview = review_services.institution_report_preview(
        business=None, actor=reviewers["unit_a"], institution=unit_a
    )
    assert (preview.reported, preview.still_pending, preview.still_deferred) == (3, 1, 1)
    assert preview.parent.code == "420102"
    assert (
        review_services.institution_report(
            business=None, actor=reviewers["unit_a"], institution=unit_a
        )
        == 3
    )
    for application in apps:
        assert (
            AuditLogEntry.objects.about(application).filter(action="review.reported").count() == 1
        )
        assert review_at(application, "county").status == R.PENDING
