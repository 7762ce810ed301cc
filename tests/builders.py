"""Build applications in a given state through the real services (so logs are real too)."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from exam import services as exam_services
from exam.models import (
    Application,
    EligibilityResult,
    ExamProject,
    Level,
    Recommender,
    Section,
    TierReview,
)
from exam.recommendation import teachers_required
from exam.sections import sections_for
from people.models import Institution
from review import services as review_services
from review import workflow
from tests.factories import CandidateFactory, PhysicianFactory

User = get_user_model()


def superuser():
    user, _ = User.objects.get_or_create(
        username="root", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def new_application(
    project: ExamProject, entry: Institution, *, track: str = "", candidate=None
) -> Application:
    candidate = candidate or CandidateFactory()
    kwargs = {}
    if project.kind == "health_qualification":
        level = Level.objects.get(code="3")
        kwargs = {"level": level, "specialty": level.specialties.first()}
    else:
        kwargs = {"track": track or "apprenticeship"}
    return exam_services.application_create(
        actor=candidate.user,
        candidate=candidate,
        project=project,
        entry_institution=entry,
        **kwargs,
    )


def complete_sections(application: Application) -> None:
    """Every section marked complete with placeholder data: a fixture for the review side,
    written directly (the candidate's completeness rules are tested in tests/exam)."""
    Section.objects.filter(
        application=application,
        code__in=[d.code for d in sections_for(application.project.kind, application.track)],
    ).update(data={"filled": True}, status=Section.Status.COMPLETE)
    if application.project.kind == "tcm_expertise":
        add_signed_teachers(application)


def add_signed_teachers(application: Application) -> list[Recommender]:
    """The 推荐医师 and 指导老师 the application needs, each signed (as after the QR flow)."""
    teachers = []
    for role, count in teachers_required(application).items():
        for _ in range(count):
            physician = PhysicianFactory()
            teacher = Recommender(
                application=application,
                role=role,
                physician=physician,
                name=physician.name,
                id_number=physician.id_number,
            )
            teacher.invite()
            teacher.confirm_identity()
            teacher.sign()
            teacher.pledge_accepted = True
            teacher.evaluation = "医德良好，医术可靠。"
            teacher.opinion = "同意推荐。"
            teacher.signed_at = timezone.now()
            teacher.save()
            teachers.append(teacher)
    return teachers


def submitted(project: ExamProject, entry: Institution, **kwargs) -> Application:
    application = new_application(project, entry, **kwargs)
    complete_sections(application)
    return exam_services.application_submit(
        actor=application.candidate.user, application=application
    )


def review_at(application: Application, tier: str | None = None) -> TierReview:
    return TierReview.objects.get(application=application, tier=tier or application.current_tier)


def decide(application: Application, decision: str, *, actor=None, remark: str = "") -> Application:
    application.refresh_from_db()
    review = review_at(application)
    if decision in {"return", "reject"} and not remark:
        remark = "测试备注"
    if decision == "approve" and workflow.ONSITE_CONFIRMATION.blocks(
        application, application.current_tier
    ):
        review_services.application_confirm_onsite(
            actor=actor or superuser(), application=application
        )
    review_services.tier_review_decide(
        actor=actor or superuser(), tier_review=review, decision=decision, remark=remark
    )
    application.refresh_from_db()
    return application


def approve_and_report(application: Application, *, actor=None) -> Application:
    """Approve at the current tier and report it up to the parent."""
    application = decide(application, "approve", actor=actor)
    review_services.institution_report(
        business=None,
        actor=actor or superuser(),
        institution=application.current_institution,
        application_ids=[application.pk],
    )
    application.refresh_from_db()
    return application


def advance_to(application: Application, tier: str, *, actor=None) -> Application:
    """Approve and report until the application sits at `tier` (pending there)."""
    while application.current_tier != tier:
        application = approve_and_report(application, actor=actor)
    return application


def teacher_proofs(teacher: Recommender) -> None:
    """The teacher's proofs as rows (no file content: what 生成二维码 checks is which kinds
    are there), for tests about what comes after them."""
    from exam.models import Attachment
    from exam.recommender_services import SECTION_CODE, TEACHER_UPLOADS

    for kind, label in TEACHER_UPLOADS[teacher.role]:
        Attachment.objects.create(
            application_id=teacher.application_id,
            section_code=SECTION_CODE,
            recommender=teacher,
            kind=kind,
            label=label,
            file=f"test-proofs/{kind}.png",
            content_type="image/png",
        )


def work_in(user, project: ExamProject):
    """选择业务 for `user`, as the 选择业务 page does (review/business.py); returns the user."""
    from review.business import business_choose

    business_choose(user=user, project_id=project.pk)
    return user


def in_health_business(user):
    """The user works in the (only) active health-exam project, if they have a choice to
    make at all; returns the user."""
    from exam.models.projects import ExamKind
    from review.business import business_choices

    choices = business_choices(user=user)
    if len(choices) > 1:
        health = next(p for p in choices if p.kind == ExamKind.HEALTH_QUALIFICATION)
        work_in(user, health)
    return user


def store_eligibility(application: Application, outcome: str, *, override: str = "") -> None:
    """A stored 报考条件 as the engine leaves it (`outcome`), overridden by a reviewer to
    `override` when given (then what counts)."""
    EligibilityResult.objects.create(
        application=application,
        outcome=override or outcome,
        computed_outcome=outcome,
        results=[],
        rule_set_version=1,
        evaluated_at=timezone.now(),
        override_outcome=override,
        override_remark="已人工核实" if override else "",
    )
