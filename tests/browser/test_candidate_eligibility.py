"""报考条件 before 提交 in Chromium (issue 15): a candidate whose 初级（师） years fall short of
中级 sees why on the overview; where the province blocks 不符合, 提交 is disabled; once the
province only warns, the candidate submits and the result is kept for the reviewers."""

import datetime

import pytest
from playwright.sync_api import expect

from exam.eligibility.rule_sets import rule_set_ensure
from exam.models import Application, EligibilityResult, SupplementaryInfo, TitleCertificate
from tests.browser.steps import click_and_wait
from tests.builders import complete_sections, new_application
from tests.factories import CandidateFactory
from tests.review.materials import education

pytestmark = pytest.mark.django_db(transaction=True)

SHORT = "本科，任初级（师）职称满 2 年（2024-07 至 2026-12-31），中级要求 4 年（差 2 年）：不符合"


def test_the_candidate_sees_the_precheck_and_the_province_decides_if_it_blocks(
    live_server, mobile_page, reference_data, reviewers, tree, health_project
):
    rule_set = rule_set_ensure(project=health_project)
    rule_set.blocks_submission = True
    rule_set.save()
    candidate = CandidateFactory()
    application = new_application(health_project, tree["U420102001"], candidate=candidate)
    complete_sections(application)
    education(application, level="20", graduated=2015, image=False)  # 本科, 医学类
    SupplementaryInfo.objects.create(
        application=application, work_started_on=datetime.date(2015, 7, 1)
    )
    TitleCertificate.objects.create(
        application=application,
        title_name="护师",
        title_level="junior",
        certificate_no="T1",
        issued_on=datetime.date(2024, 7, 1),
        issuing_authority="湖北省卫生健康委员会",
    )

    page = mobile_page
    page.goto(live_server.url + "/account/login/")
    page.fill("input[name=phone]", candidate.phone)
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("form button[type=submit]").first)
    page.goto(f"{live_server.url}/apply/{application.pk}/")
    precheck = page.locator("#eligibility-precheck")
    expect(precheck).to_contain_text("报考条件：不符合")
    expect(precheck).to_contain_text("不符合报考条件，不能提交。请核对填写的信息。")
    expect(precheck.locator("li[data-outcome=ineligible]")).to_contain_text(SHORT)
    expect(page.get_by_role("button", name="提交", exact=True)).to_be_disabled()

    rule_set.blocks_submission = False  # the province only warns
    rule_set.save()
    page.reload()
    expect(precheck).to_contain_text("可能不符合报考条件。您仍可提交，由审核机构审核。")
    click_and_wait(page.get_by_role("button", name="提交", exact=True))
    expect(page.locator("#application-status")).to_have_text("已提交")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    result = EligibilityResult.objects.get(application=application)
    assert result.outcome == "ineligible"
    assert SHORT in [r["explanation"] for r in result.results]
