"""Candidate-side reads: a candidate's own applications and what the site shows of them.

The candidate site reads applications only through these, always filtered by the owner,
so another candidate's application is a 404, never a hint that it exists.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from exam.models import Application, ExamProject, Section, TierReview
from exam.sections import SectionDefinition, sections_for
from people.models import Candidate, Institution
from people.tiers import TIER_ORDER, Tier


def candidate_applications(*, candidate: Candidate) -> QuerySet[Application]:
    return (
        Application.objects.filter(candidate=candidate)
        .select_related("project", "level", "specialty", "entry_institution")
        .order_by("-project__year", "project__kind")
    )


def candidate_application_get(*, candidate: Candidate, pk: int) -> Application:
    """The candidate's own application (Application.DoesNotExist otherwise)."""
    return Application.objects.select_related(
        "project", "level", "specialty", "entry_institution", "current_institution", "candidate"
    ).get(pk=pk, candidate=candidate)


def open_projects() -> QuerySet[ExamProject]:
    return ExamProject.objects.filter(is_active=True).order_by("-year", "kind")


@dataclass(frozen=True)
class SectionCard:
    """One card of the overview (§4.4.2): 去完善 / 编辑 / 已锁定."""

    definition: SectionDefinition
    section: Section

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def status(self) -> str:
        return self.section.status

    @property
    def is_locked(self) -> bool:
        return self.section.status == Section.Status.LOCKED

    @property
    def is_complete(self) -> bool:
        return self.section.status in {Section.Status.COMPLETE, Section.Status.LOCKED}


def section_cards(*, application: Application) -> list[SectionCard]:
    by_code = {s.code: s for s in application.sections.all()}
    return [
        SectionCard(definition=d, section=by_code[d.code])
        for d in sections_for(application.project.kind, application.track)
        if d.code in by_code
    ]


@dataclass(frozen=True)
class ProgressStep:
    """One tier of the review chain as the candidate sees it."""

    tier: str
    tier_label: str
    institution: str
    status: str
    status_label: str
    decided_at: datetime | None
    arrived_at: datetime | None
    remark: str
    is_current: bool


def _arrived_at(application: Application, review, *, first: bool) -> datetime | None:
    """When the application reached a tier: the entry tier's review row exists from the
    draft on, so there it is the (latest) submission; above, when it was reported."""
    if review is None:
        return None
    return application.submitted_at if first else review.created_at


def application_progress(*, application: Application) -> list[ProgressStep]:
    """The chain from the entry tier up: each tier's status, time and the remark the reviewer
    wrote (the remark of 允许修改 and 审核不通过 is meant for the candidate)."""
    reviews = {
        r.tier: r
        for r in TierReview.objects.filter(application=application).select_related("institution")
    }
    chain_ids = {t: application.chain_institution_id(t) for t in TIER_ORDER}
    names = dict(
        Institution.objects.filter(pk__in=[i for i in chain_ids.values() if i]).values_list(
            "pk", "name"
        )
    )
    steps = []
    entry_index = TIER_ORDER.index(application.entry_institution.tier)
    for tier in TIER_ORDER[entry_index:]:
        institution_id = chain_ids[tier]
        if not institution_id:
            continue
        review = reviews.get(tier)
        steps.append(
            ProgressStep(
                tier=tier,
                tier_label=Tier(tier).label,
                institution=names.get(institution_id, ""),
                status=review.status if review else "",
                status_label=review.get_status_display() if review else "未到达",
                decided_at=review.decided_at if review else None,
                arrived_at=_arrived_at(application, review, first=tier == TIER_ORDER[entry_index]),
                remark=review.remark if review and review.decided_at else "",
                is_current=review is not None and tier == application.current_tier,
            )
        )
    return steps
