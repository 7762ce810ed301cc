"""Every xlsx the platform writes stores text as text: a candidate named
`=HYPERLINK("http://evil.example/","点我")` is exported as that text, never as a live
formula (nor a number, nor a link). Each export is read back with openpyxl: the values are
text cells (data_type "s"), unchanged, and no cell anywhere holds a formula."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.jobs.models import Job
from exam.models import Level, Specialty
from people.models import Candidate, Institution, Physician
from review.job_tasks import export_job_run
from review.models import ReferenceLibrary, ReferenceRecord
from tests.builders import advance_to, submitted
from tests.exports import export_post
from tests.review.import_helpers import resident_id
from tests.review.materials import education
from tests.review.scenario import UNIT_A

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/","点我")',
    "+1+2",
    "-1-2",
    "@SUM(A1:A2)",
]


def text_cells(content: bytes, expected: list[str]) -> None:
    """No formula in any cell of any sheet; each expected value is a text cell, as is."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == []
    for value in expected:
        found = [c for c in cells if c.value == value]
        assert found, (value, [c.value for c in cells][:40])
        assert all(c.data_type == "s" for c in found), value


def download(client, url: str, **params) -> bytes:
    # A hostile 导出用途 too: it is written into the footer row and the properties as text.
    response = export_post(client, url, params, purpose=HOSTILE[0])
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def province(client, reviewers):
    client.force_login(reviewers["province"])
    return client


@pytest.fixture
def hostile_candidates(tree, reviewers, health_project, material_media):
    """Four applications reported up to the province, their candidates named HOSTILE, each
    with a 学历信息 whose school is named so too."""
    applications = []
    for value in HOSTILE:
        application = advance_to(submitted(health_project, tree[UNIT_A]), "province")
        Candidate.objects.filter(pk=application.candidate_id).update(name=value)
        education(application, school=value)
        applications.append(application)
    return applications


# --- django-import-export exports (PlatformXLSX) ---------------------------------------------


def test_payment_export(province, hostile_candidates):
    """缴费状态: the candidates' names (A2 …)."""
    text_cells(download(province, reverse("admin:review_paymentapplication_export")), HOSTILE)


def test_reference_record_export(province):
    """对比库: 姓名 and 说明 (G2)."""
    library = ReferenceLibrary.objects.get(code="violation")
    for i, value in enumerate(HOSTILE):
        ReferenceRecord.objects.create(
            library=library,
            id_number=resident_id(f"4201021990010112{i}"),
            name=value,
            year=2024,
            detail=value,
            extra={"violation": value},
        )
    content = download(
        province, reverse("admin:review_referencerecord_export"), library__code__exact="violation"
    )
    text_cells(content, HOSTILE)


def test_reviewer_account_export(client, reviewers):
    """审核人员: the names a manager gave the accounts (B2–B5)."""
    users = [reviewers[n] for n in ("county_jiangan", "unit_a", "unit_b", "unit_c")]
    for user, value in zip(users, HOSTILE, strict=True):
        get_user_model().objects.filter(pk=user.pk).update(first_name=value)
    client.force_login(reviewers["province"])
    content = download(client, reverse("admin:people_reviewermembership_export"))
    text_cells(content, HOSTILE)


def test_institution_export(province, tree):
    for code, value in zip(["420102", "420106", "420500", "420100"], HOSTILE, strict=True):
        Institution.objects.filter(code=code).update(name=value)
    text_cells(download(province, reverse("admin:people_institution_export")), HOSTILE)


def test_physician_export(province):
    for i, value in enumerate(HOSTILE):
        Physician.objects.create(
            name=value,
            id_number=resident_id(f"4201021970010199{i}"),
            institution_name=value,
            practice_scope=value,
        )
    text_cells(download(province, reverse("admin:people_physician_export")), HOSTILE)


def test_specialty_export(province):
    level = Level.objects.first()
    for i, value in enumerate(HOSTILE):
        Specialty.objects.create(level=level, code=f"9{i}9", name=value, note=value)
    text_cells(download(province, reverse("admin:exam_specialty_export")), HOSTILE)


# --- the streamed exports (review.exporting) -------------------------------------------------


def test_review_list_export(province, hostile_candidates):
    content = download(province, reverse("admin:review_reviewapplication_export"), scope="subtree")
    text_cells(content, HOSTILE)


def test_material_export(province, hostile_candidates):
    text_cells(download(province, reverse("admin:review_verifyeducation_export")), HOSTILE)


def test_export_job(province, hostile_candidates, reviewers, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/not-served/"},
        },
    }
    job = Job.objects.create(
        owner=reviewers["province"],
        kind=Job.Kind.EXPORT,
        subject="review.reviewapplication",
        label="导出",
        params={"query": "scope=subtree"},
    )
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    with job.result_file.open("rb") as handle:
        text_cells(handle.read(), HOSTILE)


# --- the import templates and the writer itself ----------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "review_paymentapplication",
        "review_referencerecord",
        "review_reviewapplication",
        "people_reviewermembership",
        "people_institution",
        "people_physician",
        "exam_specialty",
    ],
)
def test_import_templates_go_through_the_writer(province, model):
    content = download(province, reverse(f"admin:{model}_import_template"))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[1] == "填写说明"
    text_cells(content, [book.worksheets[0]["A1"].value])


def test_template_writer_stores_text_as_text():
    from core.xlsx import write_workbook

    content = write_workbook(
        ["姓名", "证件号码", "说明"],
        [[value, "420102199001011236", value] for value in HOSTILE],
        text_columns=("证件号码",),
        title="导入数据",
        notes=[(value, value) for value in HOSTILE],
    )
    text_cells(content, HOSTILE)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["导入数据"]
    assert sheet["B2"].data_type == "s" and sheet["B2"].number_format == "@"


def test_writer_keeps_numbers_dates_and_booleans():
    import datetime

    from core.xlsx import RowsExporter, write_xlsx

    buffer = io.BytesIO()
    write_xlsx(
        RowsExporter(
            ["数", "日期", "时间", "是否", "文本"],
            [[2024, datetime.date(2024, 6, 30), datetime.datetime(2024, 1, 2, 3, 4), True, "=1"]],
        ),
        buffer,
    )
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert [c.value for c in sheet[2]] == [
        2024,
        datetime.datetime(2024, 6, 30),
        datetime.datetime(2024, 1, 2, 3, 4),
        True,
        "=1",
    ]
    assert [c.data_type for c in sheet[2]] == ["n", "d", "d", "b", "s"]


def test_every_admin_export_format_is_the_platform_writer():
    """No admin exports through django-import-export's own XLSX (openpyxl, formulas)."""
    from django.contrib import admin
    from import_export.formats.base_formats import XLSX

    from core.imports.base import PlatformXLSX

    checked = []
    for model_admin in admin.site._registry.values():
        if not hasattr(model_admin, "get_export_formats"):
            continue
        for file_format in model_admin.get_export_formats():
            if issubclass(file_format, XLSX):
                checked.append(type(model_admin).__name__)
                assert issubclass(file_format, PlatformXLSX), type(model_admin).__name__
    assert "VerifyEducationAdmin" in checked and "PaymentApplicationAdmin" in checked
