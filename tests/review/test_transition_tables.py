"""The allowed and forbidden transitions of DESIGN.md's state machines, on the models
(the django-fsm-2 tables)."""

import itertools

import pytest
from django_fsm import TransitionNotAllowed, can_proceed

from exam.models import Application, PaymentStatus, Section, TierReview
from exam.models.applications import ReviewStatus
from people.models import IdentityVerification

A = Application.Status
R = ReviewStatus

# (state, transition) pairs DESIGN.md allows; every other pair must be refused.
APPLICATION_ALLOWED = {
    (A.DRAFT, "submit"): A.SUBMITTED,
    (A.WITHDRAWN, "submit"): A.SUBMITTED,
    (A.SUBMITTED, "withdraw"): A.WITHDRAWN,
    (A.SUBMITTED, "start_review"): A.IN_REVIEW,
    (A.SUBMITTED, "return_for_changes"): A.RETURNED,
    (A.IN_REVIEW, "return_for_changes"): A.RETURNED,
    (A.RETURNED, "resubmit"): A.IN_REVIEW,
    (A.SUBMITTED, "reject"): A.REJECTED,
    (A.IN_REVIEW, "reject"): A.REJECTED,
    (A.SUBMITTED, "approve"): A.APPROVED,
    (A.IN_REVIEW, "approve"): A.APPROVED,
}
APPLICATION_TRANSITIONS = [
    "submit",
    "withdraw",
    "start_review",
    "return_for_changes",
    "resubmit",
    "reject",
    "approve",
]

TIER_ALLOWED = {
    (R.PENDING, "approve"): R.APPROVED,
    (R.PENDING, "defer"): R.DEFERRED,
    (R.PENDING, "return_for_changes"): R.RETURNED,
    (R.PENDING, "reject"): R.REJECTED,
    (R.DEFERRED, "approve"): R.APPROVED,
    (R.DEFERRED, "return_for_changes"): R.RETURNED,
    (R.DEFERRED, "reject"): R.REJECTED,
    (R.APPROVED, "reopen"): R.PENDING,
    (R.APPROVED, "report"): R.REPORTED,
    (R.RETURNED, "receive_resubmission"): R.PENDING,
}
TIER_TRANSITIONS = [
    "approve",
    "defer",
    "return_for_changes",
    "reject",
    "reopen",
    "report",
    "receive_resubmission",
]

SECTION_ALLOWED = {
    (Section.Status.INCOMPLETE, "mark_complete"): Section.Status.COMPLETE,
    (Section.Status.COMPLETE, "mark_complete"): Section.Status.COMPLETE,
    (Section.Status.COMPLETE, "mark_incomplete"): Section.Status.INCOMPLETE,
    (Section.Status.COMPLETE, "lock"): Section.Status.LOCKED,
    (Section.Status.LOCKED, "unlock"): Section.Status.COMPLETE,
}
SECTION_TRANSITIONS = ["mark_complete", "mark_incomplete", "lock", "unlock"]

PAYMENT_ALLOWED = {
    (PaymentStatus.UNPAID, "mark_paid"): PaymentStatus.PAID,
    (PaymentStatus.PAID, "mark_refunded"): PaymentStatus.REFUNDED,
}

IDENTITY_ALLOWED = {
    (IdentityVerification.Status.PENDING, "approve"): IdentityVerification.Status.VERIFIED,
    (IdentityVerification.Status.PENDING, "reject"): IdentityVerification.Status.REJECTED,
    (IdentityVerification.Status.PENDING, "withdraw"): IdentityVerification.Status.WITHDRAWN,
}


def _table(model, field, states, transitions, allowed):
    for state, name in itertools.product(states, transitions):
        yield pytest.param(
            model, field, state, name, allowed.get((state, name)), id=f"{state}-{name}"
        )


MODEL_CASES = [
    *_table(Application, "status", A.values, APPLICATION_TRANSITIONS, APPLICATION_ALLOWED),
    *_table(
        Application,
        "payment_status",
        PaymentStatus.values,
        ["mark_paid", "mark_refunded"],
        PAYMENT_ALLOWED,
    ),
    *_table(TierReview, "status", R.values, TIER_TRANSITIONS, TIER_ALLOWED),
    *_table(Section, "status", Section.Status.values, SECTION_TRANSITIONS, SECTION_ALLOWED),
    *_table(
        IdentityVerification,
        "status",
        IdentityVerification.Status.values,
        ["approve", "reject", "withdraw"],
        IDENTITY_ALLOWED,
    ),
]


@pytest.mark.parametrize(("model", "field", "state", "name", "target"), MODEL_CASES)
def test_model_transition_table(model, field, state, name, target):
    obj = model(**{field: state})
    method = getattr(obj, name)
    if target is None:
        assert not can_proceed(method)
        with pytest.raises(TransitionNotAllowed):
            method()
        assert getattr(obj, field) == state
    else:
        assert can_proceed(method)
        method()
        assert getattr(obj, field) == target


def test_state_fields_are_protected():
    application = Application(status=A.DRAFT)
    with pytest.raises(AttributeError):
        application.status = A.APPROVED
