"""Playwright driving Debian's Chromium (/usr/bin/chromium); never a downloaded browser.

Without Chromium the browser tests are skipped, unless REQUIRE_BROWSER=1 (as in .ci/run),
which turns a missing browser into a failure.

The test settings enforce the Content-Security-Policy production sends, and every page a
test opens is watched (`watch`): a CSP violation, a console error or an uncaught script error
fails the test, so every browser test also proves its pages work under the policy."""

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


# Reports each `securitypolicyviolation` event to the test through a binding; runs in every
# page and frame before the page's own scripts.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
      + ` at ${event.sourceFile || location.href}:${event.lineNumber}`
      + (event.sample ? ` (${event.sample})` : "")
  );
});
"""


def watch(context) -> list[str]:
    """Everything a page of `context` complains about: CSP violations, console errors
    (including Chromium's own "Refused to …" and failed loads) and uncaught errors."""
    problems: list[str] = []
    context.expose_binding(
        "__cspViolation", lambda source, text: problems.append(f"CSP violation: {text}")
    )
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(page, message) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # A page answered with 4xx on purpose (a form error, an error page) is logged as a
        # failed load of the document itself: the test checks that status, not this.
        # Chromium also asks for /favicon.ico, which neither site has.
        if message.text.startswith("Failed to load resource") and (
            where == page.url or where.endswith("/favicon.ico")
        ):
            return
        problems.append(f"console error on {page.url}: {message.text} ({where})")

    def on_page(page) -> None:
        page.on("console", lambda message: on_console(page, message))
        page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))

    context.on("page", on_page)
    return problems


@pytest.fixture
def browser_problems():
    """The problems of every context a test opened, checked once the test has run."""
    found: list[str] = []
    yield found
    if found:
        pytest.fail("The browser reported problems:\n" + "\n".join(found), pytrace=False)


def _watched_context(browser, **options):
    context = browser.new_context(locale="zh-CN", **options)
    return context, watch(context)


@pytest.fixture
def page(browser, browser_problems):
    context, problems = _watched_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    browser_problems.extend(problems)


@pytest.fixture
def mobile_page(browser, browser_problems):
    context, problems = _watched_context(
        browser,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
    browser_problems.extend(problems)


@pytest.fixture
def artifact():
    """A path under test-artifacts/ for screenshots kept by CI."""
    ARTIFACTS.mkdir(exist_ok=True)
    return lambda name: str(ARTIFACTS / name)


@pytest.fixture
def shoot(browser, artifact, browser_problems):
    """Screenshot the page at its own width and, with the same session, at the other one
    (375 px phone / 1280 px desktop): `shoot(page, "name")` → name-375.png, name-1280.png."""

    def take(page, name: str) -> None:
        width = page.viewport_size["width"]
        page.screenshot(path=artifact(f"{name}-{width}.png"), full_page=True)
        other = {"width": 1280, "height": 900} if width < 1000 else {"width": 375, "height": 812}
        context, problems = _watched_context(
            browser,
            viewport=other,
            storage_state=page.context.storage_state(),
        )
        try:
            twin = context.new_page()
            twin.goto(page.url)
            twin.screenshot(path=artifact(f"{name}-{other['width']}.png"), full_page=True)
        finally:
            context.close()
            browser_problems.extend(problems)

    return take
