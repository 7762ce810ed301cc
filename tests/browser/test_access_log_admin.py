"""个人信息访问记录 in Chromium: provincial staff open it from the sidebar, filter by 访问类型
and by days, and open 异常访问 (no console or CSP errors on any of them)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.steps import click_and_wait
from tests.builders import in_health_business, submitted
from tests.review.scenario import UNIT_A

pytestmark = pytest.mark.django_db(transaction=True)
LIST = "/admin/core/personaldataaccess/"


def test_province_filters_the_log_and_opens_unusual_access(
    live_server, page, reviewers, tree, health_project, shoot
):
    application = submitted(health_project, tree[UNIT_A])
    reviewer = Client()
    reviewer.force_login(in_health_business(reviewers["unit_a"]))
    detail = reverse("admin:review_reviewapplication_change", args=[application.pk])
    assert reviewer.get(detail).status_code == 200
    in_health_business(reviewers["province"])

    page.goto(live_server.url + "/admin/")
    page.fill("input[name=username]", "province")
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("button[type=submit]").first)
    expect(page.locator(f'a[href="{LIST}"]')).not_to_have_count(0)  # the sidebar
    page.goto(live_server.url + LIST)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(tree[UNIT_A].name)
    shoot(page, "access-log-admin")

    today = timezone.localdate()
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}{LIST}?at_to={yesterday}")
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    page.goto(f"{live_server.url}{LIST}?kind__exact=detail&at_from={today.isoformat()}")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)

    click_and_wait(page.locator("[data-testid=access-unusual]"))
    expect(page.locator("[data-testid=access-unusual-page]")).to_be_visible()
    expect(page.locator("[data-testid=busy-row]")).to_have_count(0)
    shoot(page, "access-unusual")
