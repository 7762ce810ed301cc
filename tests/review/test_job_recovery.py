"""Background jobs survive their worker and their database: a real `run_worker` process
(tests/review/job_worker.py) is killed mid-job or loses PostgreSQL, and the job ends as
失败 with a Chinese reason, can be started again with one click, and leaves no personal
data in the system temp folder."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.jobs.models import Job
from core.jobs.selectors import job_progress
from core.jobs.services import JobInterrupted, job_create_export
from core.models import AuditLogEntry
from core.tmpfiles import tmp_root
from people.models import ImportLog
from review.models import ReferenceRecord
from tests.builders import submitted
from tests.exports import grant_full_id
from tests.review.import_helpers import resident_id, xlsx_upload
from tests.review.worker_process import DatabaseProxy, WorkerProcess, database_url, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real PostgreSQL connection to lose"
)

WORKER_LOST = "后台任务进程已中断，请重新开始。"
ID_A = resident_id("42010219900101123")
ID_B = resident_id("42010219850315456")
ID_C = resident_id("42010219920720789")


@pytest.fixture
def var_dir(settings, tmp_path):
    """The worker subprocess and this process share the private folders (HBWSRC_VAR_DIR)."""
    var = tmp_path / "var"
    media = var / "private-media"
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": "/not-served/"},
        },
    }
    settings.JOB_THRESHOLD_ROWS = 2
    return var


@pytest.fixture
def worker(transactional_db, var_dir):
    """start(*run_worker options, **environment) → a WorkerProcess, stopped at the end."""
    started = []

    def start(*args, **env):
        process = WorkerProcess(var_dir, *args, **env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def export_job(owner, total: int, *, full_id: bool = False) -> Job:
    """Committed at once (transactional test): the task row is there for the worker."""
    job = job_create_export(
        actor=owner,
        subject="review.reviewapplication",
        label=f"导出报名材料审核（{total} 行）",
        query="scope=subtree",
        total=total,
        purpose="年度复核",
        full_id=full_id,
    )
    job.refresh_from_db()
    assert job.task_id  # enqueued on commit
    return job


def fresh(job: Job) -> Job:
    return Job.objects.get(pk=job.pk)


def task_status(job: Job) -> str:
    return DBTaskResult.objects.get(id=job.task_id).status


def files_under(folder) -> list:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def holds_any(paths, needles) -> bool:
    return any(n.encode() in p.read_bytes() for p in paths for n in needles)


# --- a worker killed mid-job ------------------------------------------------------------------


def test_export_killed_midway_leaves_no_personal_data_in_tmp_and_purge_fails_it(
    worker, var_dir, reference_data, reviewers, tree, health_project, settings
):
    applications = [submitted(health_project, tree["U420102001"]) for _ in range(4)]
    ids = [a.candidate.id_number for a in applications]
    # Full numbers (a holder of 导出完整证件号码 asked): none of them may stay behind.
    grant_full_id(reviewers["unit_a"])
    job = export_job(reviewers["unit_a"], total=4, full_id=True)
    process = worker(TEST_JOB_STALL_AFTER="2")

    wait_for(lambda: fresh(job).progress_done >= 2, what="two rows exported")
    # The rows written so far sit in xlsxwriter's row file: in the job's private folder,
    # and nothing at all in the system temp folder (where it used to be).
    row_files = wait_for(
        lambda: [
            p
            for p in files_under(tmp_root()) + files_under(process.system_tmp)
            if holds_any([p], ids)
        ],
        what="the row file",
    )
    assert files_under(process.system_tmp) == []
    leftover = files_under(tmp_root())
    assert row_files and set(row_files) <= set(leftover)
    assert all(p.relative_to(tmp_root()).parts[0].startswith(f"job-{job.pk}-") for p in leftover)
    # While it is stalled (no progress), the heartbeat thread keeps the job alive.
    beat = fresh(job).heartbeat_at
    if connection.vendor == "postgresql":
        wait_for(lambda: fresh(job).heartbeat_at > beat, what="a heartbeat")
    else:
        beat_file = var_dir / "private-media" / "jobs" / "progress" / f"{job.pk}.beat"
        first = wait_for(lambda: beat_file.exists() and beat_file.stat().st_mtime)
        wait_for(lambda: beat_file.stat().st_mtime > first, what="a heartbeat")

    process.kill()

    assert files_under(process.system_tmp) == []
    assert fresh(job).status == Job.Status.RUNNING  # nobody knows yet
    assert holds_any(leftover, ids)

    settings.JOB_DEAD_AFTER_SECONDS = 1
    time.sleep(1.5)
    out = io.StringIO()
    call_command("purge_jobs", stdout=out)

    job = fresh(job)
    assert (job.status, job.message, job.interrupted) == ("failed", WORKER_LOST, True)
    assert job.finished_at is not None
    assert task_status(job) == TaskResultStatus.FAILED  # not RUNNING for ever
    error = DBTaskResult.objects.get(id=job.task_id).task_result.errors[0]
    assert error.exception_class is JobInterrupted and error.traceback == WORKER_LOST
    assert "标记中断任务 1 个" in out.getvalue()
    assert files_under(tmp_root()) == []  # the killed export's rows are gone
    assert not job.result_file
    log = AuditLogEntry.objects.get(action="job.interrupted")
    assert log.actor is None and WORKER_LOST in log.remark


def test_import_killed_midway_fails_on_the_status_page_and_restarts_with_one_click(
    worker, var_dir, reference_data, reviewers, settings, client
):
    owner = reviewers["province"]
    client.force_login(owner)
    rows = [["证件号码", "姓名", "年度", "违纪行为"]]
    rows += [[ID_A, "张三", 2023, "携带手机"], [ID_B, "李四", 2024, "替考"]]
    rows += [[ID_C, "王五", 2022, "夹带"]]
    response = client.post(
        reverse("admin:review_referencerecord_import"),
        {"import_file": xlsx_upload(rows, "违纪.xlsx"), "format": "", "library": "violation"},
    )
    assert response.status_code == 302
    job = Job.objects.get()
    upload = job.params["upload"]
    page = reverse("admin:jobs_job_change", args=[job.pk])
    status_url = reverse("admin:jobs_job_status", args=[job.pk])
    process = worker(TEST_JOB_STALL_AFTER="1")

    wait_for(lambda: job_progress(fresh(job))[0] >= 1, what="one row imported")
    process.kill()

    # Within JOB_DEAD_AFTER_SECONDS the page still says 进行中 …
    assert client.get(status_url).json()["status"] == "running"
    # … after it, reading the page is enough to find the job dead.
    settings.JOB_DEAD_AFTER_SECONDS = 1
    time.sleep(1.5)
    data = client.get(status_url).json()
    assert (data["status"], data["status_label"], data["finished"]) == ("failed", "失败", True)
    assert data["message"] == WORKER_LOST
    assert task_status(job) == TaskResultStatus.FAILED
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).exists()
    html = client.get(page).content.decode()
    assert WORKER_LOST in html and 'id="job-restart"' in html
    assert f'action="{reverse("admin:jobs_job_restart", args=[job.pk])}"' in html

    restart = reverse("admin:jobs_job_restart", args=[job.pk])
    assert client.get(restart).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(owner)
    assert strict.post(restart).status_code == 403  # no CSRF token
    other = Client()
    other.force_login(reviewers["county_jiangan"])
    assert other.post(restart).status_code == 404  # not theirs
    assert Job.objects.count() == 1

    response = client.post(restart)
    again = Job.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_change", args=[again.pk])
    assert (again.status, again.retry_of_id, again.owner_id) == ("queued", job.pk, owner.pk)
    assert again.params == {**fresh(job).params, "upload": upload}
    assert "upload" not in fresh(job).params  # the new job owns the kept upload now
    assert AuditLogEntry.objects.filter(action="job.restarted", actor=owner).count() == 1
    # A second click (back button) starts nothing more.
    response = client.post(restart, follow=True)
    assert Job.objects.count() == 2
    assert "该任务已经重新开始过" in response.content.decode()
    assert 'id="job-retry"' in client.get(page).content.decode()

    # A worker runs the new job to the end.
    finished = worker("--batch")
    assert finished.wait() == 0, finished.log
    again = fresh(again)
    assert again.status == Job.Status.DONE, (again.message, finished.log)
    assert again.counts["new"] == 3
    assert ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).count() == 3
    assert ImportLog.objects.get().outcome == "applied"
    from django.core.files.storage import default_storage

    assert not default_storage.exists(upload)


def test_a_starting_worker_fails_the_jobs_of_a_dead_one(worker, reviewers):
    owner = reviewers["province"]
    dead = Job.objects.create(
        owner=owner, kind="export", subject="a.b", label="死", status="running"
    )
    alive = Job.objects.create(
        owner=owner, kind="export", subject="a.b", label="活", status="running"
    )
    long_ago = timezone.now() - timedelta(minutes=10)
    Job.objects.filter(pk=dead.pk).update(heartbeat_at=long_ago, updated_at=long_ago)
    process = worker("--batch")
    assert process.wait() == 0, process.log
    assert (fresh(dead).status, fresh(dead).message) == ("failed", WORKER_LOST)
    assert fresh(alive).status == "running"


@postgresql_only
def test_an_import_found_dead_while_still_working_writes_nothing(
    var_dir, reviewers, client, monkeypatch
):
    """The job is marked interrupted (another connection, as the job page would) while its
    import is still in its transaction: at the end the import rolls back, the job stays
    失败 and keeps its upload for 重新开始."""
    import threading

    from django.core.files.storage import default_storage

    from core.jobs.services import job_fail_interrupted
    from review.imports.reference_records import ReferenceRecordResource
    from review.job_imports import import_job_run

    client.force_login(reviewers["province"])
    rows = [["证件号码", "姓名", "年度", "违纪行为"], [ID_A, "张三", 2023, "携带手机"]]
    rows += [[ID_B, "李四", 2024, "替考"], [ID_C, "王五", 2022, "夹带"]]
    client.post(
        reverse("admin:review_referencerecord_import"),
        {"import_file": xlsx_upload(rows, "违纪.xlsx"), "format": "", "library": "violation"},
    )
    job = Job.objects.get()
    save = ReferenceRecordResource.save_instance
    marked = []

    def mark_dead() -> None:  # in a thread: its own connection, committed at once
        try:
            marked.append(job_fail_interrupted(job=fresh(job)))
        finally:
            connections.close_all()

    def found_dead_meanwhile(self, instance, is_create, row, **kwargs):
        if not marked:
            elsewhere = threading.Thread(target=mark_dead)
            elsewhere.start()
            elsewhere.join(timeout=30)
        return save(self, instance, is_create, row, **kwargs)

    monkeypatch.setattr(ReferenceRecordResource, "save_instance", found_dead_meanwhile)
    import_job_run(job.pk)
    assert marked == [True]
    job = fresh(job)
    assert (job.status, job.message, job.interrupted) == ("failed", WORKER_LOST, True)
    assert not ReferenceRecord.objects.filter(id_number__in=[ID_A, ID_B, ID_C]).exists()
    assert not ImportLog.objects.exists()
    assert default_storage.exists(job.params["upload"])


# --- the database goes away -------------------------------------------------------------------


def while_alive(process: WorkerProcess, predicate):
    """`predicate`, failing at once (with the worker's output) if the worker has died."""

    def check():
        assert process.alive(), f"the worker died:\n{process.log[-3000:]}"
        return predicate()

    return check


def _test_db_backends(application_name: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = %s",
            [application_name],
        )
        return [pid for (pid,) in cursor.fetchall()]


@postgresql_only
def test_worker_survives_its_connections_being_terminated(
    worker, reference_data, reviewers, tree, health_project
):
    """pg_terminate_backend is what a restart does to each client. The worker keeps its
    connection between polls (DB_CONN_MAX_AGE) so the next poll hits the dead one."""
    name = "hbwsrc-test-worker"
    process = worker(url=database_url(application_name=name), DB_CONN_MAX_AGE="600")
    pids = wait_for(lambda: _test_db_backends(name), what="the worker's connection")
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    for _ in range(3):
        submitted(health_project, tree["U420102001"])
    job = export_job(reviewers["unit_a"], total=3)
    wait_for(while_alive(process, lambda: fresh(job).status == Job.Status.DONE))
    assert task_status(job) == TaskResultStatus.SUCCESSFUL
    assert "worker restarts in" in process.log  # it did meet the dead connection


@postgresql_only
def test_worker_rides_out_a_database_restart_mid_job_and_idle(
    worker, reference_data, reviewers, tree, health_project
):
    """Through a proxy that behaves like a restarting server (connections cut, then
    refused for a while): the job running at that moment fails with a Chinese reason and
    can be restarted; the worker itself carries on and runs the next job."""
    db = connection.settings_dict
    proxy = DatabaseProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    try:
        for _ in range(4):
            submitted(health_project, tree["U420102001"])
        job = export_job(reviewers["unit_a"], total=4)
        process = worker(
            url=database_url(host="127.0.0.1", port=proxy.port),
            TEST_JOB_STALL_AFTER="2",
            TEST_JOB_STALL_SECONDS="4",
        )
        wait_for(lambda: "stalling at row 2" in process.log, what="the export mid-way")
        proxy.outage(2)  # the job resumes after its stall, against a new server
        job = wait_for(lambda: fresh(job).status == Job.Status.FAILED and fresh(job))
        assert job.message == "导出中断：数据库暂时不可用，没有写入任何数据。请重新开始。"
        assert job.interrupted and not job.result_file
        assert files_under(tmp_root()) == []
        assert process.alive(), process.log

        assert "worker restarts in" not in process.log  # the job's failure was handled

        proxy.outage(3)  # while idle: polls are refused, the worker waits and retries
        client = Client()
        client.force_login(reviewers["unit_a"])
        response = client.post(reverse("admin:jobs_job_restart", args=[job.pk]))
        assert response.status_code == 302
        again = Job.objects.get(retry_of=job)
        wait_for(while_alive(process, lambda: fresh(again).status == Job.Status.DONE))
        assert "worker restarts in" in process.log  # it did meet the outage
    finally:
        proxy.close()
