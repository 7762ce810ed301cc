"""Reviewer-side 报考条件: a reviewer overrides the engine's result, with a remark, or revokes
an override (撤销人工认定), which puts the engine's result back.

The reviewer of the tier where the application now is may do either (the same person who
may decide it: 审核 permission on its current institution, the application in review). The
override's remark is required; both are logged. An override stays on the result, where the
tiers above see it as overridden next to what the engine says (exam.eligibility.services
keeps it through re-evaluations). Both write the application's copy of what counts
(`eligibility_outcome`) in their transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils import timezone

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from exam.eligibility.outcomes import Outcome
from exam.eligibility.services import eligibility_outcome_copy
from exam.models import Application, EligibilityResult
from people.audit_actions import entry_data
from review import workflow

LOG_ELIGIBILITY_OVERRIDDEN = "eligibility.overridden"
LOG_ELIGIBILITY_OVERRIDE_REVOKED = "eligibility.override_revoked"
LOG_LABELS = {
    LOG_ELIGIBILITY_OVERRIDDEN: "人工认定报考条件",
    LOG_ELIGIBILITY_OVERRIDE_REVOKED: "撤销人工认定报考条件",
}
LOG_STATE_LABELS = {"eligibility.": dict(Outcome.choices)}

REMARK_MAX = 255


def eligibility_override_refusal(
    *, user: AbstractBaseUser | AnonymousUser, application: Application
) -> str | None:
    """Why `user` may not override `application`'s 报考条件, or revoke its override, now
    (None: they may)."""
    if application.status not in workflow.DECIDABLE_APPLICATION_STATES:
        return workflow.NOT_DECIDABLE_REASONS[application.status]
    institution = application.current_institution
    if not workflow.may_review(user, institution.pk):
        return f"您没有“{institution.name}”的审核权限，不能认定报考条件。"
    return None


def _locked(
    *, actor: User, application: Application
) -> tuple[Application, EligibilityResult | None]:
    """The application and its result, locked, once `actor` may act on them."""
    locked = (
        Application.objects.select_for_update()
        .select_related("current_institution")
        .get(pk=application.pk)
    )
    refusal = eligibility_override_refusal(user=actor, application=locked)
    if refusal:
        raise ServiceError(refusal)
    result = EligibilityResult.objects.select_for_update().filter(application=locked).first()
    return locked, result


def eligibility_override(
    *, actor: User, application: Application, outcome: str, remark: str
) -> EligibilityResult:
    """Set the application's 报考条件 to `outcome` (符合 / 不符合 / 需人工核实) as the
    reviewer's judgement, with `remark` saying why."""
    remark = (remark or "").strip()
    if outcome not in Outcome.values:
        raise ServiceError("请选择认定结果：符合、不符合或需人工核实。")
    if not remark:
        raise ServiceError("人工认定报考条件时必须填写认定说明。")
    if len(remark) > REMARK_MAX:
        raise ServiceError(f"认定说明不能超过 {REMARK_MAX} 个字。")
    with atomic_or_conflict():
        locked, result = _locked(actor=actor, application=application)
        if result is None:
            raise ServiceError("该申报还没有报考条件判断结果，不能人工认定。")
        from_state = result.outcome
        result.override_outcome = result.outcome = outcome
        result.override_remark = remark
        result.overridden_by = actor
        result.overridden_at = timezone.now()
        result.save(
            update_fields=[
                "outcome",
                "override_outcome",
                "override_remark",
                "overridden_by",
                "overridden_at",
            ]
        )
        eligibility_outcome_copy(outcomes={locked.pk: outcome})
        log_action(
            action=LOG_ELIGIBILITY_OVERRIDDEN,
            actor=actor,
            subject=locked,
            data=entry_data(
                institution=locked.current_institution,
                tier=locked.current_tier,
                from_state=from_state,
                to_state=outcome,
                remark=remark,
            ),
        )
    return result


def eligibility_override_revoke(*, actor: User, application: Application) -> EligibilityResult:
    """撤销人工认定: the override is removed and the engine's result counts again. The log
    keeps the override that was removed (its outcome, remark, who and when)."""
    with atomic_or_conflict():
        locked, result = _locked(actor=actor, application=application)
        if result is None or not result.override_outcome:
            raise ServiceError("该申报的报考条件没有人工认定，无需撤销。")
        removed = {
            "override_outcome": result.override_outcome,
            "override_remark": result.override_remark,
            "overridden_by": result.overridden_by_id,
            "overridden_at": result.overridden_at.isoformat() if result.overridden_at else None,
        }
        from_state = result.outcome
        result.outcome = result.computed_outcome
        result.override_outcome = result.override_remark = ""
        result.overridden_by = result.overridden_at = None
        result.save(
            update_fields=[
                "outcome",
                "override_outcome",
                "override_remark",
                "overridden_by",
                "overridden_at",
            ]
        )
        eligibility_outcome_copy(outcomes={locked.pk: result.outcome})
        log_action(
            action=LOG_ELIGIBILITY_OVERRIDE_REVOKED,
            actor=actor,
            subject=locked,
            data={
                **entry_data(
                    institution=locked.current_institution,
                    tier=locked.current_tier,
                    from_state=from_state,
                    to_state=result.outcome,
                    remark=f"原认定说明：{removed['override_remark']}",
                ),
                "revoked": removed,  # the override as it was, for the record
            },
        )
    return result
