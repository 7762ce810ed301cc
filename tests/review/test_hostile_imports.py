"""Every import entry point refuses a hostile file with a Chinese message and writes
nothing: the admin preview (with the row count that decides between a preview and a
background job), 确认导入, and the background job. Memory and time of the same reads are
measured in test_hostile_files.py; here the files are the ones that used to abort the
worker (they would take this test process down with them before the fix)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.imports.base import PlatformXLSX
from core.jobs.models import Job
from core.jobs.services import job_create_import
from core.jobs.storage import ImportTempStorage
from people.models import ImportLog
from review.job_imports import import_job_run
from review.models import ReferenceRecord
from tests.review import hostile_files as hostile
from tests.review.import_helpers import XLSX_TYPE, csv_upload, preview, resident_id, xlsx_bytes
from tests.review.private_media import use_private_media

pytestmark = pytest.mark.django_db

REFERENCE = "review_referencerecord"
DECISIONS = "review_reviewapplication"
ID_A = resident_id("42010219900101123")
ID_B = resident_id("42010219850315456")
ID_C = resident_id("42010219920720789")
GOOD = [
    ["证件号码", "姓名", "年度", "违纪行为"],
    [ID_A, "张三", 2023, "携带手机"],
    [ID_B, "李四", 2024, "替考"],
    [ID_C, "王五", 2022, "夹带"],
]
FAR_CELL = "第 XFD 列有内容"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    use_private_media(settings, tmp_path)
    settings.JOB_THRESHOLD_ROWS = 2  # every readable file here would become a job
    return settings


def xlsx(data: bytes, name: str = "导入.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_TYPE)


def upload_errors(response) -> list[str]:
    assert response.status_code == 200
    return list(response.context["form"].errors.get("import_file", []))


def nothing_written() -> None:
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).exists()
    assert not Job.objects.exists()


def ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


# --- the admin preview, as the issue reported it ------------------------------------------------


def test_unit_reviewer_uploads_the_far_cell_file_on_the_review_import(client, reviewers):
    """报名材料审核 → 导入 as unit_a: the file that aborted the worker."""
    client.force_login(reviewers["unit_a"])
    response = client.post(
        reverse(f"admin:{DECISIONS}_import"),
        {"import_file": xlsx(hostile.far_cell()), "format": "", "resource": "0"},
    )
    errors = upload_errors(response)
    # The 审核结果 import knows the 18 columns of the exported list: 28 with the margin.
    assert any(FAR_CELL in e and "28 列（A–AB 列）" in e for e in errors), errors
    assert not Job.objects.exists() and not ImportLog.objects.exists()


HOSTILE = {
    "far cell": (hostile.far_cell, FAR_CELL),
    "50,000 × 1,000": (lambda: hostile.sparse(50_000, 1_000), "第 ALL 列有内容"),
    "150,000 rows": (lambda: hostile.sparse(150_000, 3), "第 150000 行有内容"),
    "shared string copies": (hostile.shared_string_copies, "文字合计超过 48 MB"),
    "zip bomb": (lambda: hostile.zip_bomb(100), "解压后超过 96 MB"),
    "html named .xlsx": (lambda: b"<html><body>%PDF</body></html>", "它不是 Excel 工作簿"),
    "old .xls named .xlsx": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096),
        "旧版 Excel 文件（.xls），或是设置了打开密码的工作簿",
    ),
    "ods named .xlsx": (ods, "其他格式的表格"),
    "zip that is no workbook": (plain_zip, "无法读取该 xlsx 文件"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_reference_preview_refuses(client, reviewers, name):
    build, message = HOSTILE[name]
    client.force_login(reviewers["province"])
    response = client.post(
        reverse(f"admin:{REFERENCE}_import"),
        {"import_file": xlsx(build()), "format": "", "library": "violation"},
    )
    errors = upload_errors(response)
    assert any(message in e for e in errors), errors
    nothing_written()


def test_csv_beyond_the_import_columns_is_refused(client, reviewers):
    client.force_login(reviewers["province"])
    rows = [["证件号码", "姓名", "年度"], [ID_A, "张三", 2023, *([""] * 30), "多出来的"]]
    result = preview(client, REFERENCE, csv_upload(rows), library="violation")
    errors = upload_errors(result.response)
    assert any("第 AH 列有内容" in e and "21 列" in e for e in errors), errors
    nothing_written()


def test_file_over_the_upload_limit(client, reviewers, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    client.force_login(reviewers["province"])
    big = SimpleUploadedFile("大.csv", ("证件号码\n" + "x" * (1024 * 1024)).encode())
    response = client.post(
        reverse(f"admin:{REFERENCE}_import"),
        {"import_file": big, "format": "", "library": "violation"},
    )
    errors = upload_errors(response)
    assert any("超过了导入文件的上限 1 MB" in e for e in errors), errors
    nothing_written()


def test_the_row_count_that_chooses_a_job_builds_no_rows(
    client, reviewers, monkeypatch, django_capture_on_commit_callbacks
):
    """Over the threshold: counted and handed to a job; the rows are built by the job,
    never in the request."""
    built = []
    original = PlatformXLSX.create_dataset

    def counting(self, in_stream):
        built.append(len(in_stream))
        return original(self, in_stream)

    monkeypatch.setattr(PlatformXLSX, "create_dataset", counting)
    client.force_login(reviewers["province"])
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse(f"admin:{REFERENCE}_import"),
            {
                "import_file": xlsx(xlsx_bytes(GOOD), "违纪.xlsx"),
                "format": "",
                "library": "violation",
            },
        )
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.progress_total == 3
    assert built == []
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert len(built) == 1  # the job read it
    assert ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).count() == 3


# --- 确认导入 ---------------------------------------------------------------------------------


def test_confirm_step_refuses_a_hostile_stored_upload(client, reviewers):
    storage = ImportTempStorage(name=None, read_mode="rb")
    storage.save(hostile.far_cell())
    client.force_login(reviewers["province"])
    response = client.post(
        reverse(f"admin:{REFERENCE}_process_import"),
        {
            "import_file_name": storage.name,
            "original_file_name": "违纪.xlsx",
            "format": "0",
            "resource": "",
            "library": "violation",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(f"admin:{REFERENCE}_import")
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(FAR_CELL in t for t in texts), texts
    nothing_written()


# --- the background job -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (hostile.far_cell(), FAR_CELL),
        (hostile.sparse(50_000, 1_000), "第 ALL 列有内容"),
        (hostile.shared_string_copies(), "文字合计超过 48 MB"),
    ],
    ids=["far cell", "50,000 × 1,000", "shared string copies"],
)
def test_job_refuses_a_hostile_upload(reviewers, data, message):
    """A file that reached the job (uploaded before this check, or through another path)
    fails with the message; the job never builds the grid."""
    job = job_create_import(
        actor=reviewers["province"],
        subject="review.referencerecord",
        label="导入对比库记录",
        data=data,
        file_name="违纪.xlsx",
        sha256="0" * 64,
        format_index=0,
        options={"library": "violation"},
        total=3,
    )
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert message in job.message
    assert not ReferenceRecord.objects.filter(library__code="violation", name="x").exists()


def test_the_upload_form_names_the_limits(client, reviewers):
    client.force_login(reviewers["province"])
    page = client.get(reverse(f"admin:{REFERENCE}_import")).content.decode()
    assert "不超过 20 MB、100,000 行数据" in page
