"""A unit reviewer's day in Chromium: log in, filter, open a detail, return one application
with a locked section, approve another, report up; the county then sees it."""

import re

import pytest
from playwright.sync_api import expect

from exam.models import Application
from exam.models.applications import ReviewStatus
from tests.browser.steps import click_and_wait
from tests.builders import submitted

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"


def _login(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def _filter_by_name(page, name):
    page.locator("a.filter-open-button").first.click()
    page.fill("#filter-form input[name=name]", name)
    click_and_wait(page.locator("#filter-form button[type=submit]"))


def test_unit_returns_approves_reports_and_county_sees_it(
    live_server, page, reference_data, reviewers, tree, health_project, artifact
):
    to_return = submitted(health_project, tree[UNIT_A])
    to_approve = submitted(health_project, tree[UNIT_A])
    submitted(health_project, tree[UNIT_A])  # stays pending: the report dialog counts it

    _login(page, live_server, "unit_a")
    page.goto(live_server.url + "/admin/review/reviewapplication/")
    assert page.locator("#result_list tbody tr").count() == 3
    page.screenshot(path=artifact("review-list-unit_a.png"), full_page=True)

    # Filter by name, open the detail.
    _filter_by_name(page, to_return.candidate.name)
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert to_return.candidate.id_number in rows.first.inner_text()
    rows.first.get_by_role("link", name="查看").click()
    assert page.locator(".rv-name").inner_text() == to_return.candidate.name
    page.get_by_role("button", name="对比库信息").click()
    expect(page.get_by_text("违纪考生库信息")).to_be_visible()
    page.get_by_role("button", name="证明材料").click()
    page.get_by_role("button", name="审核进度").click()
    expect(page.locator("#tab-progress").get_by_text("提交申报").first).to_be_visible()
    page.get_by_role("button", name="基础信息").click()
    page.screenshot(path=artifact("review-detail-unit_a.png"), full_page=True)

    # 允许修改 with the basic section locked.
    page.select_option("#decision", "return")
    page.fill("#remark", "学历证书照片不清晰，请重新上传。")
    page.locator("input[name=locked_sections][value=basic]").check()
    click_and_wait(page.get_by_role("button", name="提交"))
    expect(page.get_by_text("已提交审核：允许修改")).to_be_visible()
    to_return.refresh_from_db()
    assert to_return.status == Application.Status.RETURNED
    assert to_return.sections.get(code="basic").status == "locked"

    # 审核通过 for the second one.
    page.goto(live_server.url + f"/admin/review/reviewapplication/{to_approve.pk}/change/")
    page.select_option("#decision", "approve")
    click_and_wait(page.get_by_role("button", name="提交"))
    expect(page.get_by_text("已提交审核：审核通过")).to_be_visible()

    # 材料上报: the dialog counts what goes up and what stays.
    page.get_by_role("link", name="返回列表").click()
    page.locator("a:visible", has_text="材料上报").first.click()
    assert page.locator("#report-count").inner_text() == "1"
    expect(page.get_by_text("本次不会上报")).to_be_visible()
    page.screenshot(path=artifact("review-report-dialog.png"), full_page=True)
    click_and_wait(page.get_by_role("button", name="确认上报"))
    expect(page.get_by_text("已上报 1 条申报至江岸区卫生健康局")).to_be_visible()
    to_approve.refresh_from_db()
    assert to_approve.county_review_status == ReviewStatus.PENDING

    # The county sees it now, and only it.
    page.context.clear_cookies()
    _login(page, live_server, "county_jiangan")
    page.goto(live_server.url + "/admin/review/reviewapplication/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert to_approve.candidate.name in rows.first.inner_text()
    page.screenshot(path=artifact("review-list-county_jiangan.png"), full_page=True)


def test_reject_asks_for_confirmation(
    live_server, page, reference_data, reviewers, tree, health_project
):
    application = submitted(health_project, tree[UNIT_A])
    _login(page, live_server, "unit_a")
    page.goto(live_server.url + f"/admin/review/reviewapplication/{application.pk}/change/")
    page.select_option("#decision", "reject")
    page.fill("#remark", "不符合报考条件。")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="提交").click()
    assert dialogs and "最终结果" in dialogs[0]
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED  # dismissed: nothing sent
    page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(page.get_by_role("button", name="提交"))
    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
