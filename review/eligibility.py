"""Reviewer-side 报考条件: a reviewer overrides the engine's result, with a remark.

The reviewer of the tier where the application now is may override (the same person who may
decide it: 审核 permission on its current institution, the application in review). The remark
is required; the override is logged and stays on the result, where the tiers above see it as
overridden next to what the engine says (exam.eligibility.services keeps it through
re-evaluations)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils import timezone

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from exam.eligibility.outcomes import Outcome
from exam.models import Application, EligibilityResult
from people.audit_actions import entry_data
from review import workflow

LOG_ELIGIBILITY_OVERRIDDEN = "eligibility.overridden"
LOG_LABELS = {LOG_ELIGIBILITY_OVERRIDDEN: "人工认定报考条件"}
LOG_STATE_LABELS = {"eligibility.": dict(Outcome.choices)}

REMARK_MAX = 255


def eligibility_override_refusal(
    *, user: AbstractBaseUser | AnonymousUser, application: Application
) -> str | None:
    """Why `user` may not override `application`'s 报考条件 now (None: they may)."""
    if application.status not in workflow.DECIDABLE_APPLICATION_STATES:
        return workflow.NOT_DECIDABLE_REASONS[application.status]
    institution = application.current_institution
    if not workflow.may_review(user, institution.pk):
        return f"您没有“{institution.name}”的审核权限，不能认定报考条件。"
    return None


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
        locked = (
            Application.objects.select_for_update()
            .select_related("current_institution")
            .get(pk=application.pk)
        )
        refusal = eligibility_override_refusal(user=actor, application=locked)
        if refusal:
            raise ServiceError(refusal)
        result = EligibilityResult.objects.select_for_update().filter(application=locked).first()
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
