"""A candidate on a phone: register, then 实名认证 by automatic check of a resident ID."""

import pytest
from PIL import Image

from people.models import Candidate
from tests.factories import fake_resident_id

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploaded photos go to a temporary directory, never into the repository."""
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


def tiny_png(path, colour):
    Image.new("RGB", (8, 6), colour).save(path, format="PNG")
    return str(path)


def assert_fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_register_and_verify_identity_at_phone_width(
    live_server, mobile_page, tmp_path, media, artifact
):
    page = mobile_page
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="注册").first.click()
    page.fill("input[name=phone]", "13900001234")
    page.fill("input[name=password1]", "secret-pass-1")
    page.fill("input[name=password2]", "secret-pass-1")
    assert_fits(page)
    page.screenshot(path=artifact("candidate-register-375.png"), full_page=True)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/account/identity/")
    assert page.locator("#identity-status").inner_text() == "未认证"
    assert_fits(page)

    page.get_by_role("link", name="身份证（自动核验）").click()
    number = fake_resident_id()
    page.fill("input[name=name]", "张三")
    # A wrong check digit first: the reason appears next to the field, the input stays.
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    page.fill("input[name=id_number]", wrong)
    front = tiny_png(tmp_path / "front.png", (200, 30, 30))
    back = tiny_png(tmp_path / "back.png", (30, 30, 200))
    page.set_input_files("input[name=front_image]", front)
    page.set_input_files("input[name=back_image]", back)
    page.get_by_role("button", name="提交核验").click()
    assert page.get_by_text("居民身份证号码校验位错误，请逐位核对。").is_visible()
    assert page.input_value("input[name=id_number]") == wrong
    assert page.input_value("input[name=name]") == "张三"
    assert_fits(page)
    page.screenshot(path=artifact("candidate-identity-error-375.png"), full_page=True)

    page.fill("input[name=id_number]", number)
    page.set_input_files("input[name=front_image]", front)
    page.set_input_files("input[name=back_image]", back)
    page.get_by_role("button", name="提交核验").click()
    page.wait_for_url("**/account/identity/")
    assert page.locator("#identity-status").inner_text() == "认证成功"
    assert page.get_by_text("实名认证成功。").is_visible()
    assert page.get_by_text(number[:6] + "********" + number[-4:]).is_visible()
    assert_fits(page)
    page.screenshot(path=artifact("candidate-identity-verified-375.png"), full_page=True)

    candidate = Candidate.objects.get(phone="13900001234")
    assert candidate.is_verified and candidate.id_number == number
    assert len([p for p in media.rglob("*") if p.is_file()]) == 2
