"""The two front doors in a real browser: the public landing page and the admin login."""

import pytest

from tests.browser.steps import click_and_wait

pytestmark = pytest.mark.django_db(transaction=True)


def test_landing_page_at_phone_width(live_server, mobile_page, health_project, artifact):
    mobile_page.goto(live_server.url + "/")
    assert mobile_page.locator("h1").inner_text() == "湖北卫生人才网 · 考试报名与审核"
    assert mobile_page.get_by_text(health_project.name).is_visible()
    assert mobile_page.get_by_text("报名中").is_visible()
    # Nothing wider than the phone: no horizontal scrolling at 375 px.
    width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    mobile_page.screenshot(path=artifact("landing-375.png"), full_page=True)


def test_reviewer_logs_in_to_the_admin(live_server, page, reference_data, reviewers, artifact):
    page.goto(live_server.url + "/")
    click_and_wait(page.get_by_role("link", name="机构登录"))
    assert "/admin/login/" in page.url
    page.fill("input[name=username]", "unit_a")
    page.fill("input[name=password]", "wrong-password")
    click_and_wait(page.locator("button[type=submit], input[type=submit]").first)
    assert "/admin/login/" in page.url
    assert page.get_by_text("请输入一个正确的").first.is_visible()
    page.fill("input[name=username]", "unit_a")
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url(live_server.url + "/admin/")
    assert "湖北卫生人才网" in page.title()
    page.screenshot(path=artifact("admin-index-unit_a.png"), full_page=True)
