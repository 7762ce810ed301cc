"""Background jobs (我的任务): exports and imports over settings.JOB_THRESHOLD_ROWS run as
jobs with progress, a private result file and the errors of a failed import."""

import io
import json
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.jobs import progress as progress_module
from core.jobs.models import Job
from core.jobs.progress import ProgressReporter, progress_file
from core.masking import mask_id_number
from people.models import ImportLog
from review.imports.reference_records import ReferenceRecordResource
from review.job_imports import import_job_run
from review.job_tasks import export_job_run
from review.models import ReferenceRecord
from tests.builders import in_health_business
from tests.exports import export_post, without_footer
from tests.review.import_helpers import bad_checksum, preview, resident_id, xlsx_bytes
from tests.review.private_media import use_private_media
from tests.review.scenario import EXPECTED_HEALTH as EXPECTED
from tests.storage import stored_files

EXPORT_URL = "admin:review_reviewapplication_export"
REFERENCE_IMPORT = "admin:review_referencerecord_import"
ID_A = resident_id("42010219900101123")
ID_B = resident_id("42010219850315456")
ID_C = resident_id("42010219920720789")
HEADERS = ["证件号码", "姓名", "年度", "违纪行为"]


@pytest.fixture(autouse=True)
def job_settings(settings, tmp_path):
    """Private media and the import temp folder in tmp_path; a tiny threshold."""
    use_private_media(settings, tmp_path)
    settings.JOB_THRESHOLD_ROWS = 2
    settings.JOB_PROGRESS_EVERY = 1
    return settings


@pytest.fixture
def published(monkeypatch):
    """Every progress figure a reporter publishes: (done, total, phase)."""
    calls = []
    original = ProgressReporter.publish

    def spy(self, done, total, *, force=False):
        before = self.calls
        original(self, done, total, force=force)
        if self.calls > before:
            calls.append((done, total, self.phase))

    monkeypatch.setattr(ProgressReporter, "publish", spy)
    return calls


def login(client, reviewers, name):
    client.force_login(in_health_business(reviewers[name]))
    return client


def job_page(job):
    return reverse("admin:jobs_job_change", args=[job.pk])


def sheet_rows(content: bytes) -> list[list]:
    """An export's rows without its 导出人 footer row (which must be there)."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return without_footer([list(row) for row in sheet.iter_rows()])


def export_job(client, reviewers, apps, django_capture_on_commit_callbacks, name="county_jiangan"):
    login(client, reviewers, name)
    with django_capture_on_commit_callbacks() as callbacks:
        response = export_post(client, reverse(EXPORT_URL), {"scope": "subtree"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == job_page(job)
    assert len(callbacks) == 1  # the task is enqueued only after the commit
    return job


# --- export -----------------------------------------------------------------------------------


def test_small_export_stays_in_the_request(client, apps, reviewers, settings):
    settings.JOB_THRESHOLD_ROWS = 100
    login(client, reviewers, "county_jiangan")
    response = export_post(client, reverse(EXPORT_URL), {"scope": "subtree"})
    assert response.status_code == 200
    assert len(sheet_rows(response.content)) - 1 == len(EXPECTED["county_jiangan"][0])
    assert not Job.objects.exists()


def test_export_over_threshold_runs_as_a_job(
    client, apps, reviewers, django_capture_on_commit_callbacks, published, monkeypatch
):
    monkeypatch.setattr("core.xlsx.PROGRESS_EVERY", 1)  # the writer's own step
    job = export_job(client, reviewers, apps, django_capture_on_commit_callbacks)
    expected = {
        mask_id_number(apps[key].candidate.id_number) for key in EXPECTED["county_jiangan"][0]
    }
    assert job.owner == reviewers["county_jiangan"]
    assert (job.kind, job.status, job.subject) == ("export", "queued", "review.reviewapplication")
    assert job.progress_total == len(expected) and job.params["query"] == "scope=subtree"
    # The job keeps the 当前业务 it was asked in (review/business.py).
    assert job.params["business"]["name"] == "2026年卫生专业技术资格考试"

    export_job_run(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.progress_done == job.progress_total == len(expected)
    assert job.result_name.startswith("报名材料审核_江岸区") and job.result_name.endswith(".xlsx")
    assert job.result_file.name.startswith("jobs/")
    assert timedelta(hours=23) < job.expires_at - timezone.now() <= timedelta(hours=24)
    rows = sheet_rows(job.result_file.read())
    id_column = rows[0].index(next(c for c in rows[0] if c.value == "证件号码"))
    assert {row[id_column].value for row in rows[1:]} == expected
    assert all(row[id_column].data_type == "s" for row in rows[1:])
    # Progress was published every row (JOB_PROGRESS_EVERY = 1) and ends at total.
    assert [done for done, _, _ in published] == list(range(1, len(expected) + 1))
    assert published[-1] == (len(expected), len(expected), "正在导出")


def test_export_task_rechecks_the_permission(
    client, apps, reviewers, tree, django_capture_on_commit_callbacks
):
    from guardian.shortcuts import remove_perm

    job = export_job(client, reviewers, apps, django_capture_on_commit_callbacks)
    county = tree["420102"]
    remove_perm("people.export_data", county.reviewer_group, county)
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "您已没有导出权限，任务未执行。"
    assert not job.result_file


def test_export_task_uses_the_owner_scope_not_the_others(
    client, apps, reviewers, django_capture_on_commit_callbacks
):
    job = export_job(client, reviewers, apps, django_capture_on_commit_callbacks, "city_wuhan")
    export_job_run(job.pk)
    job.refresh_from_db()
    rows = sheet_rows(job.result_file.read())
    names = {mask_id_number(apps[key].candidate.id_number) for key in EXPECTED["city_wuhan"][0]}
    assert {row[10].value for row in rows[1:]} == names


def test_only_the_owner_downloads_and_expiry_gives_410_then_purge_removes(
    client, apps, reviewers, django_capture_on_commit_callbacks
):
    job = export_job(client, reviewers, apps, django_capture_on_commit_callbacks)
    export_job_run(job.pk)
    job.refresh_from_db()
    download = reverse("admin:jobs_job_download", args=[job.pk])

    response = client.get(download)
    assert response.status_code == 200
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    assert "attachment" in response["Content-Disposition"]
    assert len(sheet_rows(b"".join(response.streaming_content))) > 1

    login(client, reviewers, "province")  # sees more applications, but not this job
    assert client.get(download).status_code == 404
    assert client.get(job_page(job)).status_code == 404
    client.force_login(in_health_business(_superuser()))
    assert client.get(download).status_code == 404

    login(client, reviewers, "county_jiangan")
    stored = job.result_file.name
    assert stored in stored_files("jobs")
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.get(download).status_code == 410
    assert "结果文件已过期" in client.get(job_page(job)).content.decode()

    out = io.StringIO()
    call_command("purge_jobs", stdout=out)
    assert stored not in stored_files("jobs")
    job.refresh_from_db()
    assert not job.result_file and job.status == Job.Status.DONE  # the page stays
    assert "已删除过期结果文件 1 个" in out.getvalue()
    assert client.get(download).status_code == 410


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root_jobs", password="x")


def test_purge_deletes_old_jobs_and_marks_dead_ones_failed(reviewers):
    owner = reviewers["province"]
    old = Job.objects.create(
        owner=owner, kind="export", subject="x.y", label="旧任务", status=Job.Status.DONE
    )
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    dead = Job.objects.create(
        owner=owner, kind="import", subject="x.y", label="中断", status=Job.Status.RUNNING
    )
    Job.objects.filter(pk=dead.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    alive = Job.objects.create(
        owner=owner, kind="import", subject="x.y", label="进行中", status=Job.Status.RUNNING
    )
    call_command("purge_jobs", stdout=io.StringIO())
    assert not Job.objects.filter(pk=old.pk).exists()
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == Job.Status.FAILED and dead.interrupted
    assert dead.message == "后台任务进程已中断，请重新开始。"
    assert alive.status == Job.Status.RUNNING


# --- status, list, permissions -------------------------------------------------------------


def test_status_endpoint_and_job_page(client, reviewers):
    owner = reviewers["province"]
    job = Job.objects.create(
        owner=owner,
        kind="import",
        subject="review.referencerecord",
        label="导入对比库记录：大.xlsx（9000 行）",
        status=Job.Status.RUNNING,
        phase="正在校验并写入",
        progress_done=100,
        progress_total=18000,
    )
    client.force_login(owner)
    url = reverse("admin:jobs_job_status", args=[job.pk])
    data = client.get(url).json()
    assert data == {
        "id": job.pk,
        "status": "running",
        "status_label": "进行中",
        "phase": "正在校验并写入",
        "done": 100,
        "total": 18000,
        "percent": 0,
        "finished": False,
        "message": "",
        "error_count": 0,
        "download_url": "",
        "expired": False,
        "notice": "",
    }
    # What an SQLite import publishes from inside its transaction (a file) counts too.
    path = progress_file(job.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"done": 9000, "total": 18000, "phase": "正在写入"}))
    data = client.get(url).json()
    assert (data["done"], data["percent"], data["phase"]) == (9000, 50, "正在写入")

    page = client.get(job_page(job)).content.decode()
    assert "导入对比库记录：大.xlsx" in page and 'data-status-url="' + url in page
    assert 'id="job-bar" style="width: 50%"' in page

    login(client, reviewers, "county_jiangan")
    assert client.get(url).status_code == 404


def test_my_jobs_lists_only_my_own(client, reviewers):
    mine = Job.objects.create(
        owner=reviewers["county_jiangan"], kind="export", subject="a.b", label="我的导出"
    )
    Job.objects.create(
        owner=reviewers["province"], kind="export", subject="a.b", label="别人的导出"
    )
    login(client, reviewers, "county_jiangan")
    page = client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert "我的导出" in page and job_page(mine) in page
    assert "别人的导出" not in page
    assert "我的任务" in client.get(reverse("admin:index")).content.decode()


# --- import -----------------------------------------------------------------------------------


def upload(rows, name="违纪.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(rows))


def good_rows():
    return [
        HEADERS,
        [ID_A, "张三", 2023, "携带手机"],
        [ID_B, "李四", 2024, "替考"],
        [ID_C, "王五", 2022, "夹带"],
    ]


def import_job(client, reviewers, rows, django_capture_on_commit_callbacks):
    login(client, reviewers, "province")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse(REFERENCE_IMPORT),
            {"import_file": upload(rows), "format": "", "library": "violation"},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    job = Job.objects.get()
    assert response["Location"] == job_page(job)
    assert len(callbacks) == 1
    assert (job.kind, job.status, job.progress_total) == ("import", "queued", len(rows) - 1)
    assert job.params["options"] == {"library": "violation"}
    assert job.params["upload"].startswith("jobs/uploads/")
    return job


def test_small_import_keeps_the_preview(client, reviewers):
    login(client, reviewers, "province")
    result = preview(client, "review_referencerecord", upload(good_rows()[:3]), library="violation")
    assert result.can_confirm and result.counts["new"] == 2
    assert not Job.objects.exists()


def test_import_job_writes_everything(
    client, reviewers, django_capture_on_commit_callbacks, published
):
    job = import_job(client, reviewers, good_rows(), django_capture_on_commit_callbacks)
    upload_path = job.params["upload"]
    from django.core.files.storage import default_storage

    assert default_storage.exists(upload_path)

    import_job_run(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, (job.message, job.errors)
    assert job.counts == {"new": 3, "update": 0, "skip": 0, "error": 0}
    assert set(
        ReferenceRecord.objects.filter(library__code="violation").values_list(
            "id_number", flat=True
        )
    ) >= {ID_A, ID_B, ID_C}
    assert not default_storage.exists(upload_path)  # the upload goes once imported
    log = ImportLog.objects.get()
    assert (log.outcome, log.new_count, log.file_name) == ("applied", 3, "违纪.xlsx")
    # One pass: 0 of 3 at the start, then each row checked and written, published.
    assert published == [(n, 3, "正在校验并写入") for n in range(4)]
    page = client.get(job_page(job)).content.decode()
    assert "导入完成：新增 3 条" in page


def test_import_task_rechecks_the_importers_permission(
    client, reviewers, django_capture_on_commit_callbacks
):
    """The owner's 管理 on the province is taken away after the job was queued: the
    registry's importer refuses the owner, and nothing is written, not even an ImportLog."""
    from guardian.shortcuts import remove_perm

    from people.models import ReviewerMembership

    job = import_job(client, reviewers, good_rows(), django_capture_on_commit_callbacks)
    province = ReviewerMembership.objects.get(user=job.owner).institution
    remove_perm("people.manage_institution", job.owner, province)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "您已没有导入权限，任务未执行。"
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).exists()
    assert not ImportLog.objects.exists()


def test_import_job_with_a_bad_row_fails_and_writes_nothing(
    client, reviewers, django_capture_on_commit_callbacks
):
    rows = good_rows()
    rows[2][0] = bad_checksum(ID_B)
    job = import_job(client, reviewers, rows, django_capture_on_commit_callbacks)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "没有写入任何数据" in job.message
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "证件号码")]
    assert "校验" in job.errors[0]["message"] or "证件号码" in job.errors[0]["message"]
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_C]).exists()
    assert ImportLog.objects.get().outcome == "refused"
    page = client.get(job_page(job)).content.decode()
    assert 'id="job-errors"' in page and "第 3 行" in page


def test_import_job_with_a_bad_row_after_written_batches_leaves_nothing(
    client, reviewers, django_capture_on_commit_callbacks, monkeypatch
):
    """The job checks and writes in one pass: rows already written in batches before the
    bad row are rolled back with it."""
    from review.imports import reference_records

    monkeypatch.setattr(reference_records, "BATCH_SIZE", 1)  # each good row is written at once
    inserted = []
    original = ReferenceRecordResource._insert

    def counting(self, records, using):
        inserted.extend(r.id_number for r in records)
        return original(self, records, using)

    monkeypatch.setattr(ReferenceRecordResource, "_insert", counting)
    rows = good_rows()
    rows[3][0] = bad_checksum(ID_C)
    job = import_job(client, reviewers, rows, django_capture_on_commit_callbacks)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert inserted == [ID_A, ID_B]  # written inside the job's transaction …
    assert job.status == Job.Status.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(4, "证件号码")]
    # … and rolled back with it.
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B]).exists()
    assert ImportLog.objects.get().outcome == "refused"


def test_import_job_crashing_midway_leaves_nothing(
    client, reviewers, django_capture_on_commit_callbacks, monkeypatch
):
    job = import_job(client, reviewers, good_rows(), django_capture_on_commit_callbacks)
    original = ReferenceRecordResource.save_instance
    written = []

    def crash_on_second_write(self, instance, is_create, row, **kwargs):
        if not kwargs.get("dry_run"):
            written.append(instance.id_number)
            if len(written) == 2:
                raise RuntimeError("disk full")
        return original(self, instance, is_create, row, **kwargs)

    monkeypatch.setattr(ReferenceRecordResource, "save_instance", crash_on_second_write)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert written[:2] == [ID_A, ID_B]  # the first row was written, then rolled back
    assert job.status == Job.Status.FAILED
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).exists()
    assert any("RuntimeError" in e["message"] for e in job.errors)


def test_import_job_dying_before_commit_leaves_nothing(
    client, reviewers, django_capture_on_commit_callbacks, monkeypatch
):
    from people.importers import Importer

    job = import_job(client, reviewers, good_rows(), django_capture_on_commit_callbacks)

    def boom(self, *, user, result, outcome, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(Importer, "log", boom)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "导入中断（RuntimeError：worker killed），没有写入任何数据。"
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).exists()
    assert job.finished_at is not None


def test_import_job_runs_only_once(client, reviewers, django_capture_on_commit_callbacks):
    job = import_job(client, reviewers, good_rows(), django_capture_on_commit_callbacks)
    import_job_run(job.pk)
    import_job_run(job.pk)  # a second delivery of the same task does nothing
    assert ImportLog.objects.count() == 1


def test_jobs_run_through_the_tasks_backend(
    client, reviewers, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    login(client, reviewers, "province")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(REFERENCE_IMPORT),
            {"import_file": upload(good_rows()), "format": "", "library": "violation"},
        )
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.task_id
    assert ReferenceRecord.objects.filter(id_number=ID_A).exists()


def test_progress_inside_a_transaction_on_sqlite_goes_to_a_file(reviewers, settings):
    from django.db import connection, transaction

    job = Job.objects.create(owner=reviewers["province"], kind="import", subject="a.b", label="x")
    reporter = ProgressReporter(job.pk, every=1, phase="正在写入")
    with transaction.atomic():
        reporter(5, 10)
    if connection.vendor == "sqlite":
        assert json.loads(progress_file(job.pk).read_text()) == {
            "done": 5,
            "total": 10,
            "phase": "正在写入",
        }
    reporter.close()
    assert not progress_file(job.pk).exists()
    assert progress_module.read_progress_file(job.pk) is None


@pytest.mark.django_db(transaction=True)
def test_import_progress_is_visible_to_others_before_the_commit(client, reviewers, monkeypatch):
    """The write phase runs in ONE transaction; its progress still reaches the page: a side
    connection's UPDATE on PostgreSQL, the progress file on SQLite."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    login(client, reviewers, "province")
    client.post(
        reverse(REFERENCE_IMPORT),
        {"import_file": upload(good_rows()), "format": "", "library": "violation"},
    )
    job = Job.objects.get()

    def seen_elsewhere() -> tuple[int, bool]:
        """(progress done, any record committed) as another connection sees them."""
        if connection.vendor == "sqlite":
            side = progress_module.read_progress_file(job.pk) or {"done": 0}
            return side["done"], False
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT progress_done FROM jobs_job WHERE id = %s", [job.pk])
                done = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT count(*) FROM review_referencerecord WHERE id_number = %s", [ID_A]
                )
                committed = cursor.fetchone()[0] > 0
        finally:
            other.close()
        return done, committed

    observed = []
    original = ReferenceRecordResource.save_instance

    def watch(self, instance, is_create, row, **kwargs):
        if not kwargs.get("dry_run"):
            observed.append(seen_elsewhere())
        return original(self, instance, is_create, row, **kwargs)

    monkeypatch.setattr(ReferenceRecordResource, "save_instance", watch)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    # Before each row is written, the rows before it have been published, while nothing
    # of the import is visible yet.
    assert [done for done, _ in observed] == [0, 1, 2]
    assert not any(committed for _, committed in observed)
