"""报考条件 in Chromium: a unit reviewer finds the 不符合 applications through the list's
column and filter, reads why on the detail page, overrides the result with a remark and
revokes the override (撤销人工认定), which brings the system's result back."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exam.eligibility.outcomes import Outcome
from exam.eligibility.services import eligibility_outcome_copy
from exam.models import EligibilityResult
from tests.browser.steps import click_and_wait
from tests.builders import submitted

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"
LIST = "/admin/review/reviewapplication/"
EXPLANATION = "本科，任师职满 3 年（2023-07 至 2026-12-31），中级要求 4 年：不符合"


def _result(application, outcome: Outcome, explanation: str) -> None:
    eligibility_outcome_copy(outcomes={application.pk: outcome})  # as the services do
    EligibilityResult.objects.create(
        application=application,
        outcome=outcome,
        computed_outcome=outcome,
        results=[
            {
                "code": "education_years",
                "title": "学历与年限",
                "outcome": outcome,
                "explanation": explanation,
            }
        ],
        rule_set_version=1,
        evaluated_at=timezone.now(),
    )


def _login(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def test_unit_filters_ineligible_reads_why_and_overrides(
    live_server, page, reference_data, reviewers, tree, health_project, artifact
):
    ineligible = submitted(health_project, tree[UNIT_A])
    _result(ineligible, Outcome.INELIGIBLE, EXPLANATION)
    _result(submitted(health_project, tree[UNIT_A]), Outcome.ELIGIBLE, "本科，工作满 4 年：符合")
    submitted(health_project, tree[UNIT_A])  # not judged yet: a blank cell

    _login(page, live_server, "unit_a")
    page.goto(live_server.url + LIST)
    expect(page.locator("#result_list thead")).to_contain_text("报考条件")
    column = page.locator("#result_list tbody td.field-eligibility_badge")
    assert sorted(cell.strip() for cell in column.all_inner_texts()) == ["", "不符合", "符合"]

    # 高级搜索 → 报考条件: 不符合.
    page.locator("a.filter-open-button").first.click()
    form = page.locator("#filter-form")
    form.get_by_role("button", name="高级搜索").click()
    form.locator("select[name=eligibility] + .select2 .select2-selection").click()
    page.locator(".select2-results__option", has_text="不符合").first.click()
    click_and_wait(form.locator("button[type=submit]"))
    assert "eligibility=ineligible" in page.url
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert ineligible.candidate.id_number in rows.first.inner_text()
    page.screenshot(path=artifact("review-list-eligibility.png"), full_page=True)

    # The detail page: the block first on 基础信息, with the rule's explanation.
    click_and_wait(rows.first.get_by_role("link", name="查看"))
    block = page.locator("#eligibility")
    expect(block).to_be_visible()
    expect(block).to_contain_text(EXPLANATION)
    expect(block.locator("h2 .rv-badge")).to_have_text("不符合")

    # 人工认定 with a remark.
    block.get_by_text("人工认定报考条件").click()
    page.select_option("#eligibility-outcome", Outcome.ELIGIBLE)
    page.fill("#eligibility-remark", "单位人事证明显示 2022-06 已任师职，年限满足。")
    click_and_wait(block.get_by_role("button", name="保存认定"))
    expect(page.get_by_text("已人工认定报考条件为“符合”。")).to_be_visible()
    block = page.locator("#eligibility")
    expect(block.locator("h2 .rv-badge")).to_have_text("符合")
    expect(block).to_contain_text("人工认定：符合（")
    expect(block).to_contain_text("单位·江岸区演示第一医院")
    expect(block).to_contain_text("认定说明：单位人事证明显示 2022-06 已任师职，年限满足。")
    expect(block).to_contain_text("系统判断：不符合")
    page.screenshot(path=artifact("review-detail-eligibility.png"), full_page=True)

    result = EligibilityResult.objects.get(application=ineligible)
    assert (result.outcome, result.computed_outcome) == (Outcome.ELIGIBLE, Outcome.INELIGIBLE)

    # Back in the list the row carries the mark and leaves the 不符合 filter.
    page.goto(live_server.url + LIST)
    expect(page.locator("#result_list .review-flag--override")).to_have_text("人工认定")
    page.goto(live_server.url + LIST + "?eligibility=ineligible")
    expect(page.locator("#result_list tbody tr.data-row")).to_have_count(0)

    # 撤销人工认定: the system's 不符合 counts again, and the row is back under the filter.
    page.goto(live_server.url + LIST + f"{ineligible.pk}/change/")
    block = page.locator("#eligibility")
    click_and_wait(block.get_by_role("button", name="撤销人工认定"))
    expect(page.get_by_text("已撤销人工认定，报考条件恢复为系统判断“不符合”。")).to_be_visible()
    block = page.locator("#eligibility")
    expect(block.locator("h2 .rv-badge")).to_have_text("不符合")
    expect(block).not_to_contain_text("人工认定：")
    expect(block.get_by_role("button", name="撤销人工认定")).to_have_count(0)
    page.goto(live_server.url + LIST + "?eligibility=ineligible")
    rows = page.locator("#result_list tbody tr.data-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(ineligible.candidate.id_number)
