"""个人信息查询记录 in Chromium: a reviewer opens the candidate's application in the admin;
the candidate, on a phone, follows the header link and sees the institution and the time,
never the reviewer's account."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.steps import click_and_wait
from tests.builders import in_health_business, submitted
from tests.review.scenario import UNIT_A

pytestmark = pytest.mark.django_db(transaction=True)


def test_candidate_sees_which_institution_looked(
    live_server, mobile_page, reviewers, tree, health_project, shoot
):
    application = submitted(health_project, tree[UNIT_A])
    reviewer = in_health_business(reviewers["unit_a"])
    admin = Client()
    admin.force_login(reviewer)
    detail = reverse("admin:review_reviewapplication_change", args=[application.pk])
    assert admin.get(detail).status_code == 200

    page = mobile_page
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=phone]", application.candidate.phone)
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("form button[type=submit]").first)
    click_and_wait(page.get_by_role("link", name="个人信息查询记录"))
    rows = page.locator("tr.access-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(tree[UNIT_A].name)
    expect(rows.first).to_contain_text("查看报名详情")
    assert reviewer.username not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "candidate-access-log")
