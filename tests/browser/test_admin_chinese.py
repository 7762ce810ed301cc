"""The admin speaks Chinese: no English word from django-unfold's UI on the main screens.

django-unfold ships no translations; locale/zh_Hans/LC_MESSAGES/django.po translates its
strings. The forbidden words are the words of the unfold msgids in that catalogue, so a
string unfold adds in an upgrade, or one the catalogue misses, shows up here as English.

Each screen is opened as `unit_a` (the login page anonymously), with a row selected where
the list has rows (the actions bar appears); screenshots: test-artifacts/zh-<screen>.png,
and zh-<screen>-filters.png with unfold's 筛选 sheet open where the screen has one.
Text is read from every text node of the page rather than `inner_text("body")`: hidden menus
and dialogs and <option>s count too, Material Symbols icon ligatures ("filter_list",
"search") do not. Add the placeholder / title / aria-label / alt attributes, button values
and the page title.

A screen that answers with an error (404 while someone is still building it, 500) fails.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.builders import decide, submitted
from tests.review.materials import education

pytestmark = pytest.mark.django_db(transaction=True)

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
PASSWORD = "demo12345"
USER = "unit_a"
UNIT_A = "U420102001"


@dataclass(frozen=True)
class Screen:
    name: str  # screenshot test-artifacts/zh-<name>.png
    url: str  # may use {application}: the pk of an application unit_a may review
    anonymous: bool = False
    open_filters: bool = False  # open unfold's 筛选 sheet if there is one: zh-<name>-filters.png
    select_row: bool = False  # tick the first row, which shows the actions bar


# The main admin screens. Add new ones here as they are built.
SCREENS = [
    Screen("login", "/admin/login/", anonymous=True),
    Screen("index", "/admin/"),
    Screen("review-list", "/admin/review/reviewapplication/", open_filters=True, select_row=True),
    Screen("review-detail", "/admin/review/reviewapplication/{application}/change/"),
    Screen("review-import", "/admin/review/reviewapplication/import/"),
    Screen("review-log", "/admin/core/auditlogentry/", open_filters=True),
    Screen("materials-list", "/admin/review/verifyeducation/", open_filters=True, select_row=True),
    Screen("materials-verify-all", "/admin/review/verifyeducation/verify-all/"),
    Screen("password-change", "/admin/password_change/"),
]

# English that may legitimately stand on these screens although an unfold msgid uses the
# word too. Keep it small, and say why.
ALLOWED_WORDS: set[str] = set()

# Catalogue entries that are not words to translate: Django format names.
NOT_WORDS = {"DATETIME_FORMAT"}

_MARKUP = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}|<[^>]+>|`[^`]*`")
# A word of 3+ Latin letters standing on its own: not part of "user83" or "filter_list".
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{3,}(?![A-Za-z0-9_])")
# Dotted lower-case codes such as "application.created" are data, not unfold's words.
DOTTED_CODE = re.compile(r"(?<![A-Za-z0-9_])[a-z_]+(?:\.[a-z_]+)+")


def unfold_words() -> set[str]:
    """Lower-cased words (3+ letters) of every unfold msgid in the project catalogue."""
    with (LOCALE / "django.po").open("rb") as fh:
        catalogue = read_po(fh)
    words: set[str] = set()
    for message in catalogue:
        if not message.id or message.id in NOT_WORDS:
            continue
        if not any(path.startswith("unfold/") for path, _ in message.locations):
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            words |= {w.lower() for w in WORD.findall(_MARKUP.sub(" ", msgid))}
    return words - ALLOWED_WORDS


FORBIDDEN = unfold_words()

COLLECT_TEXT = """() => {
    const skip = "script, style, noscript, .material-symbols-outlined";
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.nodeValue.trim();
        if (text && !node.parentElement.closest(skip)) texts.push(text);
    }
    for (const el of document.querySelectorAll("[placeholder], [title], [aria-label], [alt]")) {
        for (const name of ["placeholder", "title", "aria-label", "alt"]) {
            const value = el.getAttribute(name);
            if (value) texts.push(value);
        }
    }
    for (const el of document.querySelectorAll("input[type=submit], input[type=button]")) {
        if (el.value) texts.push(el.value);
    }
    return texts;
}"""


def english_left(texts: list[str]) -> list[str]:
    found = []
    for text in dict.fromkeys(texts):
        words = WORD.findall(DOTTED_CODE.sub(" ", text))
        words = sorted({w for w in words if w.lower() in FORBIDDEN})
        if words:
            found.append(f"{', '.join(words)}  in  {' '.join(text.split())[:120]!r}")
    return found


def test_catalogue_is_compiled_and_covers_unfold():
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        "locale/zh_Hans/LC_MESSAGES/django.mo is missing or older than django.po: run `make setup`"
    )
    with po.open("rb") as fh:
        catalogue = read_po(fh)
    untranslated = [m.id for m in catalogue if m.id and (m.fuzzy or not all(m.string))]
    assert untranslated == []
    # Words a reviewer would see everywhere if unfold's strings were not translated.
    assert {"filters", "search", "select", "action", "previous", "next", "show"} <= FORBIDDEN


@pytest.fixture
def applications(reference_data, reviewers, tree, health_project):
    """A list longer than one page (20 rows), one returned so the log has a remark."""
    made = [submitted(health_project, tree[UNIT_A]) for _ in range(21)]
    decide(made[0], "return", remark="请补充学历证书")
    for application in made[:3]:  # rows for the 专项信息 list (no image: 暂无图片)
        education(application, image=False)
    return made


def _log_in(page, base_url: str) -> None:
    page.goto(base_url + "/admin/login/?next=/admin/")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url(base_url + "/admin/")


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_screen_has_no_english_from_unfold(live_server, page, applications, artifact, screen):
    if not screen.anonymous:
        _log_in(page, live_server.url)
    url = live_server.url + screen.url.format(application=applications[-1].pk)
    response = page.goto(url)
    assert response is not None and response.ok, (
        f"{screen.name}: {screen.url} answered HTTP {response.status if response else '?'}"
        " — the screen is missing or broken"
    )
    if screen.anonymous:
        assert "/admin/login/" in page.url
    else:
        assert "/admin/login/" not in page.url, f"{screen.name}: {USER} was sent to the login page"
    page.wait_for_load_state("networkidle")

    if screen.select_row:
        checkbox = page.locator("input.action-select")
        if checkbox.count():
            checkbox.first.check()
    page.screenshot(path=artifact(f"zh-{screen.name}.png"), full_page=True)
    texts = page.evaluate(COLLECT_TEXT)
    if screen.open_filters:
        button = page.locator("a.filter-open-button")
        if button.count() and button.first.is_visible():
            button.first.click()
            page.locator("#changelist-filter").first.wait_for(state="visible")
            page.screenshot(path=artifact(f"zh-{screen.name}-filters.png"))
            texts += page.evaluate(COLLECT_TEXT)

    english = english_left(texts)
    assert not english, f"English from unfold on {screen.name} ({screen.url}):\n" + "\n".join(
        english
    )
