"""Candidate pages of issue 12 in Chromium: 跟师经历 and 实践经历 open with the county chosen at
the start already selected (item 13)."""

import pytest
from playwright.sync_api import expect

from exam.models import Application
from tests.browser.steps import click_and_wait
from tests.builders import new_application
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("track", "label"), [("apprenticeship", "跟师经历"), ("practice", "实践经历")]
)
def test_place_section_preselects_the_start_county(
    live_server, mobile_page, reference_data, reviewers, tree, tcm_project, track, label
):
    page = mobile_page
    candidate = CandidateFactory()
    application = new_application(tcm_project, tree["420106"], track=track)  # 武昌区
    Application.objects.filter(pk=application.pk).update(candidate=candidate)
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=phone]", candidate.phone)
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("form button[type=submit]").first)
    page.goto(f"{live_server.url}/apply/{application.pk}/")
    click_and_wait(page.locator(".section-card", has_text=label).get_by_role("link"))
    expect(page.locator("select[name=division_province]")).to_have_value("420000")
    expect(page.locator("select[name=division_city]")).to_have_value("420100")
    expect(page.locator("select[name=division]")).to_have_value("420106")
