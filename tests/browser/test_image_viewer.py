"""证书图片 in Chromium: a unit reviewer opens a sideways certificate photo in the viewer,
zooms (button and wheel), pans and turns it; the county's reviewer then opens the same
application and sees the thumbnail and the viewer already turned."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from core.models import FileDisplay
from review.file_display import file_rotation_set
from tests.browser.conftest import watch
from tests.builders import advance_to, submitted
from tests.review.materials import education
from tests.review.test_image_viewer import photo
from tests.storage import use_test_storage

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_test_storage(settings, tmp_path)


def _login(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def _scale(viewer) -> float:
    return float(viewer.get_attribute("data-scale"))


def test_rotation_is_kept_for_the_next_reviewer_and_zoom_works(
    live_server,
    page,
    browser,
    browser_problems,
    reference_data,
    reviewers,
    tree,
    health_project,
    artifact,
):
    application = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    record = education(application, image=False)
    # Taken with the phone turned: stored landscape, EXIF says "turn 90° clockwise".
    record.image.save("diploma.jpg", ContentFile(photo(orientation=6)))
    detail = f"{live_server.url}/admin/review/reviewapplication/{application.pk}/change/#materials"

    _login(page, live_server, "unit_a")
    page.goto(detail)
    link = page.locator("#tab-materials [data-viewer-src]").first
    thumb = link.locator("img")
    expect(thumb).to_have_js_property("complete", True)
    # The thumbnail is upright (EXIF applied): portrait.
    assert thumb.evaluate("i => i.naturalHeight > i.naturalWidth")
    link.click()
    viewer = page.locator("#image-viewer")
    expect(viewer).to_be_visible()
    image = viewer.locator("[data-viewer-image]")
    expect(image).to_have_js_property("complete", True)
    # The full photo is shown upright too (the browser honours its EXIF orientation).
    assert image.evaluate("i => i.naturalHeight > i.naturalWidth")
    fitted = _scale(viewer)
    viewer.get_by_role("button", name="放大").click()
    assert _scale(viewer) == pytest.approx(fitted * 1.25, rel=0.01)
    box = viewer.locator("[data-viewer-stage]").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -200)
    expect(viewer).not_to_have_attribute("data-scale", f"{fitted * 1.25:.3f}")
    assert _scale(viewer) > fitted * 1.25
    before = image.evaluate("i => i.getBoundingClientRect().left")
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert image.evaluate("i => i.getBoundingClientRect().left") == pytest.approx(before + 120, 2)
    expect(viewer).to_be_visible()  # the drag did not close it
    viewer.get_by_role("button", name="向右旋转").click()
    expect(viewer).to_have_attribute("data-rotation", "90")
    expect(viewer.locator("[data-viewer-status]")).to_have_text(re.compile("方向已保存"))
    page.screenshot(path=artifact("review-image-viewer.png"))
    assert FileDisplay.objects.get(name=record.image.name).rotation == 90
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    # The page's own thumbnail was fetched again, turned: landscape now.
    expect(thumb).to_have_attribute("src", re.compile(r"thumb=1&r=90$"))
    page.wait_for_function(
        "i => i.complete && i.naturalWidth > i.naturalHeight", arg=thumb.element_handle()
    )
    page.screenshot(path=artifact("review-detail-thumbnail-turned.png"))

    # Another reviewer of the same application, in a browser of their own.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    problems = watch(context)
    try:
        other = context.new_page()
        _login(other, live_server, "county_jiangan")
        other.goto(detail)
        link = other.locator("#tab-materials [data-viewer-src]").first
        expect(link).to_have_attribute("data-viewer-rotation", "90")
        thumb = link.locator("img")
        expect(thumb).to_have_js_property("complete", True)
        assert thumb.evaluate("i => i.naturalWidth > i.naturalHeight")
        link.click()
        viewer = other.locator("#image-viewer")
        expect(viewer).to_have_attribute("data-rotation", "90")
        image = viewer.locator("[data-viewer-image]")
        assert "rotate(90deg)" in image.evaluate("i => i.style.transform")
        # Turned 90° on screen: the picture's box is wider than tall.
        expect(image).to_have_js_property("complete", True)
        rect = image.evaluate(
            "i => { const r = i.getBoundingClientRect(); return [r.width, r.height]; }"
        )
        assert rect[0] > rect[1]
        other.keyboard.press("Escape")
        expect(viewer).to_be_hidden()
    finally:
        context.close()
        browser_problems.extend(problems)


def test_materials_list_opens_the_viewer_at_the_saved_rotation(
    live_server, page, reference_data, reviewers, tree, health_project
):
    application = submitted(health_project, tree[UNIT_A])
    record = education(application, image=False)
    record.image.save("diploma.jpg", ContentFile(photo()))
    file_rotation_set(
        actor=reviewers["unit_a"],
        application=application,
        kind="educationrecord",
        obj_id=record.pk,
        rotation=180,
    )
    _login(page, live_server, "unit_a")
    page.goto(live_server.url + "/admin/review/verifyeducation/")
    link = page.locator("#result_list a.mv-thumb").first
    expect(link).to_have_attribute("data-viewer-rotation", "180")
    link.click()
    viewer = page.locator("#image-viewer")
    expect(viewer).to_have_attribute("data-rotation", "180")
    assert page.url.endswith("/admin/review/verifyeducation/")  # no new tab, no navigation
    viewer.get_by_role("button", name="向左旋转").click()
    expect(viewer).to_have_attribute("data-rotation", "90")
    expect(viewer.locator("[data-viewer-status]")).to_have_text(re.compile("方向已保存"))
    assert FileDisplay.objects.get(name=record.image.name).rotation == 90
    viewer.get_by_role("button", name="缩小").click()
    assert _scale(viewer) < 1
    viewer.get_by_role("button", name="关闭").click()
    expect(viewer).to_be_hidden()
