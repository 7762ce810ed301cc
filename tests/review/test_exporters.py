"""The exporter registry (review/exporters.py): who may use an export, which rows its
queryset selects (filters, 数据层级, sort, 当前业务), the admin's download and the background
job giving the same file, and the job's task needing no request and no admin."""

import ast
import io
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from guardian.shortcuts import remove_perm

from core.jobs.models import Job
from people.permissions import Perm
from review.exporters import (
    EXPORTERS,
    EducationExporter,
    ExportNotAvailable,
    ReviewListExporter,
    exporter_build,
)
from review.imports.decisions import ReviewDecisionResource
from review.job_tasks import export_job_run
from review.selectors import application_list
from tests.builders import in_health_business, superuser
from tests.exports import export_post, without_footer
from tests.review.private_media import use_private_media
from tests.review.scenario import EXPECTED, UNIT_B
from tests.review.scenario import EXPECTED_HEALTH as EXPECTED_HEALTH_ONLY

ROOT = Path(__file__).resolve().parents[2]
REVIEW = ReviewListExporter.identifier


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    use_private_media(settings, tmp_path)


def _names(queryset, apps) -> set[str]:
    by_pk = {app.pk: name for name, app in apps.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def _rows(content: bytes) -> list[tuple]:
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return without_footer(rows)


# --- who may export ---------------------------------------------------------------------------


def test_every_list_has_its_exporter():
    assert set(EXPORTERS) == {
        "review.reviewapplication",
        "review.verifyeducation",
        "review.verifynurselicense",
        "review.verifyphysicianlicense",
        "review.verifyphysicianqualification",
        "review.verifytitle",
        "review.verifysupplementary",
        "duplicates.match",
        "review.recommenderspread",  # 推荐人跨区县统计 (provincial staff only)
    }
    assert all(e.identifier == key for key, e in EXPORTERS.items())


def test_the_material_lists_the_eligibility_engine_reads_show_its_result(db):
    # 学历, 专技职称 and 参加工作时间 (补充信息) are what 报考条件 is judged on; the three
    # licences are not.
    with_it = {
        key
        for key, exporter in EXPORTERS.items()
        if "报考条件" in exporter.create(user=superuser(), business=None, params={}).headers
    }
    assert with_it == {
        "review.reviewapplication",
        "review.verifyeducation",
        "review.verifytitle",
        "review.verifysupplementary",
    }


def test_an_exporter_not_available_to_the_user_is_refused(apps, reviewers, tree, health_project):
    unit_b = reviewers["unit_b"]
    build = {"identifier": REVIEW, "business": health_project.pk, "params": {}}
    assert exporter_build(user=unit_b, **build).count() == 1
    remove_perm("people.export_data", tree[UNIT_B].reviewer_group, tree[UNIT_B])
    unit_b = type(unit_b).objects.get(pk=unit_b.pk)  # no cached permissions
    assert not ReviewListExporter.available_for_user(unit_b)
    with pytest.raises(ExportNotAvailable):
        exporter_build(user=unit_b, **build)
    with pytest.raises(ExportNotAvailable):
        exporter_build(user=reviewers["unit_a"], **{**build, "identifier": "review.nothing"})


def test_a_job_whose_owner_lost_the_export_permission_is_refused(
    apps, reviewers, tree, health_project
):
    unit_b = reviewers["unit_b"]
    job = Job.objects.create(
        owner=unit_b, kind="export", subject=REVIEW, label="导出", params={"query": ""}
    )
    remove_perm("people.export_data", tree[UNIT_B].reviewer_group, tree[UNIT_B])
    export_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "您已没有导出权限，任务未执行。")
    assert not job.result_file


# --- which rows -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_the_queryset_is_the_users_list_in_the_business(apps, reviewers, health_project, username):
    user = reviewers[username]
    subtree, direct = EXPECTED_HEALTH_ONLY[username]
    for params, expected in (({"scope": "subtree"}, subtree), ({}, direct)):
        queryset = ReviewListExporter.queryset(user=user, business=health_project.pk, params=params)
        assert _names(queryset, apps) == expected


def test_the_business_decides_the_rows(apps, reviewers, health_project, tcm_project):
    county = reviewers["county_jiangan"]
    params = {"scope": "subtree"}
    health = ReviewListExporter.queryset(user=county, business=health_project.pk, params=params)
    tcm = ReviewListExporter.queryset(user=county, business=tcm_project.pk, params=params)
    assert _names(health, apps) == EXPECTED_HEALTH_ONLY["county_jiangan"][0]
    assert _names(tcm, apps) == {"tcm_jiangan"}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "submitted"},
        {"review_status": "pending"},
        {"review_status": "approved", "payment": "unpaid"},
        {"name": "<a_pending>"},
        {"institution": "第一"},
        {"level": "1"},
    ],
)
def test_the_queryset_honours_the_filter_params(apps, health_project, params):
    if params.get("name") == "<a_pending>":  # one candidate's name
        params = {"name": apps["a_pending"].candidate.name}
    user = superuser()
    queryset = ReviewListExporter.queryset(
        user=user, business=health_project.pk, params={"scope": "subtree", **params}
    )
    lookups = {
        "status": "status",
        "review_status": "province_review_status",  # the superuser's tier: the province
        "payment": "payment_status",
        "name": "candidate__name__contains",
        "institution": "entry_institution__name__contains",
        "level": "level_id",
    }
    visible = application_list(user=user, business=health_project.pk, permission=Perm.EXPORT)
    expected = visible.filter(**{lookups[k]: v for k, v in params.items()})
    assert set(queryset.values_list("pk", flat=True)) == set(expected.values_list("pk", flat=True))
    # Not a filter that matches everything: each case leaves some applications out.
    assert queryset.count() < visible.count()


def test_material_filters_and_the_scope_default(apps, materials, reviewers, health_project):
    county = reviewers["county_jiangan"]
    every = EducationExporter.queryset(user=county, business=health_project.pk, params={})
    graduated = EducationExporter.queryset(
        user=county, business=health_project.pk, params={"graduated": "2018"}
    )
    assert every.count() == len(EXPECTED_HEALTH_ONLY["county_jiangan"][0])  # 下级所有
    assert set(graduated) == {r for r in every if r.graduation_date.year == 2018}
    assert 0 < graduated.count() < every.count()


@pytest.mark.parametrize("o", ["4", "-4", "10.-13", "14", "-15.4", "3", "", "x.99"])
@pytest.mark.parametrize("username", ["county_jiangan", "root"])
def test_the_sort_is_the_lists(client, apps, reviewers, o, username):
    """`o` as the changelist reads it (the row checkbox is column 0 for a user who may
    上报, not for the superuser): the exporter's order is the list's, also for ties (the
    primary key ends it)."""
    user = superuser() if username == "root" else reviewers[username]
    client.force_login(in_health_business(user))
    params = {"scope": "subtree", "o": o}
    page = client.get(reverse("admin:review_reviewapplication_changelist"), {**params, "all": ""})
    listed = [a.pk for a in page.context["cl"].result_list]
    business = page.wsgi_request.business.id
    queryset = ReviewListExporter.queryset(user=user, business=business, params=params)
    assert [a.pk for a in queryset] == listed and len(listed) > 1


def test_the_material_sort_is_the_lists(client, apps, materials, reviewers):
    client.force_login(in_health_business(reviewers["county_jiangan"]))
    url = reverse("admin:review_verifyeducation_changelist")
    for o in ("1", "-1", "2"):
        page = client.get(url, {"o": o, "all": ""})
        listed = [r.pk for r in page.context["cl"].result_list]
        queryset = EducationExporter.queryset(
            user=reviewers["county_jiangan"],
            business=page.wsgi_request.business.id,
            params={"o": o},
        )
        assert [r.pk for r in queryset] == listed and len(listed) > 1


# --- the admin and the job give the same file ---------------------------------------------


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("admin:review_reviewapplication_export", {"scope": "subtree", "o": "-10"}),
        ("admin:review_reviewapplication_export", {"review_status": "pending"}),
        ("admin:review_verifyeducation_export", {"education": "本科"}),
    ],
)
def test_the_job_and_the_admin_export_the_same_rows(
    client, apps, materials, reviewers, settings, url, params
):
    client.force_login(in_health_business(reviewers["county_jiangan"]))
    settings.JOB_THRESHOLD_ROWS = 1000
    direct = export_post(client, reverse(url), params)
    assert direct.status_code == 200
    settings.JOB_THRESHOLD_ROWS = 0
    assert export_post(client, reverse(url), params).status_code == 302
    job = Job.objects.get()
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "done", job.message
    with job.result_file.open("rb") as handle:
        from_job = handle.read()
    assert _rows(from_job) == _rows(direct.content) and len(_rows(from_job)) > 1
    assert quote(job.result_name) in direct["Content-Disposition"]


def test_the_decision_import_reads_the_exporters_columns():
    resource = ReviewDecisionResource()
    assert resource.extra_columns() == ReviewListExporter.headers
    assert set(resource.template_columns()) <= set(ReviewListExporter.headers)


# --- the task needs no request and no admin ------------------------------------------------

TASK_MODULES = (
    "review/job_tasks.py",
    "core/jobs/runner.py",
    "review/exporters.py",
    "review/job_imports.py",
    "people/importers.py",
)


def _forbidden(path: Path) -> set[str]:
    """Names in `path` that tie a task to a request or the admin."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {alias.name for alias in node.names}
            if node.module.startswith(("django.contrib.admin", "review.admin")):
                found.add(node.module)
            if node.module == "django.contrib" and "admin" in names:
                found.add("django.contrib.admin")
            if node.module == "django.http" and "HttpRequest" in names:
                found.add("HttpRequest")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("django.contrib.admin"))
        elif isinstance(node, ast.Attribute) and node.attr == "_registry":
            found.add("_registry")
        elif isinstance(node, ast.Name) and node.id in ("HttpRequest", "RequestFactory"):
            found.add(node.id)
    return found


@pytest.mark.parametrize("module", TASK_MODULES)
def test_the_job_tasks_use_no_request_and_no_admin_registry(module):
    assert _forbidden(ROOT / module) == set()


def test_the_check_sees_a_fabricated_request(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from django.contrib import admin\nfrom django.http import HttpRequest\n"
        "def f(m):\n    return admin.site._registry[m], HttpRequest()\n"
    )
    assert _forbidden(probe) == {"django.contrib.admin", "HttpRequest", "_registry"}


def test_the_import_task_reports_progress_through_the_resources_callback():
    """Progress comes from PlatformResource's `on_row`, not from a patched hook."""
    tree = ast.parse((ROOT / "review/job_imports.py").read_text(encoding="utf-8"))
    patched = [
        target.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute)
    ]
    assert "after_import_row" not in patched
    calls = [
        kw.arg for node in ast.walk(tree) if isinstance(node, ast.Call) for kw in node.keywords
    ]
    assert "on_row" in calls


@pytest.mark.parametrize(
    ("o", "expected"),
    [
        (None, ["-submitted_at", "-id"]),
        ("", ["-submitted_at", "-id"]),  # an empty o is the default order, as in ChangeList
        ("1", ["submitted_at", "-pk"]),
        ("-1.2", ["-submitted_at", "level", "-pk"]),
        ("0.x.9", ["-pk"]),  # not sortable, not a number, no such column: skipped
        ("-3", ["name", "-pk"]),  # a descending column sorted descending is ascending
    ],
)
def test_list_ordering_reads_o_as_the_changelist_does(o, expected):
    from review.list_selectors import list_ordering

    params = {} if o is None else {"o": o}
    columns = (None, "submitted_at", "level", "-name")
    assert list_ordering(params, columns=columns, default=("-submitted_at", "-id")) == expected
