"""What keeps every query of a list page independent of the province's size (issue 14): the
count stops at LIST_COUNT_LIMIT rows past the page (显示总数 counts everything on demand),
the rows are rendered with unfold's HTML in one pass, templates do not fail lookups on the
ModelAdmin per row. Speed itself is measured by `manage.py bench`."""

import re

import django.template.base
import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from unfold.templatetags.unfold_list import items_for_result

from core.fast_list import row_html
from core.paging import AtLeast
from people.permissions import Perm
from review.models import ReviewApplication, VerifyEducation
from tests.builders import in_health_business, submitted
from tests.review.materials import education
from tests.review.scenario import UNIT_A

CHANGELIST = "admin:review_reviewapplication_changelist"
EDUCATION_LIST = "admin:review_verifyeducation_changelist"


@pytest.fixture
def per_page_2():
    """Two rows a page on both lists, restored afterwards."""
    admins = [admin.site._registry[m] for m in (ReviewApplication, VerifyEducation)]
    old = [a.list_per_page for a in admins]
    for a in admins:
        a.list_per_page = 2
    yield
    for a, value in zip(admins, old, strict=True):
        a.list_per_page = value


@pytest.fixture
def unit_client(client, reviewers, health_project):
    client.force_login(in_health_business(reviewers["unit_a"]))
    client.get(reverse("admin:index"))  # the session's first request resolves 当前业务
    return client


def _counts(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def test_count_stops_past_the_limit_and_the_exact_count_is_on_demand(
    unit_client, tree, health_project, settings, per_page_2
):
    settings.LIST_COUNT_LIMIT = 3
    for _ in range(8):
        submitted(health_project, tree[UNIT_A])
    with CaptureQueriesContext(connection) as captured:
        response = unit_client.get(reverse(CHANGELIST))
    cl = response.context["cl"]
    # Page 1 of 2 rows + 3: "5+", pages 1–3 reachable, 显示总数 offered.
    assert isinstance(cl.result_count, AtLeast) and cl.result_count == 5
    assert cl.paginator.num_pages == 3 and len(cl.result_list) == 2
    counts = _counts(captured)
    assert counts and all(re.search(r"LIMIT 6\b", sql) for sql in counts), counts
    content = response.content.decode()
    assert "5+" in content and "显示总数" in content and "count=all" in content

    # Page 3: the count reaches further (3 × 2 + 3 = 9 > 8): exact, no link.
    response = unit_client.get(reverse(CHANGELIST), {"p": 3})
    assert response.context["cl"].result_count == 8
    assert not isinstance(response.context["cl"].result_count, AtLeast)
    assert "显示总数" not in response.content.decode()

    # 显示总数: the whole list counted, not taken for a filter, kept in the page links.
    with CaptureQueriesContext(connection) as captured:
        response = unit_client.get(reverse(CHANGELIST), {"count": "all"})
    cl = response.context["cl"]
    assert response.status_code == 200 and "e=1" not in response.get("Location", "")
    assert cl.result_count == 8 and cl.paginator.exact and cl.paginator.num_pages == 4
    assert all("LIMIT" not in sql for sql in _counts(captured))
    assert "count=all" in cl.get_query_string({"p": 2})


def test_small_lists_count_exactly_as_before(unit_client, tree, health_project):
    for _ in range(3):
        submitted(health_project, tree[UNIT_A])
    response = unit_client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 3 and response.context["cl"].paginator.exact
    assert "显示总数" not in response.content.decode()


def _queries_and_failed_lookups(client, url, monkeypatch) -> tuple[int, int]:
    """Queries of one page, and the template lookups that failed on a ModelAdmin (each one
    a dir() of the admin class: Django's template engine calls it on a failed attribute)."""
    failed = []
    real_dir = dir

    def counting_dir(obj=None):
        if isinstance(obj, ModelAdmin):
            failed.append(type(obj).__name__)
        return real_dir(obj)

    monkeypatch.setattr(django.template.base, "dir", counting_dir, raising=False)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    monkeypatch.undo()
    return len(captured.captured_queries), len(failed)


@pytest.mark.parametrize("changelist", [CHANGELIST, EDUCATION_LIST])
def test_queries_and_failed_lookups_do_not_grow_with_rows(
    unit_client, tree, health_project, material_media, monkeypatch, changelist
):
    url = reverse(changelist) + "?all="
    for _ in range(2):
        education(submitted(health_project, tree[UNIT_A]), graduated=2015)
    unit_client.get(url)  # the process's first look-ups (content types …) are cached after it
    few = _queries_and_failed_lookups(unit_client, url, monkeypatch)
    for _ in range(6):
        education(submitted(health_project, tree[UNIT_A]), graduated=2016)
    many = _queries_and_failed_lookups(unit_client, url, monkeypatch)
    assert many == few
    assert few[1] <= 2  # not one per row (there were two per row before)


def _normalised(html: str) -> str:
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))


@pytest.mark.parametrize("changelist", [CHANGELIST, EDUCATION_LIST])
def test_fast_rows_are_unfolds_rows(
    client, reviewers, tree, health_project, material_media, changelist
):
    """The unit's reviewer may 上报 and 核验: both lists have the row checkbox."""
    from guardian.shortcuts import assign_perm

    user = in_health_business(reviewers["unit_a"])
    assign_perm(Perm.REPORT.full, user, tree[UNIT_A])
    client.force_login(user)
    for year in (2015, 2016, 2017):
        education(submitted(health_project, tree[UNIT_A]), graduated=year)
    response = client.get(reverse(changelist))
    cl = response.context["cl"]
    rows = row_html(cl)
    assert rows is not None and len(rows) == len(cl.result_list) == 3
    assert cl.list_display[0] == "action_checkbox"
    for row, obj in zip(rows, cl.result_list, strict=True):
        cells = re.search(r'<tr class="data-row relative">(.*)</tr></tbody>$', row, re.S)
        assert _normalised(cells.group(1)) == _normalised("".join(items_for_result(cl, obj, None)))
        assert row in response.content.decode()
