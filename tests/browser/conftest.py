"""Playwright driving Debian's Chromium (/usr/bin/chromium); never a downloaded browser.

Without Chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (as in .ci/run),
which turns a missing browser into a failure."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Flags for a closed network: no background connections that would be refused anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told that the test code is synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def artifact():
    """A path under test-artifacts/ for screenshots kept by CI."""
    ARTIFACTS.mkdir(exist_ok=True)
    return lambda name: str(ARTIFACTS / name)


@pytest.fixture
def shoot(browser, artifact):
    """Screenshot the page at its own width and, with the same session, at the other one
    (375 px phone / 1280 px desktop): `shoot(page, "name")` → name-375.png, name-1280.png."""

    def take(page, name: str) -> None:
        width = page.viewport_size["width"]
        page.screenshot(path=artifact(f"{name}-{width}.png"), full_page=True)
        other = {"width": 1280, "height": 900} if width < 1000 else {"width": 375, "height": 812}
        context = browser.new_context(
            locale="zh-CN", viewport=other, storage_state=page.context.storage_state()
        )
        try:
            twin = context.new_page()
            twin.goto(page.url)
            twin.screenshot(path=artifact(f"{name}-{other['width']}.png"), full_page=True)
        finally:
            context.close()

    return take
