"""Candidate-side writes: create and bind an application, save sections, submit, withdraw,
resubmit. Same rules as the reviewer services: permission, one transaction, the audit log
(and, for 提交 and 重新提交, the candidate's 消息: exam.notices)."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from core.audit import log_action
from core.errors import ServiceError, atomic_or_conflict
from exam.audit_actions import (
    LOG_APPLICATION_CREATED,
    LOG_APPLICATION_ENTRY_CHANGED,
    LOG_APPLICATION_RESUBMITTED,
    LOG_APPLICATION_SUBMITTED,
    LOG_APPLICATION_WITHDRAWN,
)
from exam.completeness import section_is_complete
from exam.duplicates.text_hooks import section_saved
from exam.eligibility.fact_changes import (
    eligibility_refresh_places,
    eligibility_refresh_submitted,
)
from exam.eligibility.precheck import eligibility_precheck
from exam.models import (
    Application,
    ExamKind,
    ExamProject,
    Level,
    Section,
    Specialty,
    TierReview,
    Track,
)
from exam.models.applications import ReviewStatus
from exam.notices import notify_submitted
from exam.recommendation import teacher_problems
from exam.sections import required_codes, section_label, sections_for
from people.audit_actions import entry_data
from people.models import Candidate, Institution
from people.tiers import Tier

AppStatus = Application.Status


def _require_owner(actor: User, candidate: Candidate) -> None:
    if not actor.is_authenticated or candidate.user_id != actor.pk:
        raise ServiceError("只能操作本人的申报。")


def _locked(application: Application) -> Application:
    # NO KEY UPDATE: another transaction writing a result that references this application
    # (a teacher's places re-evaluated, exam.eligibility.fact_changes) checks the key without
    # waiting for this one, which could be waiting for it: a deadlock.
    return (
        Application.objects.select_for_update(no_key=True)
        .select_related("project", "candidate", "current_institution")
        .get(pk=application.pk)
    )


def application_create(
    *,
    actor: User,
    candidate: Candidate,
    project: ExamProject,
    entry_institution: Institution,
    level: Level | None = None,
    specialty: Specialty | None = None,
    track: str = "",
) -> Application:
    """Bind a candidate to the first reviewing institution of a project.

    Health exam: a unit (found by its 本单位确认码). TCM expertise: the county health
    bureau of the place of apprenticeship or practice. The entry tier sees the application
    from now on (未提交, 待审核); the tiers above only once it is reported up.
    """
    _require_owner(actor, candidate)
    if not candidate.is_verified:
        raise ServiceError("请先完成实名认证。")
    if not project.is_registration_open():
        raise ServiceError(f"“{project.name}”不在报名时间内。")
    if not entry_institution.is_active:
        raise ServiceError("该机构已停用，请联系单位确认。")
    if entry_institution.tier != project.entry_tier:
        expected = Tier(project.entry_tier).label
        raise ServiceError(
            f"“{project.name}”须绑定{expected}机构，所选机构是{entry_institution.get_tier_display()}。"
        )
    if project.kind == ExamKind.HEALTH_QUALIFICATION:
        if level is None or specialty is None:
            raise ServiceError("请选择申报级别和类别(专业)。")
        if specialty.level_id != level.pk:
            raise ServiceError("所选类别(专业)不属于该申报级别。")
        track = ""
    else:
        if track not in Track.values:
            raise ServiceError("请选择考生类型。")
        level = specialty = None

    chain = {i.tier: i for i in entry_institution.chain()}
    if Tier.PROVINCE not in chain:
        raise ServiceError("该机构不在省级审核树下，无法申报。")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                project=project,
                candidate=candidate,
                level=level,
                specialty=specialty,
                track=track,
                entry_institution=entry_institution,
                unit=chain.get(Tier.UNIT),
                county=chain.get(Tier.COUNTY),
                city=chain.get(Tier.CITY),
                province=chain.get(Tier.PROVINCE),
                current_institution=entry_institution,
                current_tier=entry_institution.tier,
                **{f"{entry_institution.tier}_review_status": ReviewStatus.PENDING},
            )
            TierReview.objects.create(
                application=application,
                institution=entry_institution,
                tier=entry_institution.tier,
            )
            Section.objects.bulk_create(
                Section(application=application, code=d.code)
                for d in sections_for(project.kind, track)
            )
            log_action(
                action=LOG_APPLICATION_CREATED,
                actor=actor,
                subject=application,
                data=entry_data(institution=entry_institution, to_state=application.status),
            )
    except IntegrityError as exc:
        raise ServiceError(f"您已报名“{project.name}”，每个项目只能申报一次。") from exc
    return application


def application_bind_by_code(
    *,
    actor: User,
    candidate: Candidate,
    project: ExamProject,
    confirmation_code: str,
    level: Level | None = None,
    specialty: Specialty | None = None,
) -> Application:
    """Health exam: the candidate types (or scans) the unit's 本单位确认码."""
    code = (confirmation_code or "").strip().upper()
    institution = Institution.objects.filter(confirmation_code=code, tier=Tier.UNIT).first()
    if institution is None:
        raise ServiceError("确认码无效，请向所在单位核实本单位确认码。")
    return application_create(
        actor=actor,
        candidate=candidate,
        project=project,
        entry_institution=institution,
        level=level,
        specialty=specialty,
    )


def section_save(
    *,
    actor: User,
    section: Section,
    data: dict[str, Any],
    write: Callable[[], None] | None = None,
    draft: bool = False,
) -> Section:
    """Save one section on its own. Whether it is complete is decided here, by the section's
    rules (exam.completeness) over what is stored once `write` has run; `draft` (the
    candidate chose 暂存, or the page found errors) keeps it 去完善 whatever the rules say.
    A draft is kept either way, so nothing typed is lost.

    `write` saves what the section owns beyond its data (materials, attachments, case
    records); it runs after the checks, inside the same transaction, so a refusal or an
    error leaves nothing half-written.

    Every caller (the candidate's pages, the demo seeder) gets the same verdict: nobody can
    declare a section complete."""
    application = section.application
    _require_owner(actor, application.candidate)
    with atomic_or_conflict():
        locked = _locked(application)
        if not locked.is_editable_by_candidate:
            raise ServiceError("申报已提交，不能修改。如需修改请先撤回。")
        section.refresh_from_db()
        if section.status == Section.Status.LOCKED:
            label = section_label(locked.project.kind, section.code)
            raise ServiceError(f"“{label}”已被审核机构锁定，不能修改。")
        if write is not None:
            write()
        section.data = data
        complete = not draft and section_is_complete(
            application=locked, code=section.code, data=data
        )
        if complete:
            section.mark_complete()
        elif can_proceed(section.mark_incomplete):
            section.mark_incomplete()
        section.save()
        section_saved(section)  # 查重 of a narrative once the save commits
    return section


def _missing_sections(application: Application) -> list[str]:
    required = required_codes(application.project.kind, application.track)
    done = set(
        application.sections.filter(
            code__in=required, status__in=[Section.Status.COMPLETE, Section.Status.LOCKED]
        ).values_list("code", flat=True)
    )
    return [
        d.label
        for d in sections_for(application.project.kind, application.track)
        if d.code in required - done
    ]


def _check_complete(application: Application) -> None:
    missing = _missing_sections(application)
    if missing:
        raise ServiceError("以下内容尚未填写完成：" + "、".join(missing) + "。")
    problems = teacher_problems(application)
    if problems:
        raise ServiceError("推荐信息尚未完成：" + "；".join(problems) + "。")


def _check_eligible(application: Application) -> None:
    """报考条件: 不符合 refuses only where the project's rule set says so (else it warns on
    the overview); the result is stored once the application is submitted."""
    check = eligibility_precheck(application=application)
    if check.blocks:
        raise ServiceError(check.refusal)


def application_submit(*, actor: User, application: Application) -> Application:
    """提交: every required section complete, real-name verified, within the window."""
    _require_owner(actor, application.candidate)
    with atomic_or_conflict():
        locked = _locked(application)
        if locked.status not in {AppStatus.DRAFT, AppStatus.WITHDRAWN}:
            if locked.status == AppStatus.RETURNED:
                raise ServiceError("退回修改的申报请使用“重新提交”。")
            raise ServiceError(f"申报状态为“{locked.get_status_display()}”，不能再次提交。")
        if not locked.candidate.is_verified:
            raise ServiceError("请先完成实名认证。")
        if not locked.project.is_registration_open():
            raise ServiceError(f"“{locked.project.name}”不在报名时间内，不能提交。")
        _check_complete(locked)
        _check_eligible(locked)
        from_state = locked.status
        locked.submit()
        locked.submitted_at = timezone.now()
        locked.save()
        eligibility_refresh_submitted(application=locked)
        entry = log_action(
            action=LOG_APPLICATION_SUBMITTED,
            actor=actor,
            subject=locked,
            data=entry_data(
                institution=locked.current_institution,
                from_state=from_state,
                to_state=locked.status,
            ),
        )
        notify_submitted(application=locked, entry=entry, again=False)
    return locked


def application_withdraw(*, actor: User, application: Application) -> Application:
    """撤回: only while the first tier has not decided."""
    _require_owner(actor, application.candidate)
    with atomic_or_conflict():
        locked = _locked(application)
        if not can_proceed(locked.withdraw):
            if locked.status in {
                AppStatus.IN_REVIEW,
                AppStatus.RETURNED,
                AppStatus.REJECTED,
                AppStatus.APPROVED,
            }:
                raise ServiceError("审核机构已开始审核，不能撤回。")
            raise ServiceError("申报尚未提交，无需撤回。")
        locked.withdraw()
        locked.save()
        eligibility_refresh_places(application=locked)  # it leaves its teachers' places
        log_action(
            action=LOG_APPLICATION_WITHDRAWN,
            actor=actor,
            subject=locked,
            data=entry_data(
                institution=locked.current_institution,
                from_state=AppStatus.SUBMITTED,
                to_state=locked.status,
            ),
        )
    return locked


def application_resubmit(*, actor: User, application: Application) -> Application:
    """重新提交 after 允许修改: the application returns to the tier that returned it."""
    _require_owner(actor, application.candidate)
    with atomic_or_conflict():
        locked = _locked(application)
        if not can_proceed(locked.resubmit):
            raise ServiceError("只有退回修改的申报可以重新提交。")
        _check_complete(locked)
        _check_eligible(locked)
        review = TierReview.objects.select_for_update().get(
            application=locked, tier=locked.current_tier
        )
        review.receive_resubmission()
        review.save()
        locked.resubmit()
        locked.set_review_status_at(review.tier, review.status)
        # 提交时间 / 到达时间 is the latest submission: it arrives at the tier again.
        locked.submitted_at = timezone.now()
        locked.save()
        eligibility_refresh_submitted(application=locked)
        entry = log_action(
            action=LOG_APPLICATION_RESUBMITTED,
            actor=actor,
            subject=locked,
            data=entry_data(
                institution=review.institution,
                tier=review.tier,
                from_state=AppStatus.RETURNED,
                to_state=locked.status,
            ),
        )
        notify_submitted(application=locked, entry=entry, again=True)
    return locked


def application_change_entry_county(
    *, actor: User, application: Application, county: Institution
) -> Application:
    """TCM expertise: re-bind a not-yet-submitted application to another county health bureau.

    The county of the 跟师 / 实践 place is where 现场确认 and the first review happen (seed 000
    §4.3.2), so choosing another county there moves the application: entry institution, chain
    columns, current institution and the pending first-tier review. Refused once submitted."""
    _require_owner(actor, application.candidate)
    with atomic_or_conflict():
        locked = _locked(application)
        if locked.project.kind != ExamKind.TCM_EXPERTISE:
            raise ServiceError("只有中医医术确有专长申报可以变更现场确认地点。")
        if locked.status not in {AppStatus.DRAFT, AppStatus.WITHDRAWN}:
            raise ServiceError(
                "申报已提交，不能变更现场确认和初审机构。如需变更，请在审核前撤回后修改。"
            )
        if county.tier != Tier.COUNTY or not county.is_active:
            raise ServiceError("请选择一个启用中的区县卫生健康局。")
        old = locked.entry_institution
        if county.pk == old.pk:
            return locked
        chain = {i.tier: i for i in county.chain()}
        if Tier.PROVINCE not in chain:
            raise ServiceError("该区县不在省级审核树下，无法申报。")
        review = TierReview.objects.select_for_update().get(
            application=locked, tier=locked.current_tier
        )
        if review.status != ReviewStatus.PENDING:
            raise ServiceError("初审机构已处理该申报，不能变更。")
        locked.entry_institution = county
        locked.county = county
        locked.city = chain.get(Tier.CITY)
        locked.province = chain.get(Tier.PROVINCE)
        locked.current_institution = county
        locked.current_tier = Tier.COUNTY
        locked.save()
        review.institution = county
        review.tier = Tier.COUNTY
        review.save()
        log_action(
            action=LOG_APPLICATION_ENTRY_CHANGED,
            actor=actor,
            subject=locked,
            data=entry_data(institution=county, remark=f"{old.name} → {county.name}"),
        )
    application.refresh_from_db()
    return locked
