"""报考条件 in Chromium: provincial staff open a project's rule set from the 报考条件 list, change
a number in the rules and preview the change: the preview runs as a background job, its page
shows the progress and, once the worker has run it, the 3×3 counts and the moved application
without a manual reload; 确认保存 saves it and lands on the re-evaluation job's page, which
then shows its counts.

The exam kind is the stand-in of tests/exam/eligibility_helpers.py (the candidate's name has
at most `max` characters), so the test holds whatever the real kinds' rules are."""

import re

import pytest
from playwright.sync_api import expect

from core.jobs.models import Job
from exam.eligibility.job_tasks import eligibility_job_run, rules_preview_job_run
from exam.models import EligibilityRuleSet
from tests.browser.steps import click_and_wait
from tests.exam.eligibility_helpers import UNIT_A, applications, stand_in_kind  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("stand_in_kind"),
]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # The job's progress file (SQLite) goes to the private media folder.
    settings.MEDIA_ROOT = tmp_path / "media"


def test_province_previews_and_saves_a_rule_change(
    live_server, page, reference_data, reviewers, tree, health_project, artifact
):
    applications(health_project, tree[UNIT_A], ["王芳", "李小明"])

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "province")
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))

    # 报考条件 (基础数据 in the sidebar) → the project's rule set.
    page.goto(live_server.url + "/admin/exam/eligibilityruleset/")
    click_and_wait(page.get_by_role("link", name=health_project.name, exact=True))
    rules = page.locator("textarea[name=rules]")
    expect(rules).to_have_value('{\n  "max": 3\n}')

    rules.fill('{\n  "max": 2\n}')
    click_and_wait(page.locator("#rule-set-preview"))
    page.wait_for_url(re.compile(r".*/admin/exam/eligibilityruleset/\d+/preview/\d+/$"))
    preview = Job.objects.get()
    assert (preview.kind, preview.owner) == ("rules_preview", reviewers["province"])
    expect(page.locator("#job-status")).to_have_text("排队中")
    expect(page.locator("#job-progress-box")).to_be_visible()
    expect(page.locator("#rule-set-save")).to_have_count(0)
    page.screenshot(path=artifact("eligibility-preview-queued-1280.png"), full_page=True)

    # The worker runs it; the page, polling, shows the moves without a manual reload.
    rules_preview_job_run(preview.pk)
    expect(page.locator("#preview-total")).to_have_text("2", timeout=20_000)
    counts = page.locator("#preview-counts tbody tr")
    expect(counts.nth(0)).to_contain_text("符合")
    # 符合 → 符合: 1 (王芳), 符合 → 不符合: 1 (李小明).
    expect(counts.nth(0).locator("td")).to_have_text(["1", "1", "0", "2"])
    expect(page.locator("#preview-moved")).to_contain_text("李小明")
    page.screenshot(path=artifact("eligibility-preview-1280.png"), full_page=True)
    assert EligibilityRuleSet.objects.get().version == 1  # the preview saves nothing

    click_and_wait(page.locator("#rule-set-save"))
    page.wait_for_url(re.compile(r".*/admin/jobs/job/\d+/change/$"))
    job = Job.objects.get(kind="eligibility")
    assert job.owner == reviewers["province"]
    rule_set = EligibilityRuleSet.objects.get()
    assert (rule_set.version, rule_set.rules) == (2, {"max": 2})
    expect(page.get_by_text("已保存")).to_be_visible()
    expect(page.locator("#job-status")).to_have_text("排队中")

    # The worker runs it; the page, polling, shows the counts without a manual reload.
    eligibility_job_run(job.pk)
    expect(page.locator("#job-counts")).to_have_text(
        "重新判断完成：新增结果 2 条，更新 0 条，未变化 0 条。", timeout=20_000
    )
    expect(page.locator("#job-download")).to_have_count(0)
    page.screenshot(path=artifact("eligibility-job-1280.png"), full_page=True)
