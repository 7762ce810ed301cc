"""逐条审核 in Chromium (issue 16 §2): from a filtered list, 查看 opens the first one; J / K
walk the list, 1–4 choose the decision, Ctrl+Enter submits it and the next pending one
opens; ? shows the shortcuts."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exam.models import Application
from exam.models.applications import ReviewStatus
from tests.browser.steps import click_and_wait
from tests.builders import decide, submitted

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"
LIST = "/admin/review/reviewapplication/"


def _login(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def _press(page, key):
    """A shortcut that leads to another page: wait for it to load."""
    with page.expect_navigation():
        page.keyboard.press(key)


def test_keyboard_walks_the_filtered_list_and_opens_the_next_pending(
    live_server, page, reference_data, reviewers, tree, health_project, artifact
):
    base = timezone.now() - datetime.timedelta(days=1)
    apps = [submitted(health_project, tree[UNIT_A]) for _ in range(4)]
    for i, application in enumerate(apps):  # newest first: apps[3], apps[2], apps[1], apps[0]
        Application.objects.filter(pk=application.pk).update(
            submitted_at=base + datetime.timedelta(hours=i)
        )
    decide(apps[1], "defer")  # out of the 待审核 list
    first, second, third = apps[3], apps[2], apps[0]

    _login(page, live_server, "unit_a")
    page.goto(live_server.url + LIST + "?review_status=pending")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3
    click_and_wait(rows.first.get_by_role("link", name="查看"))
    assert page.locator(".rv-name").inner_text() == first.candidate.name
    expect(page.locator("#seq-position")).to_have_text("第 1 / 3 条")
    expect(page.locator("#seq-pending")).to_have_text("本级待审核剩余 3 条")

    _press(page, "j")
    expect(page.locator("#seq-position")).to_have_text("第 2 / 3 条")
    assert page.locator(".rv-name").inner_text() == second.candidate.name
    assert "review_status%3Dpending" in page.url  # the filters go along
    _press(page, "j")
    expect(page.locator("#seq-position")).to_have_text("第 3 / 3 条")
    _press(page, "k")
    _press(page, "k")
    expect(page.locator("#seq-position")).to_have_text("第 1 / 3 条")

    # The help popover: the 快捷键 button and ?.
    help_box = page.locator("#seq-help")
    expect(help_box).to_be_hidden()
    page.keyboard.press("?")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("Ctrl")
    page.screenshot(path=artifact("review-sequence-help.png"), full_page=True)
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()
    page.get_by_role("button", name="快捷键").click()
    expect(help_box).to_be_visible()
    page.get_by_role("button", name="快捷键").click()
    expect(help_box).to_be_hidden()

    # 1–4 choose the decision; the 锁定分项 of 允许修改 follow the choice.
    decision = page.locator("#decision")
    page.keyboard.press("2")
    expect(decision).to_have_value("defer")
    page.keyboard.press("3")
    expect(decision).to_have_value("return")
    expect(page.locator(".rv-locks")).to_be_visible()
    page.keyboard.press("4")
    expect(decision).to_have_value("reject")
    page.keyboard.press("1")
    expect(decision).to_have_value("approve")
    expect(page.locator(".rv-locks")).to_be_hidden()
    # Typing in the remark: a digit is text, not a shortcut.
    page.locator("#remark").click()
    page.keyboard.type("2")
    expect(decision).to_have_value("approve")
    expect(page.locator("#remark")).to_have_value("2")

    # 审核后自动打开下一条 on; Ctrl+Enter from the remark submits and the next pending opens.
    click_and_wait(page.locator("#seq-auto-next"))
    expect(page.locator("#seq-auto-next")).to_have_text("审核后自动打开下一条：已开启")
    expect(page.locator("#seq-position")).to_have_text("第 1 / 3 条")  # the same page again
    page.keyboard.press("1")
    expect(decision).to_have_value("approve")
    page.locator("#remark").fill("材料齐全。")
    _press(page, "Control+Enter")
    expect(page.get_by_text("已提交审核：审核通过")).to_be_visible()
    assert page.locator(".rv-name").inner_text() == second.candidate.name
    expect(page.locator("#seq-position")).to_have_text("第 1 / 2 条")
    expect(page.locator("#seq-pending")).to_have_text("本级待审核剩余 2 条")
    first.refresh_from_db()
    assert first.unit_review_status == ReviewStatus.APPROVED
    page.screenshot(path=artifact("review-sequence-next.png"), full_page=True)

    # The last two: 暂不审核, then back to the list when none is left.
    page.keyboard.press("2")
    _press(page, "Control+Enter")
    assert page.locator(".rv-name").inner_text() == third.candidate.name
    page.keyboard.press("1")
    _press(page, "Control+Enter")
    expect(page.get_by_text("当前筛选列表中已没有待审核的申报")).to_be_visible()
    assert "/change/" not in page.url and "review_status=pending" in page.url
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.unit_review_status == ReviewStatus.DEFERRED
    assert third.unit_review_status == ReviewStatus.APPROVED
