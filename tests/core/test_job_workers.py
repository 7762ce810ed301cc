"""Several workers share the database queue: two real `manage.py run_worker` processes
take 200 jobs between them and run each exactly once. The claim is django-tasks-db's
SELECT … FOR UPDATE SKIP LOCKED in one transaction, then core.jobs.runner's
queued → running UPDATE; the probe task (tests/core/job_probe.py) records every run
before either of our guards could hide a second one."""

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from core.jobs.models import Job
from core.jobs.services import job_create_export
from core.models import AuditLogEntry
from tests.core.job_probe import PROBE_RAN
from tests.review.worker_process import database_url, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL only: SQLite has one writer at a time and no row locks "
        "(SKIP LOCKED), so concurrent claiming is not what production runs",
    ),
]
ROOT = Path(__file__).resolve().parents[2]
JOBS = 200


class Worker:
    """`manage.py run_worker` on the test database, its output in a file."""

    def __init__(self, var_dir: Path, name: str) -> None:
        self.log_path = var_dir / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "HBWSRC_VAR_DIR": str(var_dir),
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "manage.py", "run_worker", "--no-startup-delay"]
        command += ["--interval", "0.1", "--worker-id", name]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def polling(self) -> bool:
        assert self.process.poll() is None, self.log
        return "Starting worker" in self.log

    def stop(self) -> int | None:
        """SIGTERM: the worker finishes the task in hand and exits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return None


@pytest.fixture
def workers(tmp_path, settings):
    settings.JOB_TASKS = {**settings.JOB_TASKS, "export": "tests.core.job_probe.record_run"}
    started = [Worker(tmp_path, "worker-a"), Worker(tmp_path, "worker-b")]
    yield started
    for worker in started:
        worker.stop()


def test_two_workers_run_each_of_200_jobs_exactly_once(workers):
    owner = get_user_model().objects.create_user("exporter", is_staff=True)
    # Both workers poll the queue before the first job is there: they race for every task.
    for worker in workers:
        wait_for(worker.polling, timeout=60, what="a worker polling the queue")
    with transaction.atomic():  # every task row appears at once, on commit
        jobs = [
            job_create_export(actor=owner, subject="probe", label=f"任务 {n}", query="", total=1)
            for n in range(JOBS)
        ]

    finished = [Job.Status.DONE, Job.Status.FAILED]
    wait_for(
        lambda: Job.objects.filter(status__in=finished).count() == JOBS,
        timeout=90,
        what=f"{JOBS} jobs finished",
    )
    assert [worker.stop() for worker in workers] == [0, 0], [w.log for w in workers]

    runs = AuditLogEntry.objects.filter(action=PROBE_RAN)
    per_job = Counter(runs.values_list("object_id", flat=True))
    assert per_job == Counter({job.pk: 1 for job in jobs})  # 200 jobs, one run each
    assert Job.objects.filter(status=Job.Status.DONE).count() == JOBS

    results = list(DBTaskResult.objects.all())
    assert len(results) == JOBS
    assert {result.status for result in results} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(result.worker_ids) == 1 for result in results)  # claimed once
    by_worker = Counter(result.worker_ids[0] for result in results)
    assert set(by_worker) == {"worker-a", "worker-b"}, by_worker  # both took some
    by_process = Counter(runs.values_list("data__remark", flat=True))
    assert len(by_process) == 2 and sum(by_process.values()) == JOBS
