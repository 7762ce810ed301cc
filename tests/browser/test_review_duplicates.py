"""查重 in Chromium: 武汉市 opens an application whose diploma photo another candidate (武昌区)
also uploaded, reads the flag and opens 并排查看: both photos load side by side. 江岸区 sees
only that a match exists outside its scope. The 查重 list shows the pair."""

import re

import pytest
from playwright.sync_api import expect

from devtools.demo.diplomas import diploma, jpeg_bytes
from tests.builders import advance_to, submitted
from tests.exam.test_duplicate_files import _attach
from tests.storage import use_test_storage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    return use_test_storage(settings, tmp_path)


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def test_flag_with_side_by_side_view(
    live_server, page, reference_data, reviewers, tree, tcm_project, artifact
):
    jiangan = advance_to(submitted(tcm_project, tree["420102"]), "city")
    wuchang = advance_to(submitted(tcm_project, tree["420106"]), "city")
    data = jpeg_bytes(diploma("张三", "10486120180512"))
    _attach(jiangan, data)
    _attach(wuchang, data)
    detail = f"{live_server.url}/admin/review/reviewapplication/{jiangan.pk}/change/"

    _login(page, live_server, "city_wuhan")
    page.goto(detail)
    card = page.locator("#duplicates")
    expect(card).to_contain_text("相同文件")
    expect(card).to_contain_text("相似度 100%")
    expect(card).to_contain_text(wuchang.candidate.name)
    expect(card).to_contain_text(wuchang.candidate.id_number)
    images = card.locator(".rv-dup-pair img")
    expect(images.first).to_be_hidden()  # folded until asked
    card.get_by_text("并排查看").click()
    expect(images).to_have_count(2)
    for index in range(2):
        image = images.nth(index)
        expect(image).to_be_visible()
        image.evaluate("img => img.decode()")
        assert image.evaluate("img => img.naturalWidth") == 1200  # the photo itself, loaded
    boxes = [images.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]  # side by side
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 2
    page.screenshot(path=artifact("duplicates-side-by-side.png"), full_page=True)

    # The other's name opens the other application, which carries the same flag.
    card.get_by_role("link", name=wuchang.candidate.name).click()
    expect(page.locator("#duplicates")).to_contain_text(jiangan.candidate.id_number)

    # 查重 in the sidebar, with the pair.
    page.goto(live_server.url + "/admin/")
    expect(page.locator('a[href="/admin/duplicates/match/"]').first).to_contain_text("查重")
    page.goto(live_server.url + "/admin/duplicates/match/")
    expect(page.locator("#result_list")).to_contain_text(jiangan.candidate.id_number)
    expect(page.locator("#result_list")).to_contain_text(wuchang.candidate.id_number)

    _login(page, live_server, "county_jiangan")
    page.goto(detail)
    card = page.locator("#duplicates")
    expect(card).to_contain_text("另有 1 份相同/相似材料在您的审核范围之外")
    expect(card).not_to_contain_text(wuchang.candidate.name)
    expect(card.locator("img")).to_have_count(0)
