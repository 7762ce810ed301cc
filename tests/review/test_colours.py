"""One colour map per status enum (review.workflow, core.jobs.models): each covers its
enum, and the list badges, the detail page and the dashboard read it."""

import pytest
from django.urls import reverse

from core.jobs.models import JOB_STATUS_COLOURS, Job
from exam.eligibility.outcomes import Outcome
from exam.models import Application, PaymentStatus, Recommender, Section, VerificationStatus
from exam.models.applications import ReviewStatus
from review import workflow
from review.admin.dashboard import FIGURE_COLOURS
from review.templatetags.review_badges import COLOURS
from tests.builders import submitted
from tests.review.scenario import UNIT_A


@pytest.mark.parametrize(
    ("enum", "colours"),
    [
        (Application.Status, workflow.APPLICATION_STATUS_COLOURS),
        (ReviewStatus, workflow.REVIEW_STATUS_COLOURS),
        (PaymentStatus, workflow.PAYMENT_STATUS_COLOURS),
        (VerificationStatus, workflow.VERIFICATION_STATUS_COLOURS),
        (Section.Status, workflow.SECTION_STATUS_COLOURS),
        (Recommender.Status, workflow.RECOMMENDER_STATUS_COLOURS),
        (Job.Status, JOB_STATUS_COLOURS),
        (Outcome, workflow.ELIGIBILITY_COLOURS),
    ],
)
def test_each_status_has_one_colour(enum, colours):
    assert set(colours) == set(enum.values)
    assert colours in COLOURS.values()  # templates read the same map


def test_every_review_status_has_a_dashboard_figure_colour():
    assert set(workflow.REVIEW_STATUS_COLOURS.values()) <= set(FIGURE_COLOURS)


def test_the_detail_page_badges_read_the_maps(client, reviewers, tree, health_project):
    application = submitted(health_project, tree[UNIT_A])
    client.force_login(reviewers["unit_a"])
    url = reverse("admin:review_reviewapplication_change", args=[application.pk])
    html = client.get(url).content.decode()
    assert '提交状态：<span class="rv-badge rv-badge--primary">已提交</span>' in html
    assert '缴费状态：<span class="rv-badge rv-badge--warning">待缴费</span>' in html
    assert '<span class="rv-badge rv-badge--info">已填写</span>' in html
