"""推荐人跨区县统计 in Chromium: provincial staff have it in the sidebar, see the teacher on
three counties' applications, sort, filter to nothing and back (no console or CSP errors)."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import click_and_wait
from tests.builders import work_in
from tests.review.test_recommender_spread import build_spread

pytestmark = pytest.mark.django_db(transaction=True)


def test_province_opens_sorts_and_filters(
    live_server, page, reference_data, reviewers, tree, tcm_project, shoot
):
    built = build_spread(tree, tcm_project)
    work_in(reviewers["province"], tcm_project)
    page.goto(live_server.url + "/admin/")
    page.fill("input[name=username]", "province")
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("button[type=submit]").first)
    expect(page.locator('a[href="/admin/recommenders/"]')).not_to_have_count(0)  # sidebar
    page.goto(live_server.url + "/admin/recommenders/")
    rows = page.locator("[data-testid=spread-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("张推荐")
    expect(rows.first).to_contain_text(built["zhang"].id_number)
    expect(rows.first.locator("[data-testid=spread-counties]")).to_have_text("3")
    shoot(page, "recommender-spread")
    # Down to one county: 李 too; sorted by 区县数 ascending, 李 comes first.
    page.fill("input[name=min_counties]", "1")
    click_and_wait(page.get_by_role("button", name="筛选"))
    expect(rows).to_have_count(2)
    click_and_wait(page.locator("[data-testid=sort-3]"))  # 区县数, already high to low: turned
    expect(rows.first).to_contain_text("李推荐")
    page.fill("input[name=min_counties]", "9")
    click_and_wait(page.get_by_role("button", name="筛选"))
    expect(page.locator("[data-testid=spread-empty]")).to_be_visible()
