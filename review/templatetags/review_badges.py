"""`{{ application.status|colour:"application" }}`: a status code's badge colour, read from
the one colour map of its enum (review.workflow, core.jobs.models)."""

from django import template

from core.jobs.models import JOB_STATUS_COLOURS
from review import workflow

register = template.Library()

COLOURS: dict[str, dict[str, str]] = {
    "application": workflow.APPLICATION_STATUS_COLOURS,
    "review": workflow.REVIEW_STATUS_COLOURS,
    "payment": workflow.PAYMENT_STATUS_COLOURS,
    "verification": workflow.VERIFICATION_STATUS_COLOURS,
    "section": workflow.SECTION_STATUS_COLOURS,
    "recommender": workflow.RECOMMENDER_STATUS_COLOURS,
    "eligibility": workflow.ELIGIBILITY_COLOURS,
    "job": JOB_STATUS_COLOURS,
}


@register.filter
def colour(code: str, enum: str) -> str:
    return COLOURS[enum].get(code, "muted")


@register.filter
def section_status_label(code: str) -> str:
    """A section's state in the reviewer's words (未完善 / 已填写 / 已锁定)."""
    return workflow.SECTION_STATUS_LABELS.get(code, code)
