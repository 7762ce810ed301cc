"""修改内容 in Chromium (issue 16 §1): a unit reviewer returns an application (允许修改), the
candidate changes a 学历 field and replaces its diploma photo and resubmits; the reviewer's
detail page opens on 修改内容 with old → new and both photos, and the list says 已修改."""

import re

import pytest
from playwright.sync_api import expect

from exam.material_writes import education_highest_update
from exam.models import Application
from tests.browser.conftest import _watched_context
from tests.browser.steps import click_and_wait
from tests.browser.test_candidate_health import card, login, png
from tests.builders import submitted
from tests.review.materials import education

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": "/private-media-not-served/"},
        },
    }
    return root


def _reviewer_login(page, live_server):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "unit_a")
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def test_reviewer_sees_what_changed_after_the_return(
    live_server,
    page,
    browser,
    browser_problems,
    reference_data,
    reviewers,
    tree,
    health_project,
    tmp_path,
    artifact,
):
    application = submitted(health_project, tree[UNIT_A])
    education(application)  # 湖北中医药大学, with its diploma photo
    education_highest_update(application=application)  # 学历层级, as the candidate's save does
    detail = f"{live_server.url}/admin/review/reviewapplication/{application.pk}/change/"

    # The reviewer returns it (允许修改).
    reviewer = page
    _reviewer_login(reviewer, live_server)
    reviewer.goto(detail)
    expect(reviewer.get_by_role("button", name="修改内容")).to_have_count(0)
    reviewer.select_option("#decision", "return")
    reviewer.fill("#remark", "毕业证书照片不清晰，请重新上传。")
    click_and_wait(reviewer.get_by_role("button", name="提交"))
    expect(reviewer.get_by_text("已提交审核：允许修改")).to_be_visible()

    # The candidate corrects the school, replaces the photo and resubmits.
    context, problems = _watched_context(browser)
    browser_problems.extend(problems)  # the same list: checked once the test has run
    candidate = context.new_page()
    candidate.set_default_timeout(15_000)
    login(candidate, live_server, application.candidate)
    candidate.goto(f"{live_server.url}/apply/{application.pk}/")
    card(candidate, "学历信息").get_by_role("link").click()
    candidate.locator(".education-card").get_by_role("link", name="编辑").click()
    candidate.fill("input[name=school]", "武汉大学")
    candidate.set_input_files("input[name=image]", png(tmp_path / "clear.png", (200, 40, 40)))
    click_and_wait(candidate.get_by_role("button", name="保存修改"))
    expect(candidate.locator(".education-card")).to_contain_text("武汉大学")
    candidate.goto(f"{live_server.url}/apply/{application.pk}/")
    candidate.get_by_role("button", name="重新提交").click()
    expect(candidate.locator("#application-status")).to_have_text("审核中")
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW

    # The reviewer's list marks it; its page opens on 修改内容.
    reviewer.goto(live_server.url + "/admin/review/reviewapplication/")
    row = reviewer.locator("#result_list tbody tr", has_text=application.candidate.id_number)
    expect(row.locator(".review-flag--revised")).to_have_text("已修改")
    reviewer.goto(detail)
    panel = reviewer.locator("#tab-changes")
    expect(panel).to_be_visible()
    expect(reviewer.locator("#tab-basic")).to_be_hidden()
    expect(panel).to_contain_text("第1次退回修改")
    expect(panel).to_contain_text("毕业证书照片不清晰")
    expect(panel.locator("del.rv-old", has_text="湖北中医药大学")).to_be_visible()
    expect(panel.locator("ins.rv-new", has_text="武汉大学")).to_be_visible()
    expect(panel.get_by_text("更换")).to_be_visible()
    photos = panel.locator(".rv-change-file img")
    expect(photos).to_have_count(2)  # the old photo and the new one, side by side
    reviewer.wait_for_function(
        "() => [...document.querySelectorAll('#tab-changes .rv-change-file img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    expect(panel).to_contain_text("未修改：基础信息")
    reviewer.screenshot(path=artifact("review-changes-unit_a.png"), full_page=True)
    # The other tabs are still there.
    reviewer.get_by_role("button", name="证明材料").click()
    expect(reviewer.locator("#tab-materials")).to_contain_text("武汉大学")
