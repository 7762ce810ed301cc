"""Health-exam candidates in Chromium: bind to a unit with its 确认码 (the QR link from the
reviewer's page), fill the required sections and submit; and a returned application
resubmitted with the reviewer's locked section untouched."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from exam.models import Application, Level, Section
from review import services as review_services
from tests.browser.steps import click_and_wait
from tests.builders import submitted
from tests.factories import CandidateFactory

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


def png(path, colour=(20, 120, 60)):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def login(page, live_server, candidate):
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=phone]", candidate.phone)
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("form button[type=submit]").first)


def assert_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def card(page, label):
    return page.locator(".section-card", has_text=label)


def test_health_candidate_binds_with_confirmation_code_and_submits(
    live_server, mobile_page, reference_data, reviewers, tree, health_project, tmp_path, shoot
):
    page = mobile_page
    unit = tree[UNIT_A]
    candidate = CandidateFactory()
    level = Level.objects.get(code="3")
    specialty = level.specialties.order_by("code")[1]

    # The QR code on the reviewer's page opens /apply/bind/?code=…; not logged in yet, the
    # code is kept through the login.
    page.goto(f"{live_server.url}/apply/bind/?code={unit.confirmation_code}")
    page.wait_for_url(re.compile(r".*/account/login/.*"))
    page.fill("input[name=phone]", candidate.phone)
    page.fill("input[name=password]", "demo12345")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/apply/bind/.*"))
    assert page.input_value("input[name=code]") == unit.confirmation_code
    expect(page.locator("#bind-unit")).to_contain_text(unit.name)

    # The specialty list follows the chosen level.
    page.select_option("select[name=level]", level.pk)
    options = page.locator("select[name=specialty] option:not([hidden]):not([value=''])")
    visible = {o.get_attribute("value") for o in options.all() if o.is_enabled()}
    assert str(specialty.pk) in visible
    assert visible <= {str(s.pk) for s in level.specialties.all()}
    page.select_option("select[name=specialty]", str(specialty.pk))
    assert_fits(page)
    shoot(page, "health-bind")
    page.get_by_role("button", name="确认绑定").click()
    page.wait_for_url(re.compile(r".*/apply/\d+/$"))
    application = Application.objects.get(candidate=candidate)
    assert application.unit == unit and application.specialty == specialty
    expect(page.locator("#application-status")).to_have_text("未提交")
    expect(page.get_by_role("button", name="提交")).to_be_disabled()

    # 基础信息: a mistake keeps what was typed and says so next to the field.
    card(page, "基础信息").get_by_role("link").click()
    page.select_option("select[name=ethnicity]", label="汉族")
    page.select_option("select[name=political_status]", index=1)
    page.fill("input[name=work_started_on]", "2099-01-01")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".field-error")).to_be_visible()
    assert page.input_value("input[name=work_started_on]") == "2099-01-01"
    page.fill("input[name=work_started_on]", "2015-07-01")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r".*/apply/\d+/$"))
    expect(card(page, "基础信息")).to_contain_text("编辑")

    # 学历信息: one record with its diploma.
    card(page, "学历信息").get_by_role("link").click()
    page.select_option("select[name=level]", index=2)
    page.fill("input[name=school]", "湖北中医药大学")
    page.fill("input[name=major]", "护理学")
    page.select_option("select[name=major_type]", index=1)
    page.select_option("select[name=study_form]", index=1)
    page.fill("input[name=duration_years]", "4")
    page.fill("input[name=enrollment_date]", "2011-09-01")
    page.fill("input[name=graduation_date]", "2015-06-30")
    page.fill("input[name=diploma_no]", "105071201505001234")
    page.set_input_files("input[name=image]", png(tmp_path / "diploma.png"))
    page.get_by_role("button", name="添加学历").click()
    expect(page.locator(".education-card")).to_have_count(1)
    expect(page.locator(".education-card")).to_contain_text("湖北中医药大学")
    assert_fits(page)
    shoot(page, "health-education")
    click_and_wait(page.get_by_role("link", name="返回").last)

    # Both required sections done: 提交.
    assert_fits(page)
    shoot(page, "health-overview")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#application-status")).to_have_text("已提交")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.educationrecord_set.get().school == "湖北中医药大学"
    assert application.candidate.ethnicity.name == "汉族"


def test_returned_application_is_resubmitted_with_locked_sections_untouched(
    live_server, page, reference_data, reviewers, tree, health_project, shoot
):
    application = submitted(health_project, tree[UNIT_A])
    review_services.tier_review_decide(
        actor=reviewers["unit_a"],
        tier_review=application.tier_reviews.get(tier="unit"),
        decision="return",
        remark="请补充填写补充信息中的从事本专业工作年限。",
        locked_sections=["basic", "education"],
    )
    basic_before = application.sections.get(code="basic").data

    login(page, live_server, application.candidate)
    page.goto(f"{live_server.url}/apply/{application.pk}/")
    expect(page.get_by_text("审核意见：请补充填写补充信息中的从事本专业工作年限。")).to_be_visible()
    expect(card(page, "基础信息")).to_contain_text("已锁定")
    expect(card(page, "学历信息")).to_contain_text("已锁定")
    shoot(page, "health-returned")

    # A locked section opens read-only (查看详情), not as a form.
    card(page, "基础信息").get_by_role("link").click()
    page.wait_for_url(re.compile(r".*/detail/.*"))
    expect(page.locator("form input[name=work_started_on]")).to_have_count(0)
    page.go_back()

    # An unlocked section can be changed.
    card(page, "补充信息").get_by_role("link").click()
    page.locator("input[name=covid_frontline][value='0']").check()
    page.fill("input[name=work_started_on]", "2015-07-01")
    page.fill("input[name=years_in_specialty]", "9")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r".*/apply/\d+/$"))

    page.get_by_role("button", name="重新提交").click()
    expect(page.locator("#application-status")).to_have_text("审核中")
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    assert application.unit_review_status == "pending"
    basic = application.sections.get(code="basic")
    assert basic.status == Section.Status.LOCKED and basic.data == basic_before
    assert application.supplementaryinfo_set.get().years_in_specialty == 9

    page.get_by_role("link", name="审核进度").click()
    expect(page.locator(".progress-chain")).to_contain_text("待审核")
    shoot(page, "health-progress")
