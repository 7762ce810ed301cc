"""Reviewer-side writes: decisions, 材料上报, section locks, 现场确认, payment.

Each function checks permission, runs in one transaction, writes the audit log and refuses an
illegal transition with a ServiceError carrying a Chinese message. Transitions themselves
are the model methods (django-fsm-2); ConcurrentTransitionMixin makes a stale copy fail.
A decision or a 材料上报 the candidate must know about writes their 消息 in the same
transaction (exam.notices).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from core.audit import audit_entry, log_action, log_actions
from core.errors import ServiceError, atomic_or_conflict
from exam.audit_actions import LOG_APPLICATION_ONSITE, LOG_APPLICATION_PAYMENT
from exam.eligibility.fact_changes import eligibility_refresh_places
from exam.models import (
    Application,
    PaymentStatus,
    Section,
    TierReview,
)
from exam.models.applications import ReviewStatus
from exam.notices import notify_decided, notify_reported
from exam.sections import section_label
from people.audit_actions import entry_data
from people.models import Institution
from people.permissions import Perm, has_institution_perm
from people.tiers import Tier
from review import workflow
from review.snapshots import return_snapshot_write

AppStatus = Application.Status


def _require(user: User, perm: Perm, institution: Institution) -> None:
    if not has_institution_perm(user, perm, institution):
        raise ServiceError(f"您没有“{institution.name}”的{perm.label}权限。")


def _locked_application(pk: int) -> Application:
    """Lock the application row: concurrent services on it queue up behind each other (NO KEY
    UPDATE: see exam.services._locked)."""
    return Application.objects.select_for_update(no_key=True).select_related("project").get(pk=pk)


def tier_review_decide(
    *,
    actor: User,
    tier_review: TierReview,
    decision: str,
    remark: str = "",
    locked_sections: Iterable[str] | None = None,
) -> TierReview:
    """审核通过 / 暂不审核 / 允许修改 / 审核不通过 at the tier review's institution.

    `tier_review` is the copy the reviewer looked at; if someone changed it since, the
    decision is refused with CONFLICT_MESSAGE and nothing is written.
    With 允许修改, `locked_sections` (section codes) are the sections the reviewer accepts:
    they are locked, every other section is unlocked, in the same transaction.
    """
    rule = workflow.DECISIONS.get(decision)
    if rule is None:
        raise ServiceError("请选择审核状态。")
    remark = (remark or "").strip()
    refusal = workflow.remark_refusal(rule, remark)
    if refusal:
        raise ServiceError(refusal)
    with atomic_or_conflict():
        application = _locked_application(tier_review.application_id)
        refusal = workflow.decision_refusal(
            user=actor, application=application, tier_review=tier_review, decision=rule
        )
        if refusal:
            raise ServiceError(refusal)
        from_state = tier_review.status
        getattr(tier_review, rule.tier_transition)()
        tier_review.remark = remark
        tier_review.decided_by = actor
        tier_review.decided_at = timezone.now()
        tier_review.save()

        app_transition = workflow.application_transition_for(rule, application, tier_review.tier)
        if app_transition:
            getattr(application, app_transition)()
        application.set_review_status_at(tier_review.tier, tier_review.status)
        if rule.code == "return":  # 修改内容: the application as returned, in this transaction
            return_snapshot_write(
                actor=actor, application=application, tier_review=tier_review, remark=remark
            )
        application.save()
        if app_transition == "reject":  # it gives up its teachers' places (允许修改 keeps them)
            eligibility_refresh_places(application=application)
        if rule.code == "return" and locked_sections is not None:
            _apply_section_locks(
                actor=actor,
                application=application,
                institution=tier_review.institution,
                locked=set(locked_sections),
            )
        entry = log_action(
            action=rule.log_action,
            actor=actor,
            subject=application,
            data=entry_data(
                institution=tier_review.institution,
                tier=tier_review.tier,
                from_state=from_state,
                to_state=tier_review.status,
                remark=remark,
            ),
        )
        notify_decided(
            application=application,
            decision=rule.code,
            institution=tier_review.institution,
            remark=remark,
            entry=entry,
        )
    return tier_review


def _apply_section_locks(
    *,
    actor: User,
    application: Application,
    institution: Institution,
    locked: set[str],
) -> None:
    """Lock the accepted sections and unlock the others (inside the caller's transaction)."""
    kind = application.project.kind
    for section in Section.objects.select_for_update().filter(application=application):
        label = section_label(kind, section.code)
        if section.code in locked and section.status != Section.Status.LOCKED:
            if not can_proceed(section.lock):
                raise ServiceError(f"“{label}”尚未填写完成，不能锁定。")
            from_state, action = section.status, workflow.LOG_SECTION_LOCKED
            section.lock()
        elif section.code not in locked and section.status == Section.Status.LOCKED:
            from_state, action = section.status, workflow.LOG_SECTION_UNLOCKED
            section.unlock()
        else:
            continue
        section.save()
        log_action(
            action=action,
            actor=actor,
            subject=application,
            data=entry_data(
                institution=institution,
                from_state=from_state,
                to_state=section.status,
                remark=label,
            ),
        )


def tier_review_reopen(*, actor: User, tier_review: TierReview, remark: str = "") -> TierReview:
    """审核通过 → 待审核: a reviewer changes its mind, only before 材料上报."""
    _require(actor, Perm.REVIEW, tier_review.institution)
    with atomic_or_conflict():
        application = _locked_application(tier_review.application_id)
        if application.status != AppStatus.IN_REVIEW:
            raise ServiceError(
                workflow.NOT_DECIDABLE_REASONS.get(application.status, "该申报不能撤销审核。")
            )
        if not can_proceed(tier_review.reopen):
            raise ServiceError("只有“审核通过”且尚未上报的申报可以撤销审核。")
        tier_review.reopen()
        tier_review.decided_by = actor
        tier_review.decided_at = timezone.now()
        tier_review.save()
        application.set_review_status_at(tier_review.tier, tier_review.status)
        application.save()
        log_action(
            action=workflow.LOG_REVIEW_REOPENED,
            actor=actor,
            subject=application,
            data=entry_data(
                institution=tier_review.institution,
                tier=tier_review.tier,
                from_state=ReviewStatus.APPROVED,
                to_state=tier_review.status,
                remark=(remark or "").strip(),
            ),
        )
    return tier_review


@dataclass(frozen=True)
class ReportSummary:
    reported: int
    still_pending: int
    still_deferred: int
    parent: Institution | None


def _reviews_at(institution: Institution, business: int | None) -> QuerySet[TierReview]:
    reviews = TierReview.objects.filter(institution=institution)
    return reviews if business is None else reviews.filter(application__project_id=business)


def institution_report_preview(
    *, actor: User, institution: Institution, business: int | None
) -> ReportSummary:
    """What 材料上报 would do now (in the 当前业务 `business`): for the confirmation dialog."""
    _require(actor, Perm.REPORT, institution)
    counts = dict.fromkeys(ReviewStatus.values, 0)
    rows = (
        _reviews_at(institution, business)
        .filter(status__in=[ReviewStatus.APPROVED, ReviewStatus.PENDING, ReviewStatus.DEFERRED])
        .values_list("status")
    )
    for (status,) in rows.iterator():
        counts[status] += 1
    return ReportSummary(
        reported=counts[ReviewStatus.APPROVED],
        still_pending=counts[ReviewStatus.PENDING],
        still_deferred=counts[ReviewStatus.DEFERRED],
        parent=institution.parent,
    )


def institution_report(
    *,
    actor: User,
    institution: Institution,
    business: int | None,
    application_ids: Iterable[int] | None = None,
) -> int:
    """材料上报: every approved, unreported application of `institution` (or of the selection)
    in the business `business` (an ExamProject id, the reviewer's 当前业务; None: every
    project) goes up to the parent tier, in one transaction, with one log row each. Returns
    the count.

    Selected applications that are not approved at this tier, or of another business, are
    refused as a whole.
    """
    _require(actor, Perm.REPORT, institution)
    parent = institution.parent
    if institution.tier == Tier.PROVINCE or parent is None:
        raise ServiceError("省级审核通过即为终审，无需上报。")
    now = timezone.now()
    with atomic_or_conflict():
        queryset = _reviews_at(institution, business).select_for_update()
        if application_ids is None:
            queryset = queryset.filter(status=ReviewStatus.APPROVED)
        else:
            wanted = set(application_ids)
            queryset = queryset.filter(application_id__in=wanted)
        reviews = list(queryset.order_by("application_id"))
        if application_ids is not None:
            missing = wanted - {r.application_id for r in reviews}
            not_ready = [r for r in reviews if r.status != ReviewStatus.APPROVED]
            if missing or not_ready:
                raise ServiceError(
                    f"所选申报中有{len(missing) + len(not_ready)}条不是本级“审核通过”状态，"
                    "未上报任何申报。请只选择审核通过的申报。"
                )
        if not reviews:
            raise ServiceError("没有审核通过且未上报的申报。")
        for review in reviews:
            review.report()  # validates each transition; the write below is one UPDATE
        ids = [r.pk for r in reviews]
        app_ids = [r.application_id for r in reviews]
        updated = TierReview.objects.filter(pk__in=ids, status=ReviewStatus.APPROVED).update(
            status=ReviewStatus.REPORTED, reported_at=now
        )
        if updated != len(ids):
            raise ConcurrentTransition("a review changed while reporting")
        TierReview.objects.bulk_create(
            [
                TierReview(
                    application_id=app_id,
                    institution=parent,
                    tier=parent.tier,
                    status=ReviewStatus.PENDING,
                )
                for app_id in app_ids
            ],
            batch_size=1000,
        )
        Application.objects.filter(pk__in=app_ids).update(
            current_institution=parent,
            current_tier=parent.tier,
            updated_at=now,
            **{
                f"{institution.tier}_review_status": ReviewStatus.REPORTED,
                f"{parent.tier}_review_status": ReviewStatus.PENDING,
            },
        )
        log_actions(
            audit_entry(
                action=workflow.LOG_REVIEW_REPORTED,
                actor=actor,
                subject=Application(pk=app_id),  # the id is all a log row needs
                data=entry_data(
                    institution=institution,
                    from_state=ReviewStatus.APPROVED,
                    to_state=ReviewStatus.REPORTED,
                    remark=f"上报至{parent.name}",
                ),
                created_at=now,
            )
            for app_id in app_ids
        )
        notify_reported(
            application_ids=app_ids,
            review_ids={r.application_id: r.pk for r in reviews},
            institution=institution,
        )
    return len(ids)


def _section_lock_change(*, actor: User, section: Section, lock: bool) -> Section:
    with atomic_or_conflict():
        application = _locked_application(section.application_id)
        institution = application.current_institution
        _require(actor, Perm.REVIEW, institution)
        review = TierReview.objects.get(application=application, tier=application.current_tier)
        if application.status not in {
            AppStatus.SUBMITTED,
            AppStatus.IN_REVIEW,
            AppStatus.RETURNED,
        } or review.status in {ReviewStatus.REJECTED, ReviewStatus.REPORTED}:
            raise ServiceError("只有正在本级审核的申报可以锁定或解锁分项。")
        label = section_label(application.project.kind, section.code)
        transition = section.lock if lock else section.unlock
        if not can_proceed(transition):
            if lock:
                raise ServiceError(f"“{label}”尚未填写完成或已锁定，不能锁定。")
            raise ServiceError(f"“{label}”未锁定。")
        from_state = section.status
        transition()
        section.save()
        log_action(
            action=workflow.LOG_SECTION_LOCKED if lock else workflow.LOG_SECTION_UNLOCKED,
            actor=actor,
            subject=application,
            data=entry_data(
                institution=institution,
                from_state=from_state,
                to_state=section.status,
                remark=label,
            ),
        )
    return section


def section_lock(*, actor: User, section: Section) -> Section:
    """已锁定: the reviewer accepts this section; the candidate can no longer edit it."""
    return _section_lock_change(actor=actor, section=section, lock=True)


def section_unlock(*, actor: User, section: Section) -> Section:
    return _section_lock_change(actor=actor, section=section, lock=False)


def application_confirm_onsite(
    *, actor: User, application: Application, remark: str = ""
) -> Application:
    """现场确认 of a TCM-expertise candidate by the county health bureau that reviews it."""
    with transaction.atomic():
        locked = _locked_application(application.pk)
        onsite = workflow.ONSITE_CONFIRMATION  # what it unblocks: approval at the county
        if locked.project.kind != onsite.exam_kind:
            raise ServiceError("只有中医医术确有专长申报需要现场确认。")
        if locked.current_tier != onsite.tier or locked.county is None:
            raise ServiceError("现场确认由申报所在区县卫健局在区县审核阶段完成。")
        _require(actor, Perm.REVIEW, locked.county)
        if locked.status not in workflow.DECIDABLE_APPLICATION_STATES:
            raise ServiceError(workflow.NOT_DECIDABLE_REASONS[locked.status])
        if locked.onsite_confirmed_at is not None:
            raise ServiceError("该考生已完成现场确认。")
        locked.onsite_confirmed_at = timezone.now()
        locked.onsite_confirmed_by = actor
        locked.save(update_fields=["onsite_confirmed_at", "onsite_confirmed_by", "updated_at"])
        log_action(
            action=LOG_APPLICATION_ONSITE,
            actor=actor,
            subject=locked,
            data=entry_data(institution=locked.county, remark=(remark or "").strip()),
        )
    return locked


PAYMENT_TRANSITIONS: dict[str, str] = {
    PaymentStatus.PAID: "mark_paid",
    PaymentStatus.REFUNDED: "mark_refunded",
}


def application_set_payment(*, actor: User, application: Application, status: str) -> Application:
    """缴费状态: provincial staff (管理 permission on the province) mark paid or refunded."""
    if application.province is None:
        raise ServiceError("该申报没有省级审核机构，无法设置缴费状态。")
    _require(actor, Perm.MANAGE, application.province)
    method = PAYMENT_TRANSITIONS.get(status)
    if method is None:
        raise ServiceError("缴费状态只能设为“已缴费”或“已退费”。")
    with atomic_or_conflict():
        locked = _locked_application(application.pk)
        transition = getattr(locked, method)
        if not can_proceed(transition):
            current = locked.get_payment_status_display()
            target = PaymentStatus(status).label
            raise ServiceError(f"缴费状态为“{current}”，不能改为“{target}”。")
        from_state = locked.payment_status
        transition()
        locked.save()
        log_action(
            action=LOG_APPLICATION_PAYMENT,
            actor=actor,
            subject=locked,
            data=entry_data(
                institution=locked.province, from_state=from_state, to_state=locked.payment_status
            ),
        )
    return locked
