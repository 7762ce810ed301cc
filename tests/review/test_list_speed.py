"""What keeps the review list and the 专项信息 lists fast at 200,000 applications (issue 6):
badges rendered once per value, year choices without a scan of the scope, the material
lists filtered through their join. Speed itself is measured by `manage.py bench`."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from unfold.utils import display_for_label

from review.admin.applications import REVIEW_LABEL_COLOURS, STATUS_LABEL_COLOURS
from review.admin.badges import label_display
from tests.builders import submitted
from tests.review.materials import education
from tests.review.scenario import UNIT_A

EDUCATION_LIST = "admin:review_verifyeducation_changelist"


def test_label_display_renders_unfold_badge_once_per_value(monkeypatch):
    colours = STATUS_LABEL_COLOURS
    calls = []

    class Admin:
        @label_display(description="提交状态", colours=colours)
        def badge(self, text):
            return text

    import review.admin.badges as badges

    real = badges.display_for_label
    monkeypatch.setattr(badges, "display_for_label", lambda *a: calls.append(a) or real(*a))
    html = [Admin().badge(text) for text in ["审核中", "审核中", "审核通过", "审核中", ""]]
    # Same HTML as unfold's @display(label=…) would render for each cell …
    assert html[0] == display_for_label("审核中", "-", colours)
    assert html[2] == display_for_label("审核通过", "-", colours)
    assert "bg-green-100" in html[2] and "审核通过" in html[2]
    assert html[4].strip() == "-"
    # … rendered once per distinct value.
    assert [c[0] for c in calls] == ["审核中", "审核通过", ""]
    assert Admin.badge.short_description == "提交状态"


def test_review_list_shows_the_badges(client, reviewers, tree, health_project):
    client.force_login(reviewers["unit_a"])
    submitted(health_project, tree[UNIT_A])
    response = client.get(reverse("admin:review_reviewapplication_changelist"))
    content = response.content.decode()
    status = display_for_label("已提交", "-", STATUS_LABEL_COLOURS)
    assert status in content
    assert display_for_label("待审核", "-", REVIEW_LABEL_COLOURS) in content


def test_year_choices_cost_one_query_each_whatever_the_rows(
    client, reviewers, tree, health_project, material_media
):
    """入学时间 / 毕业时间 choices: MIN/MAX over the table, not DISTINCT over the scope."""
    client.force_login(reviewers["unit_a"])

    def page(expected_years):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(EDUCATION_LIST))
        specs = response.context["cl"].filter_specs
        years = [f for f in specs if f.parameter_name == "graduated"]
        choices = [value for value, _ in years[0].lookup_choices] if years else []
        assert choices == expected_years
        date_queries = [
            q["sql"] for q in captured.captured_queries if "graduation_date" in q["sql"]
        ]
        # The choices' query reads MIN/MAX, never DISTINCT dates.
        assert not any("DISTINCT" in sql for sql in date_queries)
        return len(captured.captured_queries)

    assert page([]) > 0  # no records yet: no choices
    for year in (2012, 2014):
        education(submitted(health_project, tree[UNIT_A]), graduated=year)
    few = page(["2014", "2013", "2012"])
    for i in range(20):
        education(submitted(health_project, tree[UNIT_A]), graduated=2012 + i % 3)
    assert page(["2014", "2013", "2012"]) == few


def test_material_list_filters_through_the_join(client, reviewers, tree, health_project):
    """No `application_id IN (SELECT …)`: the visibility condition is on the joined
    application, so PostgreSQL can walk applications in 提交时间 order and stop early."""
    client.force_login(reviewers["unit_a"])
    record = education(submitted(health_project, tree[UNIT_A]), graduated=2015)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(EDUCATION_LIST))
    assert [r.pk for r in response.context["cl"].result_list] == [record.pk]
    page_sql = next(
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "exam_educationrecord"."id"')
    )
    assert "IN (SELECT" not in page_sql
    assert 'INNER JOIN "exam_application"' in page_sql
    assert record.graduation_date == datetime.date(2015, 6, 30)
