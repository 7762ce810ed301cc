"""A candidate's 消息 in Chromium: the unread badge in the header, a returned application's
message opened (remark, sections to change, the SMS sent), read, then 全部标为已读."""

import pytest
from playwright.sync_api import expect

from people.models import Notification, NotificationKind
from people.notice_tasks import notice_sms_deliver
from review import services as review_services
from tests.browser.steps import click_and_wait
from tests.builders import submitted

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"


def login(page, live_server, candidate):
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=phone]", candidate.phone)
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("form button[type=submit]").first)


def test_candidate_reads_the_returned_message(
    live_server, page, reference_data, reviewers, tree, health_project, shoot
):
    application = submitted(health_project, tree[UNIT_A])
    review_services.tier_review_decide(
        actor=reviewers["unit_a"],
        tier_review=application.tier_reviews.get(tier="unit"),
        decision="return",
        remark="请补充从事本专业工作年限。",
        locked_sections=["basic", "education"],
    )
    returned = Notification.objects.get(kind=NotificationKind.RETURNED)
    assert notice_sms_deliver(sms_id=returned.sms_id) == "sent"  # what the worker does

    login(page, live_server, application.candidate)
    expect(page.locator("#unread-notices")).to_have_text("2")
    click_and_wait(page.locator("#nav-notices"))
    rows = page.locator(".notice-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("被退回修改")  # newest first
    expect(rows.first).to_contain_text("短信已发送")
    expect(rows.nth(1)).to_contain_text("未发短信")
    shoot(page, "candidate-notices")

    click_and_wait(rows.first.get_by_role("link"))
    expect(page.locator("#notice-body")).to_contain_text("审核意见：请补充从事本专业工作年限。")
    expect(page.locator("#notice-body")).to_contain_text("需要修改的分项：")
    expect(page.locator("#notice-body")).not_to_contain_text("基础信息")
    expect(page.locator("#notice-sms")).to_contain_text("短信已发送")
    expect(page.locator("#unread-notices")).to_have_text("1")  # this one is read now
    shoot(page, "candidate-notice")

    click_and_wait(page.get_by_role("link", name="查看申报"))
    assert page.url.endswith(f"/apply/{application.pk}/")

    click_and_wait(page.locator("#nav-notices"))
    click_and_wait(page.locator("#read-all"))
    expect(page.get_by_text("已将1条消息标为已读。")).to_be_visible()
    expect(page.locator("#unread-notices")).to_have_count(0)
    assert not Notification.objects.filter(read_at__isnull=True).exists()
