"""The review list's filter panel in Chromium (issue 12 items 8 and 9)."""

import re

import pytest
from playwright.sync_api import expect

from exam.models import Application, Level
from tests.browser.steps import click_and_wait
from tests.builders import submitted

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"
LIST = "/admin/review/reviewapplication/"


def _login(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def _choose(page, name: str, text: str) -> None:
    """Pick an option of one of the panel's select2 dropdowns, as a reviewer does."""
    page.locator(f"#filter-form select[name={name}] + .select2 .select2-selection").click()
    page.locator(".select2-results__option", has_text=text).first.click()


def test_specialty_follows_the_level_in_the_panel(
    live_server, page, reference_data, reviewers, tree, health_project
):
    """Item 8: changing 申报级别 clears 类别(专业) and offers the new level's at once."""
    middle = submitted(health_project, tree[UNIT_A])  # 中级, its level's first specialty
    junior = submitted(health_project, tree[UNIT_A])
    level_1 = Level.objects.get(code="1")
    specialty_1 = level_1.specialties.order_by("code").first()
    Application.objects.filter(pk=junior.pk).update(level=level_1, specialty=specialty_1)

    _login(page, live_server, "unit_a")
    page.goto(live_server.url + LIST + f"?level=3&specialty={middle.specialty_id}")
    assert page.locator("#result_list tbody tr").count() == 1
    page.locator("a.filter-open-button").first.click()

    _choose(page, "level", "初级(士)")
    specialty = page.locator("#filter-form select[name=specialty]")
    expect(specialty).to_have_value("")
    offered = specialty.locator("option").all_inner_texts()
    assert offered[0] == "全部" and len(offered) == 1 + level_1.specialties.count()
    assert all(text.startswith("1") for text in offered[1:])

    _choose(page, "specialty", f"{specialty_1.code} {specialty_1.name}")
    click_and_wait(page.locator("#filter-form button[type=submit]"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert junior.candidate.id_number in rows.first.inner_text()


def test_panel_has_advanced_search_and_reset(
    live_server, page, reference_data, reviewers, tree, health_project, artifact
):
    """Item 9: 重置 is there before any filter is used; 高级搜索 reveals the other filters."""
    submitted(health_project, tree[UNIT_A])
    _login(page, live_server, "unit_a")
    page.goto(live_server.url + LIST)
    page.locator("a.filter-open-button").first.click()

    form = page.locator("#filter-form")
    expect(form.locator("input[name=name]")).to_be_visible()
    expect(form.get_by_role("link", name="重置")).to_be_visible()
    advanced = page.locator("#advanced-filters")
    expect(advanced).to_be_hidden()
    toggle = form.get_by_role("button", name="高级搜索")
    toggle.click()
    expect(advanced).to_be_visible()
    expect(advanced).to_contain_text("缴费状态")
    page.screenshot(path=artifact("review-list-filters-advanced.png"), full_page=True)

    # A filter of the advanced part in use: the part opens by itself; 重置 clears it.
    _choose(page, "payment", "待缴费")
    click_and_wait(form.locator("button[type=submit]"))
    assert "payment=unpaid" in page.url
    page.locator("a.filter-open-button").first.click()
    expect(page.locator("#advanced-filters")).to_be_visible()
    click_and_wait(page.locator("#filter-form").get_by_role("link", name="重置"))
    assert "payment" not in page.url
