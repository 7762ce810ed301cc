"""Provincial staff import a comparison library in Chromium: template link, upload, preview
with counts, a wrong file refused with Chinese errors, the good file confirmed."""

import re

import pytest
from playwright.sync_api import expect

from people.models import ImportLog
from review.models import ReferenceRecord
from tests.browser.steps import click_and_wait
from tests.review.import_helpers import bad_checksum, resident_id, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ID_A = resident_id("42010219900101123")
ID_B = resident_id("42010219850315456")


def _login(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def _upload(page, name: str, rows: list[list]) -> None:
    page.select_option("select[name=library]", "violation")
    page.set_input_files(
        "input[name=import_file]",
        files=[{"name": name, "mimeType": "application/octet-stream", "buffer": xlsx_bytes(rows)}],
    )
    click_and_wait(page.get_by_role("button", name="上传并预览"))


def test_province_imports_a_comparison_library(live_server, page, reviewers, artifact):
    _login(page, live_server, "province")
    page.goto(live_server.url + "/admin/review/referencerecord/")
    page.locator("a[href='/admin/review/referencerecord/import/']:visible").first.click()
    page.wait_for_url(re.compile(r".*/import/$"))
    expect(page.get_by_role("link", name="下载模板：违纪考生库")).to_be_visible()

    headers = ["证件号码", "姓名", "年度", "说明", "违纪行为"]
    _upload(page, "违纪-错误.xlsx", [headers, [bad_checksum(ID_A), "张三", 2023, "", ""]])
    expect(page.locator("#import-problems")).to_contain_text("第 2 行")
    expect(page.locator("#import-problems")).to_contain_text("校验位错误")
    expect(page.locator("#confirm-import")).to_have_count(0)
    page.screenshot(path=artifact("import-refused.png"), full_page=True)

    rows = [
        headers,
        [ID_A, "张三", 2023, "2023年度携带手机", "携带手机"],
        [ID_B, "李四", 2024, "", ""],
    ]
    _upload(page, "违纪.xlsx", rows)
    expect(page.locator("#count-new")).to_have_text("2")
    page.screenshot(path=artifact("import-preview.png"), full_page=True)
    click_and_wait(page.get_by_role("button", name="确认导入"))
    expect(page.get_by_text("导入完成：新增 2 条")).to_be_visible()
    assert (
        ReferenceRecord.objects.filter(library_id="violation", id_number__in=[ID_A, ID_B]).count()
        == 2
    )
    assert list(ImportLog.objects.values_list("outcome", flat=True).order_by("pk")) == [
        "refused",
        "applied",
    ]
