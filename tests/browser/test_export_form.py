"""The export page in Chromium for a holder of 导出完整证件号码: the list's 导出 button keeps
its filters, the page offers the checkbox, and the downloaded file has the full numbers,
its 导出人 row and properties."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from core.masking import mask_id_number
from tests.builders import submitted
from tests.exports import grant_full_id, without_footer

pytestmark = pytest.mark.django_db(transaction=True)


def _download(page, tmp_path, name):
    with page.expect_download() as info:
        page.locator("#export-submit").click()
    path = tmp_path / name
    info.value.save_as(path)
    return load_workbook(path)


def test_a_holder_chooses_masked_or_full_numbers(
    live_server, page, reference_data, reviewers, tree, health_project, artifact, tmp_path
):
    applications = [submitted(health_project, tree["U420102001"]) for _ in range(2)]
    grant_full_id(reviewers["unit_a"])

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "unit_a")
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))

    page.goto(live_server.url + "/admin/review/reviewapplication/?scope=subtree")
    export = page.locator("a[href*='/reviewapplication/export/']").first
    assert "scope=subtree" in export.get_attribute("href")
    export.click()
    page.wait_for_url(re.compile(r".*/export/\?scope=subtree$"))
    expect(page.locator("#export-form")).to_contain_text("导出完整证件号码")
    page.fill("textarea[name=purpose]", "复核名单")
    page.screenshot(path=artifact("export-full-id-1280.png"), full_page=True)

    masked = _download(page, tmp_path, "masked.xlsx")
    rows = list(masked.active.iter_rows(values_only=True))
    column = rows[0].index("证件号码")
    assert {r[column] for r in without_footer(rows)[1:]} == {
        mask_id_number(a.candidate.id_number) for a in applications
    }

    page.goto(live_server.url + "/admin/review/reviewapplication/export/?scope=subtree")
    page.fill("textarea[name=purpose]", "复核名单（需完整号码）")
    page.locator("input[name=full_id]").check()
    full = _download(page, tmp_path, "full.xlsx")
    rows = list(full.active.iter_rows(values_only=True))
    assert {r[column] for r in without_footer(rows)[1:]} == {
        a.candidate.id_number for a in applications
    }
    assert rows[-1][0].endswith("导出用途：复核名单（需完整号码）")
    assert full.properties.subject == "复核名单（需完整号码）"
