"""The actors' steps: each candidate's story played through the services, as the user who
would really act (the candidate, the demo reviewer of the institution, or `admin`)."""

import random
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from devtools.demo import media as demo_media
from devtools.demo import texts as demo_texts
from devtools.demo.content import (
    MATERIAL_STYLES,
    VERIFIER_REMARK,
    ApplicationContent,
    set_verification,
    store_file,
)
from devtools.demo.corrections import correct_rows, corrected_data
from devtools.demo.health import build_health_content
from devtools.demo.plan import SEED, CandidatePlan, Scenario, World
from devtools.demo.tcm import build_tcm_content
from exam import services as exam_services
from exam.models import (
    Application,
    Attachment,
    CaseRecord,
    ExamKind,
    Material,
    PaymentStatus,
    Recommender,
    Section,
    Specialty,
    TierReview,
)
from exam.models.applications import ReviewStatus
from exam.recommender_services import TEACHER_UPLOADS
from exam.sections import section_label, sections_for
from people.models import Candidate, Physician
from people.tiers import Tier
from review import services as review_services

# --- the actors' steps --------------------------------------------------------------------


class Player:
    """Plays one candidate's story through the services."""

    def __init__(self, world: World, plan: CandidatePlan, candidate: Candidate) -> None:
        self.world = world
        self.plan = plan
        self.candidate = candidate
        self.user = candidate.user
        self.rng = random.Random(f"{SEED}:{plan.phone}")
        # The content (what is typed and uploaded) has its own stream: the story stays the same.
        self.content_rng = random.Random(f"{SEED}:content:{plan.phone}")
        self.application: Application | None = None
        self._content: ApplicationContent | None = None
        self.materials: list[Material] = []

    @property
    def is_health(self) -> bool:
        return self.plan.kind == ExamKind.HEALTH_QUALIFICATION

    @property
    def content(self) -> ApplicationContent:
        if self._content is None:
            build = build_health_content if self.is_health else build_tcm_content
            self._content = build(self.content_rng, self.world, self.candidate, self.application)
        return self._content

    # candidate side

    def create(self) -> Application:
        project = self.world.projects[self.plan.kind]
        kwargs: dict[str, Any] = {"track": self.plan.track}
        if self.plan.kind == ExamKind.HEALTH_QUALIFICATION:
            specialty = Specialty.objects.select_related("level").get(pk=self.plan.specialty_id)
            kwargs = {"level": specialty.level, "specialty": specialty}
        self.application = exam_services.application_create(
            actor=self.user,
            candidate=self.candidate,
            project=project,
            entry_institution=self.world.tree[self.plan.entry_code],
            **kwargs,
        )
        return self.application

    def _sections(self) -> dict[str, Section]:
        return {s.code: s for s in self.application.sections.all()}

    def fill(self, *, complete: bool = True, submitting: bool = True) -> None:
        """Fill the sections: every required one (and the optional ones the content has), or
        only part. The rows behind a section (materials, case records, attachments,
        recommenders) are added with it; a section left incomplete gets few or none."""
        app = self.application
        definitions = sections_for(app.project.kind, app.track)
        sections = self._sections()
        for index, definition in enumerate(definitions):
            if not definition.required and not self.content.has(definition.code):
                continue
            data = self.content.sections[definition.code]
            done = complete or index == 0
            if not done:
                if self.rng.random() < 0.5:
                    continue  # not opened yet: stays 去完善 with nothing typed
                data = dict(list(data.items())[:1])  # a draft missing most fields
            # The rows are written inside the save, so the rules (exam.completeness) see
            # them; a part-filled section is saved as the candidate's 暂存 (a draft).
            exam_services.section_save(
                actor=self.user,
                section=sections[definition.code],
                data=data,
                draft=not done,
                write=lambda code=definition.code, done=done: self.add_rows(
                    code, complete=done, submitting=submitting
                ),
            )

    def add_rows(self, code: str, *, complete: bool, submitting: bool) -> None:
        if self.is_health:
            if complete:
                self._add_materials(code)
            return
        self._add_attachments(code, complete=complete)
        if code == "expertise":
            self._add_case_records(complete=complete)
        elif code == "recommendation":
            self._add_recommenders(complete=complete, submitting=submitting)

    def _add_materials(self, code: str) -> None:
        app = self.application
        for planned in self.content.materials.get(code, []):
            material = planned.model(application=app, **planned.fields)
            style = MATERIAL_STYLES[planned.model._meta.model_name]
            image = demo_media.certificate_png(
                style, self.content_rng.randrange(demo_media.VARIANTS)
            )
            store_file(material.image, planned.filename, image)
            material.save()
            self.materials.append(material)
        if code == "education":
            app.highest_education = self.content.highest_education
            Application.objects.filter(pk=app.pk).update(highest_education=app.highest_education)

    def _add_attachments(self, code: str, *, complete: bool) -> None:
        files = self.content.attachments.get(code, [])
        if not complete and files:
            files = files[: self.content_rng.randint(0, len(files) - 1)]
        for planned in files:
            attachment = Attachment(
                application=self.application,
                section_code=code,
                kind=planned.kind,
                label=planned.label,
                content_type=planned.content_type,
                size=len(planned.content),
            )
            store_file(attachment.file, planned.filename, planned.content)
            attachment.save()

    def _add_case_records(self, *, complete: bool) -> None:
        records = self.content.case_records
        if not complete:
            records = records[: self.content_rng.randint(0, len(records) - 1)]
        CaseRecord.objects.bulk_create(
            CaseRecord(application=self.application, **record) for record in records
        )

    def _add_recommenders(self, *, complete: bool, submitting: bool) -> None:
        """Every required teacher signed before submitting; a draft has some only looked up
        (获取成功) or invited (待核验), and an unfinished section only one of them."""
        S = Recommender.Status
        planned = self.content.recommenders
        if not complete:
            planned = planned[:1]
            stages = [self.content_rng.choice([S.LOOKED_UP, S.INVITED])]
        elif submitting:
            stages = [S.SIGNED] * len(planned)
        else:
            stages = [
                self.content_rng.choice([S.LOOKED_UP, S.INVITED, S.CONFIRMED, S.SIGNED])
                for _ in planned
            ]
        for index, ((role, physician), stage) in enumerate(
            zip(planned, stages, strict=True), start=1
        ):
            self._add_recommender(index, role, physician, stage)

    def _add_recommender(self, index: int, role: str, physician: Physician, stage: str) -> None:
        S = Recommender.Status
        order = [S.LOOKED_UP, S.INVITED, S.CONFIRMED, S.SIGNED]
        reached = order.index(stage)
        rng = self.content_rng
        recommender = Recommender(
            application=self.application,
            role=role,
            physician=physician,
            name=physician.name,
            id_number=physician.id_number,
        )
        if reached >= order.index(S.INVITED):
            recommender.invite()
            recommender.invitation_nonce = f"{rng.getrandbits(128):032x}"
            recommender.invited_at = timezone.now()
        if reached >= order.index(S.CONFIRMED):
            recommender.confirm_identity()
            recommender.confirmed_at = timezone.now()
        if reached >= order.index(S.SIGNED):
            recommender.sign()
            words = {"technique": self.content.technique, "disease": self.content.disease}
            evaluations = (
                demo_texts.SUPERVISOR_EVALUATIONS
                if role == Recommender.Role.SUPERVISOR
                else demo_texts.RECOMMENDER_EVALUATIONS
            )
            recommender.pledge_accepted = True
            recommender.evaluation = rng.choice(evaluations).format(**words)
            recommender.opinion = rng.choice(demo_texts.OPINIONS)
            store_file(
                recommender.signature,
                f"{self.application.pk}_{role}_{index}.png",
                demo_media.signature_png(f"{physician.id_number}:{self.application.pk}"),
            )
            recommender.signed_at = timezone.now()
        recommender.save()
        # The proofs the candidate uploads for every teacher (seed 000 §4.3.8.3).
        for kind, label in TEACHER_UPLOADS[role]:
            content = demo_media.certificate_png("tcm", rng.randrange(demo_media.VARIANTS))
            attachment = Attachment(
                application=self.application,
                section_code="recommendation",
                recommender=recommender,
                kind=kind,
                label=label,
                content_type=demo_media.PNG,
                size=len(content),
            )
            store_file(attachment.file, f"{self.application.pk}_{role}_{index}_{kind}.png", content)
            attachment.save()

    def verify_materials(self) -> None:
        """核验 by the unit's reviewer: more of it the further the application got; a few
        materials fail with a remark, most stay 待核验."""
        if not self.materials:
            return
        app = self._refresh()
        S = ReviewStatus
        shares = {S.APPROVED: (0.45, 0.03), S.REPORTED: (0.45, 0.03)}.get(
            app.unit_review_status, (0.1, 0.04)
        )
        if app.unit_review_status in {S.REJECTED, S.RETURNED}:
            shares = (0.2, 0.25)
        if app.status in {Application.Status.DRAFT, Application.Status.WITHDRAWN}:
            return
        actor = self.world.reviewer_for(self.world.institution(app.unit_id))
        verified, failed = shares
        for material in self.materials:
            roll = self.content_rng.random()
            if roll < verified:
                set_verification(material, actor=actor, verified=True, remark=VERIFIER_REMARK)
            elif roll < verified + failed:
                remarks = demo_texts.FAILED_REMARKS[material._meta.model_name]
                remark = self.content_rng.choice(remarks)
                set_verification(material, actor=actor, verified=False, remark=remark)

    def submit(self) -> None:
        self.application = exam_services.application_submit(
            actor=self.user, application=self.application
        )

    def withdraw(self) -> None:
        self.application = exam_services.application_withdraw(
            actor=self.user, application=self.application
        )

    def correct_and_resubmit(self) -> None:
        # Its own stream: the corrections do not move the story's later rolls.
        changes = random.Random(f"{SEED}:corrections:{self.plan.phone}")
        for section in self._sections().values():
            if section.status == Section.Status.COMPLETE and self.rng.random() < 0.7:
                data = section.data
                if self.is_health:
                    data = data | {"corrected": "已按审核意见修改"}
                else:  # TCM data keeps to the keys of exam.sections.TCM_SECTION_FIELDS
                    data = corrected_data(data)
                exam_services.section_save(
                    actor=self.user,
                    section=section,
                    data=data,
                    write=lambda s=section: correct_rows(self.application, s, changes),
                )
        self.application = exam_services.application_resubmit(
            actor=self.user, application=self.application
        )

    # reviewer side: each step reads the application afresh (the services change it)

    def _refresh(self) -> Application:
        self.application.refresh_from_db()
        return self.application

    def _reviewer(self, app: Application) -> AbstractBaseUser:
        return self.world.reviewer_for(self.world.institution(app.current_institution_id))

    def decide(self, decision: str, remark: str = "") -> None:
        app = self._refresh()
        review = TierReview.objects.get(application=app, tier=app.current_tier)
        review_services.tier_review_decide(
            actor=self._reviewer(app), tier_review=review, decision=decision, remark=remark
        )

    def confirm_onsite(self) -> None:
        """现场确认, where the application is a TCM one at its county and not yet confirmed."""
        app = self._refresh()
        if (
            app.project.kind == ExamKind.TCM_EXPERTISE
            and app.current_tier == Tier.COUNTY
            and app.onsite_confirmed_at is None
        ):
            review_services.application_confirm_onsite(
                actor=self._reviewer(app), application=app, remark="考生本人到场确认。"
            )

    def approve(self) -> None:
        self.confirm_onsite()
        self.decide("approve", "材料齐全，符合报考条件。")

    def report(self) -> None:
        app = self._refresh()
        review_services.institution_report(
            actor=self._reviewer(app),
            institution=self.world.institution(app.current_institution_id),
            business=app.project_id,
            application_ids=[app.pk],
        )

    def return_with_locks(self) -> None:
        """允许修改: lock every complete section but one, and name that one in the remark."""
        sections = [s for s in self._sections().values() if s.status == Section.Status.COMPLETE]
        if not sections:
            raise ValueError("nothing left for the candidate to correct")
        kind = self.application.project.kind
        to_fix = self.rng.choice(sections[1:] or sections)
        reviewer = self._reviewer(self._refresh())
        for section in sections:
            if section.pk != to_fix.pk:
                review_services.section_lock(actor=reviewer, section=section)
        label = section_label(kind, to_fix.code)
        self.decide("return", f"“{label}”材料不完整或不清晰，请补充后重新提交。")

    def reject(self) -> None:
        tier = self._refresh().current_tier
        remark = {
            Tier.UNIT: "工作年限不符合报考条件。",
            Tier.COUNTY: "相关年限证明不足，不符合报考条件。",
            Tier.CITY: "所报材料经核验不符，不符合报考条件。",
            Tier.PROVINCE: "经省级复核，不符合本年度报考条件。",
        }[tier]
        if self.rng.random() < 0.5:
            self.confirm_onsite()
        self.decide("reject", remark)

    def pass_tier(self) -> None:
        """Approve at the current tier (sometimes after a detour) and report it up."""
        roll = self.rng.random()
        if roll < 0.1:
            self.decide("defer")
        elif roll < 0.15:
            self.return_with_locks()
            self.correct_and_resubmit()
        self.approve()
        self.report()

    # stories

    def play_scenario(self, scenario: Scenario) -> None:
        self.create()
        if scenario.outcome == "draft":
            self.fill(complete=self.rng.random() < 0.25, submitting=False)
            return
        self.fill()
        self.submit()
        if scenario.outcome == "withdrawn":
            self.withdraw()
        elif scenario.outcome == "withdrawn_resubmitted":
            self.withdraw()
            self.submit()
        if scenario.tier is None:
            return
        while self._refresh().current_tier != scenario.tier:
            self.pass_tier()
        outcome = scenario.outcome
        if outcome == "pending":
            if self.rng.random() < 0.5:
                self.confirm_onsite()
        elif outcome == "deferred":
            self.decide("defer")
        elif outcome == "returned":
            self.return_with_locks()
        elif outcome == "resubmitted":
            self.return_with_locks()
            self.correct_and_resubmit()
        elif outcome == "rejected":
            self.reject()
        elif outcome == "approved":
            self.approve()
        elif outcome == "reopened":
            self.approve()
            app = self._refresh()
            review_services.tier_review_reopen(
                actor=self._reviewer(app),
                tier_review=TierReview.objects.get(application=app, tier=app.current_tier),
                remark="需再次核对所报材料。",
            )
        else:
            raise ValueError(outcome)

    def play_script(self, script: str) -> None:
        self.create()
        if script == "draft":
            # 基础信息 done, 学历信息 saved as an incomplete draft (no record uploaded yet).
            first, second = sections_for(self.application.project.kind)[:2]
            sections = self._sections()
            exam_services.section_save(
                actor=self.user,
                section=sections[first.code],
                data=self.content.sections[first.code],
                write=lambda: self.add_rows(first.code, complete=True, submitting=False),
            )
            exam_services.section_save(
                actor=self.user,
                section=sections[second.code],
                data={"school": self.content.sections[second.code]["school"]},
                draft=True,
            )
            return
        self.fill()
        self.submit()
        if script == "returned":
            self.return_with_locks()

    def settle_payment(self) -> None:
        """About half of the submitted applications paid; some rejected ones refunded."""
        app = self._refresh()
        paid_share = {
            Application.Status.APPROVED: 0.85,
            Application.Status.IN_REVIEW: 0.5,
            Application.Status.SUBMITTED: 0.4,
            Application.Status.RETURNED: 0.4,
            Application.Status.REJECTED: 0.6,
        }.get(app.status, 0)
        if self.rng.random() >= paid_share:
            return
        actor = self.world.reviewers["province"]
        review_services.application_set_payment(
            actor=actor, application=app, status=PaymentStatus.PAID
        )
        if app.status == Application.Status.REJECTED and self.rng.random() < 0.6:
            review_services.application_set_payment(
                actor=actor, application=app, status=PaymentStatus.REFUNDED
            )
