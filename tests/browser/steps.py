"""Steps the browser tests share."""

from playwright.sync_api import Locator


def click_and_wait(locator: Locator) -> None:
    """Click a link or a submit button and return once the page it leads to has loaded.

    `page.wait_for_load_state()` right after a click returns at once, because the page being
    left is already loaded; the test would then read the database or look for the next page
    while the server is still answering."""
    with locator.page.expect_navigation():
        locator.click()
