#!/usr/bin/env python3
"""Retake the reviewer's screenshots in README.md from a running demo (1440x900, Chromium).

    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_reference_data
    .venv/bin/python manage.py seed_demo && .venv/bin/python manage.py runserver 127.0.0.1:8000
    .venv/bin/python bin/readme_screenshots.py http://127.0.0.1:8000 docs/screenshots

Use a freshly seeded demo: 21-business-choice.png shows the page `county_jiangan` lands on
before it has chosen a business (the script only reads, it never chooses one). It takes
01-review-list.png, 02-review-detail.png and 03-comparison-libraries.png as `unit_a` and
21-business-choice.png as `county_jiangan`; the detail is the application on the list's first
page that has gone furthest up the tiers with the most 对比库 matches. Debian's Chromium
(/usr/bin/chromium, or CHROMIUM_PATH) only; Playwright downloads nothing.
"""

import argparse
import os
import sys
from pathlib import Path

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "demo12345"  # every demo account's (README, Demo accounts)
VIEWPORT = {"width": 1440, "height": 900}
TIER_COLUMNS = ("省级审核状态", "市州审核状态", "区县审核状态", "单位审核状态")


def log_in(context: BrowserContext, base: str, username: str) -> Page:
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("button[type=submit]").first.click()
    # Stop at the first refusal: retrying a wrong password gets the account locked (axes).
    if "/admin/login/" in page.url:
        sys.exit(f"{username} could not log in at {base}: is this the seeded demo?")
    return page


def open_ok(page: Page, url: str) -> None:
    response = page.goto(url)
    if response is None or not response.ok:
        sys.exit(f"{url} answered {response.status if response else 'nothing'}")


def shoot(page: Page, path: Path) -> None:
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(path))
    print(f"{path}  ({page.url})")


def richest_row_link(page: Page) -> str:
    """The 查看 link of the row with the most tiers reached, then the most 对比库 flags."""
    headers = [th.inner_text().strip() for th in page.locator("#result_list thead th").all()]
    tier_indexes = [i for i, text in enumerate(headers) if text in TIER_COLUMNS]
    best, best_score = None, (-1, -1)
    for row in page.locator("#result_list tbody tr").all():
        cells = row.locator(":scope > td, :scope > th").all()
        tiers = sum(cells[i].inner_text().strip() not in ("", "-") for i in tier_indexes)
        score = (tiers, row.locator(".review-flag").count())
        if score > best_score:
            best, best_score = row, score
    if best is None:
        sys.exit("The review list is empty: seed the demo first.")
    return best.get_by_role("link", name="查看").get_attribute("href")


def unit_screens(context: BrowserContext, base: str, out: Path) -> None:
    page = log_in(context, base, "unit_a")
    open_ok(page, f"{base}/admin/review/reviewapplication/")
    expect(page.locator("#current-business")).to_be_visible()
    shoot(page, out / "01-review-list.png")

    open_ok(page, base + richest_row_link(page))
    expect(page.locator(".rv-name")).to_be_visible()
    shoot(page, out / "02-review-detail.png")
    page.get_by_role("button", name="对比库信息").click()
    expect(page.get_by_text("违纪考生库信息")).to_be_visible()
    shoot(page, out / "03-comparison-libraries.png")


def county_screens(context: BrowserContext, base: str, out: Path) -> None:
    page = log_in(context, base, "county_jiangan")
    if "/admin/business/" not in page.url:  # a choice made before: open the page directly
        open_ok(page, f"{base}/admin/business/")
    expect(page.locator("[data-testid=business-choice]")).to_have_count(2)
    shoot(page, out / "21-business-choice.png")


def console_error(message: ConsoleMessage, problems: list[str]) -> None:
    # Chromium asks for /favicon.ico, which the site does not have.
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        problems.append(f"{message.location['url']}: {message.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="the running demo, e.g. http://127.0.0.1:8000")
    parser.add_argument("out_dir", type=Path, help="where the PNGs go, e.g. docs/screenshots")
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    args.out_dir.mkdir(parents=True, exist_ok=True)

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for screens in (unit_screens, county_screens):
            context = browser.new_context(locale="zh-CN", viewport=VIEWPORT)
            # A screenshot of a page that broke in the browser is no documentation.
            context.on("weberror", lambda error: problems.append(str(error.error)))
            context.on("console", lambda message: console_error(message, problems))
            screens(context, base, args.out_dir)
            context.close()
        browser.close()
    if problems:
        sys.exit("The browser reported problems:\n" + "\n".join(problems))


if __name__ == "__main__":
    main()
