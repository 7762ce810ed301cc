"""Fast exports (review/exporting.py), the calamine xlsx reader, and query counts of the
review list, its detail page and the exports (issue 6, items 2 and 4).

Speed itself is measured by the benchmark command, never asserted here; these tests pin
what makes it possible: the same cells as the django-import-export resources, a query
count that does not grow with the rows, ID numbers kept as text."""

import datetime
import io

import openpyxl
import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import xlsx
from core.imports.base import PlatformXLSX, _header, read_xlsx_rows
from core.xlsx import write_xlsx
from exam.eligibility.outcomes import Outcome
from exam.models import Application, EducationRecord, NurseLicense
from review.admin.materials import VerifyEducationAdmin, VerifyNurseLicenseAdmin
from review.exporting import ApplicationExporter, MaterialExporter
from tests.builders import (
    in_health_business,
    new_application,
    store_eligibility,
    submitted,
    superuser,
)
from tests.exports import export_post
from tests.review.import_helpers import resident_id, xlsx_bytes
from tests.review.reference_resources import ReviewApplicationResource, material_resource
from tests.review.scenario import EXPECTED_HEALTH as EXPECTED
from tests.review.scenario import UNIT_A

CHANGELIST = "admin:review_reviewapplication_changelist"
ORDER = ("-submitted_at", "-id")


def _resource_rows(resource, queryset) -> tuple[list[str], list[list]]:
    dataset = resource.export(queryset)
    return list(dataset.headers), [list(row) for row in dataset]


def _exporter_rows(exporter) -> tuple[list[str], list[list]]:
    return list(exporter.headers), list(exporter.rows())


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _write(exporter, **kwargs) -> tuple[int, bytes]:
    buffer = io.BytesIO()
    count = write_xlsx(exporter, buffer, **kwargs)
    return count, buffer.getvalue()


# Every 报考条件 cell the exports can hold ("" = nothing stored yet).
ELIGIBILITY_CELLS = {"", "符合", "不符合", "需人工核实", "符合（人工认定）", "不符合（人工认定）"}


@pytest.fixture
def eligibility(apps):
    """Stored 报考条件 for some scenario applications: each outcome, two overrides."""
    store_eligibility(apps["a_pending"], Outcome.ELIGIBLE)
    store_eligibility(apps["b_pending"], Outcome.INELIGIBLE)
    store_eligibility(apps["c_pending"], Outcome.MANUAL)
    store_eligibility(apps["a_at_county"], Outcome.INELIGIBLE, override=Outcome.ELIGIBLE)
    store_eligibility(apps["a_at_city"], Outcome.MANUAL, override=Outcome.INELIGIBLE)
    store_eligibility(apps["tcm_jiangan"], Outcome.MANUAL)


# --- the exporters give the resources' cells -------------------------------------------------


def test_application_exporter_equals_the_resource_export(apps, eligibility):
    queryset = Application.objects.order_by(*ORDER)
    assert queryset.count() == len(apps)
    expected = _resource_rows(ReviewApplicationResource(), queryset)
    assert _exporter_rows(ApplicationExporter(queryset)) == expected
    # Empty tier statuses (not reached), a draft's missing 提交时间, TCM without a level,
    # every kind of 报考条件 cell: all in the scenario, all equal.
    headers, rows = expected
    assert any(row[headers.index("提交时间")] == "" for row in rows)
    assert any(row[headers.index("申报级别")] == "" for row in rows)
    assert {row[headers.index("报考条件")] for row in rows} == ELIGIBILITY_CELLS
    # Information beside the two columns the reviewer fills in for the 审核结果 import.
    assert headers[-3:] == ["报考条件", "审核状态", "审核备注"]


@pytest.mark.parametrize("tier", ["", "unit", "county", "province"])
@pytest.mark.parametrize("admin_class", [VerifyEducationAdmin, VerifyNurseLicenseAdmin])
def test_material_exporter_equals_the_resource_export(materials, eligibility, admin_class, tier):
    model = EducationRecord if admin_class is VerifyEducationAdmin else NurseLicense
    queryset = model.objects.order_by("-application__submitted_at", "-application_id", "id")
    assert queryset.exists()
    # 学历信息 shows 报考条件 (the engine reads it), 护士执业证 does not.
    with_eligibility = admin_class.exporter.with_eligibility
    assert with_eligibility is (admin_class is VerifyEducationAdmin)
    resource = material_resource(
        model, admin_class.material_fields, with_eligibility=with_eligibility
    )(tier=tier)
    exporter = MaterialExporter(
        queryset,
        field_names=admin_class.material_fields,
        tier=tier,
        extra_select_related=admin_class.extra_select_related,
        with_eligibility=with_eligibility,
    )
    headers, rows = _exporter_rows(exporter)
    assert (headers, rows) == _resource_rows(resource, queryset)
    assert exporter.count() == queryset.count()
    assert "证件号码" in exporter.text_columns
    if with_eligibility:
        assert headers[headers.index("申报单位") + 1] == "报考条件"
        assert {row[headers.index("报考条件")] for row in rows} == ELIGIBILITY_CELLS
    else:
        assert "报考条件" not in headers


# --- the written file -------------------------------------------------------------------------


def test_written_file_keeps_id_numbers_and_codes_as_text(apps):
    queryset = Application.objects.order_by(*ORDER)
    exporter = ApplicationExporter(queryset)
    exporter.full_id = True  # as people.exports sets it for a holder who asked
    count, data = _write(exporter)
    assert count == len(apps)
    sheet = _sheet(data)
    rows = list(sheet.iter_rows())
    headers = [c.value for c in rows[0]]
    assert headers == ApplicationExporter.headers
    assert all(c.font.b for c in rows[0])
    id_column = headers.index("证件号码")
    assert {row[id_column].value for row in rows[1:]} == {
        a.candidate.id_number for a in apps.values()
    }
    assert all(row[id_column].data_type == "s" for row in rows[1:])
    assert all(row[id_column].number_format == "@" for row in rows[1:])
    # 申报编号 stays a number (the decision import reads it either way).
    assert {row[0].value for row in rows[1:]} == {a.pk for a in apps.values()}
    assert sheet.freeze_panes == "A2"


def test_numbers_in_text_columns_are_written_as_text(tmp_path):
    class Numbers(xlsx.Exporter):
        headers = ["证件号码", "数量"]
        text_columns = ("证件号码",)

        def count(self) -> int:
            return 2

        def rows(self):
            yield [420102199001011234, 3]
            yield ["420102199001010000", 4.5]

    target = tmp_path / "numbers.xlsx"
    assert write_xlsx(Numbers(None), target) == 2
    rows = list(openpyxl.load_workbook(target).active.iter_rows(min_row=2))
    assert [(r[0].value, r[0].data_type) for r in rows] == [
        ("420102199001011234", "s"),
        ("420102199001010000", "s"),
    ]
    assert [r[1].value for r in rows] == [3, 4.5]


def test_progress_is_reported_while_writing(apps, monkeypatch):
    monkeypatch.setattr(xlsx, "PROGRESS_EVERY", 5)
    calls: list[tuple[int, int]] = []
    count, _ = _write(
        ApplicationExporter(Application.objects.order_by(*ORDER)),
        progress=lambda done, total: calls.append((done, total)),
    )
    total = len(apps)
    assert count == total
    assert calls == [*((n, total) for n in range(5, total + 1, 5)), (total, total)]


def test_empty_export_writes_the_headers_and_reports_zero(db):
    calls = []
    count, data = _write(
        ApplicationExporter(Application.objects.none()), progress=lambda *a: calls.append(a)
    )
    assert count == 0 and calls == [(0, 0)]
    rows = list(_sheet(data).iter_rows(values_only=True))
    assert rows == [tuple(ApplicationExporter.headers)]


# --- query counts ------------------------------------------------------------------------------


def _count_queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def test_exporter_query_count_does_not_grow_with_rows(tree, health_project, materials):
    def application_rows():
        return list(ApplicationExporter(Application.objects.order_by(*ORDER)).rows())

    def material_rows():
        exporter = MaterialExporter(
            EducationRecord.objects.order_by("id"),
            field_names=VerifyEducationAdmin.material_fields,
            extra_select_related=VerifyEducationAdmin.extra_select_related,
            with_eligibility=True,
        )
        return list(exporter.rows())

    outcomes = (Outcome.ELIGIBLE, Outcome.INELIGIBLE, Outcome.MANUAL)
    first = Application.objects.order_by("id").first()
    store_eligibility(first, Outcome.INELIGIBLE, override=Outcome.MANUAL)
    few = (_count_queries(application_rows), _count_queries(material_rows))
    for i in range(12):
        application = new_application(health_project, tree[UNIT_A])
        store_eligibility(application, outcomes[i % 3], override=outcomes[0] if i % 4 else "")
    from tests.review.materials import education

    with_education = EducationRecord.objects.values("application_id")
    for application in Application.objects.exclude(pk__in=with_education)[:12]:
        education(application)
    many = (_count_queries(application_rows), _count_queries(material_rows))
    assert many == few == (1, 1)
    # The rows did read the stored results (and the applications without one).
    cells = {row[ApplicationExporter.headers.index("报考条件")] for row in application_rows()}
    assert cells == {
        "",
        "需人工核实（人工认定）",
        "符合",
        "符合（人工认定）",
        "不符合",
        "需人工核实",
    }


def test_admin_export_query_count_does_not_grow_with_rows(client, reviewers, tree, health_project):
    client.force_login(in_health_business(reviewers["unit_a"]))
    url = reverse("admin:review_reviewapplication_export")
    for i in range(3):
        application = new_application(health_project, tree[UNIT_A])
        if i:
            store_eligibility(application, Outcome.MANUAL, override=Outcome.ELIGIBLE)
    export_post(client, url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        response = export_post(client, url)
    assert _sheet(response.content).max_row == 1 + 3 + 1  # and the 导出人 footer
    for i in range(20):
        application = new_application(health_project, tree[UNIT_A])
        store_eligibility(application, Outcome.INELIGIBLE if i % 2 else Outcome.ELIGIBLE)
    with CaptureQueriesContext(connection) as many:
        response = export_post(client, url)
    sheet = _sheet(response.content)
    assert sheet.max_row == 1 + 23 + 1  # and the 导出人 footer
    assert len(many.captured_queries) == len(few.captured_queries)
    column = ApplicationExporter.headers.index("报考条件") + 1
    cells = {sheet.cell(row, column).value for row in range(2, sheet.max_row)}
    assert cells == {None, "符合（人工认定）", "符合", "不符合"}


def test_material_admin_export_query_count_does_not_grow_with_rows(
    client, reviewers, tree, health_project, material_media
):
    from tests.review.materials import education

    client.force_login(in_health_business(reviewers["unit_a"]))
    url = reverse("admin:review_verifyeducation_export")

    def one_more(i: int) -> None:
        application = submitted(health_project, tree[UNIT_A])
        education(application)
        if i % 3:
            store_eligibility(application, Outcome.INELIGIBLE, override=Outcome.ELIGIBLE)

    one_more(1)
    export_post(client, url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one:
        response = export_post(client, url)
    assert _sheet(response.content).max_row == 1 + 1 + 1  # and the 导出人 footer
    for i in range(15):
        one_more(i)
    with CaptureQueriesContext(connection) as many:
        response = export_post(client, url)
    sheet = _sheet(response.content)
    assert sheet.max_row == 1 + 16 + 1  # and the 导出人 footer
    assert len(many.captured_queries) == len(one.captured_queries)
    column = [c.value for c in sheet[1]].index("报考条件") + 1
    cells = {sheet.cell(row, column).value for row in range(2, sheet.max_row)}
    assert cells == {None, "符合（人工认定）"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"scope": "subtree"},
        {"scope": "subtree", "status": "draft", "payment": "unpaid"},
        {"scope": "subtree", "review_status": "pending", "level": "3"},
        {"scope": "subtree", "name": "张", "institution": "单位"},
        {"scope": "subtree", "id_number": "42"},
    ],
)
def test_list_query_count_is_the_same_for_5_and_50_rows(
    client, reviewers, tree, health_project, params
):
    client.force_login(in_health_business(reviewers["unit_a"]))
    url = reverse(CHANGELIST)
    for _ in range(5):
        new_application(health_project, tree[UNIT_A])
    client.get(url, params)  # warm caches
    with CaptureQueriesContext(connection) as five:
        response = client.get(url, {**params, "all": ""})
    assert response.status_code == 200
    shown_five = len(response.context["cl"].result_list)
    for _ in range(45):
        new_application(health_project, tree[UNIT_A])
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(url, {**params, "all": ""})
    shown_fifty = len(response.context["cl"].result_list)
    assert len(fifty.captured_queries) == len(five.captured_queries)
    if params.get("review_status") is None and "name" not in params:
        assert (shown_five, shown_fifty) == (5, 50)
    # No full-table COUNT for the "共 N 条" line: show_full_result_count is off.
    assert response.context["cl"].show_full_result_count is False


def _page_queries(client, url: str) -> tuple[object, int]:
    """The detail page's response and its query count without the access log's one INSERT
    (个人信息访问记录, written once at the end of the request), which must be exactly one."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    inserts = [q for q in queries.captured_queries if "core_personaldataaccess" in q["sql"]]
    assert len(inserts) == 1 and inserts[0]["sql"].startswith("INSERT")
    return response, len(queries.captured_queries) - 1


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_detail_page_needs_at_most_25_queries(client, apps, materials, reviewers, username):
    """25 for the page itself, plus the access log's single INSERT (26 statements in all)."""
    client.force_login(in_health_business(reviewers[username]))
    names = sorted(EXPECTED[username][0])
    if not names:
        pytest.skip("nothing visible")
    client.get(reverse("admin:review_reviewapplication_change", args=[apps[names[0]].pk]))
    for name in names:
        url = reverse("admin:review_reviewapplication_change", args=[apps[name].pk])
        response, count = _page_queries(client, url)
        assert count <= 25
        assert response.status_code == 200
        assert apps[name].candidate.id_number in response.content.decode()


def test_detail_page_for_the_superuser(client, apps, materials):
    client.force_login(in_health_business(superuser()))
    url = reverse("admin:review_reviewapplication_change", args=[apps["a_pending"].pk])
    client.get(url)
    response, count = _page_queries(client, url)
    assert count <= 25
    assert response.status_code == 200 and response.context["can_decide"] is True


# --- reading xlsx: calamine gives what openpyxl gave -------------------------------------------


def _openpyxl_dataset(data: bytes) -> tablib.Dataset:
    """The reader PlatformXLSX used before python-calamine (openpyxl, read-only)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    dataset = tablib.Dataset()
    try:
        headers = [_header(h) for h in next(rows)]
    except StopIteration:
        return dataset
    width = len(headers)
    for row in rows:
        values = list(row)
        if len(values) > width:
            if any(v not in (None, "") for v in values[width:]):
                headers += [""] * (len(values) - width)
                width = len(headers)
                for old in dataset._data:
                    old.extend([None] * (width - len(old)))
            else:
                values = values[:width]
        dataset.append(values + [None] * (width - len(values)))
    dataset.headers = headers
    book.close()
    return dataset


ID_A = resident_id("42010219900101123")
FILES = {
    "plain": [
        ["来源库", "证件号码", "姓名", "年份"],
        ["违纪考生库", ID_A, "张三", 2023],
        ["", ID_A, "李四", "2024"],
        [None, ID_A, "王五", None],
    ],
    "numbers and dates": [
        ["证件号码", "年份", "日期", "时间", "比例", "是否", "代码"],
        [float(ID_A[:17] + "0"), 2021, datetime.date(2024, 6, 30), None, 0.5, True, 420102],
        [ID_A, 2021.0, datetime.datetime(2024, 1, 1, 10, 30), None, -3, False, "0420"],
    ],
    "blank lines and extra cells": [
        [" 姓名 ", "证件号码\ufeff", None],
        [],
        ["甲", ID_A, None, None, "多出来的"],
        [None, None, None],
        ["乙", "  ", None],
    ],
    "header only": [["姓名", "证件号码"]],
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_calamine_reading_equals_the_openpyxl_reading(name):
    data = xlsx_bytes(FILES[name])
    new = PlatformXLSX().create_dataset(data)
    old = _openpyxl_dataset(data)
    assert new.headers == old.headers
    # One known difference: calamine reads a whitespace-only cell as empty; every reader
    # of a cell treats both as blank (TextWidget strips, _is_blank), so it changes nothing.
    assert [list(r) for r in new] == [[_blank_as_none(v) for v in r] for r in old]


def _blank_as_none(value):
    return None if isinstance(value, str) and not value.strip() else value


def test_calamine_reading_of_an_id_number_typed_as_a_number():
    data = xlsx_bytes([["证件号码", "年份"], [float(ID_A[:17] + "0"), 2021]])
    row = PlatformXLSX().create_dataset(data)[0]
    # Left a float (as openpyxl read it), so IdNumberWidget refuses it, never a guessed text.
    assert isinstance(row[0], float) and row[1] == 2021 and isinstance(row[1], int)


def test_calamine_reader_keeps_excel_row_numbers_and_refuses_other_files():
    data = xlsx_bytes([[None], [None, "姓名"], [None, "甲"]])
    rows = read_xlsx_rows(data)
    assert rows[1][1] == "姓名" and rows[2][1] == "甲" and rows[0] == [None, None]
    from core.imports.base import ImportFileError

    with pytest.raises(ImportFileError, match="无法读取该 xlsx 文件"):
        read_xlsx_rows(b"not a zip file")
    assert len(PlatformXLSX().create_dataset(xlsx_bytes([]))) == 0
