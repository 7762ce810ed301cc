"""选择业务 in Chromium (issue 12 item 2, seed 003 §1): a county reviewer logs in, is asked
which business to work in, sees only that business, and switches from the header."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import click_and_wait
from tests.builders import advance_to, submitted

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A, JIANGAN = "U420102001", "420102"


def test_county_chooses_the_business_then_switches(
    live_server, page, reference_data, reviewers, tree, health_project, tcm_project, shoot
):
    health = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    tcm = submitted(tcm_project, tree[JIANGAN], track="apprenticeship")

    page.goto(live_server.url + "/admin/review/reviewapplication/?scope=subtree")
    page.fill("input[name=username]", "county_jiangan")
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("button[type=submit]").first)
    # Logged in, but no business yet: 选择业务 first, then back to the list asked for.
    expect(page).to_have_url(re.compile(r".*/admin/business/\?next=.*"))
    choices = page.locator("[data-testid=business-choice]")
    expect(choices).to_have_count(2)
    shoot(page, "business-choice")
    click_and_wait(
        choices.filter(has_text=tcm_project.name).get_by_role("button", name="办理该业务")
    )
    expect(page).to_have_url(re.compile(r".*/admin/review/reviewapplication/\?scope=subtree$"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(tcm.candidate.id_number)
    expect(page.locator("#current-business")).to_contain_text(tcm_project.name)

    # 切换 in the header: the health exam, and the list follows.
    click_and_wait(page.locator("#current-business"))
    click_and_wait(
        page.locator("[data-testid=business-choice]")
        .filter(has_text=health_project.name)
        .get_by_role("button", name="办理该业务")
    )
    expect(page.locator("#current-business")).to_contain_text(health_project.name)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(health.candidate.id_number)
