"""Progress that the job page can see while the task is still working.

Outside a transaction an UPDATE commits at once. Inside one (an import writes everything in
ONE transaction), the task's own connection cannot publish anything before the commit, so:

- PostgreSQL (and other servers): a second, autocommitting connection does a short UPDATE
  of the job row, which never conflicts with the import's row locks;
- SQLite allows one writer at a time, so a second connection would wait for the import's
  lock: the figures go to a small file under the private media folder instead, which the
  status selector reads while the job runs.

That file (and heartbeat.py's beat file) stays on the local disk, never in the shared
storage, even with object storage configured: it exists only on SQLite, and an SQLite
database is one machine's file, so the web process that reads it runs on the machine whose
worker writes it. It needs what a bucket lacks: an atomic rename and a cheap touch every
few seconds. On PostgreSQL, the only database of several machines, nothing is written here.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from core.jobs.models import Job


def progress_file(job_id: int) -> Path:
    """Local to the machine (see above): MEDIA_ROOT is a local folder whatever the storage."""
    return Path(settings.MEDIA_ROOT) / "jobs" / "progress" / f"{job_id}.json"


def read_progress_file(job_id: int) -> dict | None:
    try:
        return json.loads(progress_file(job_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remove_progress_file(job_id: int) -> None:
    with contextlib.suppress(OSError):
        progress_file(job_id).unlink()


class ProgressReporter:
    """`reporter(done, total)`: publishes every `every` rows (and always the last one)."""

    def __init__(self, job_id: int, *, every: int | None = None, phase: str = "") -> None:
        self.job_id = job_id
        self.every: int = every or int(getattr(settings, "JOB_PROGRESS_EVERY", 500))
        self.phase = phase
        self.last = -1
        self.calls = 0
        self._side: BaseDatabaseWrapper | None = None

    def __call__(self, done: int, total: int) -> None:
        self.publish(done, total)

    def publish(self, done: int, total: int, *, force: bool = False) -> None:
        if not force and (done == self.last or (done != total and done - self.last < self.every)):
            return
        self.last = done
        self.calls += 1
        connection = connections[DEFAULT_DB_ALIAS]
        if not connection.in_atomic_block:
            now = timezone.now()
            Job.objects.filter(pk=self.job_id).update(
                progress_done=done,
                progress_total=total,
                phase=self.phase,
                updated_at=now,
                heartbeat_at=now,
            )
        elif connection.vendor == "sqlite":
            self._write_file(done, total)
        else:
            self._side_update(done, total)

    def _write_file(self, done: int, total: int) -> None:
        path = progress_file(self.job_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"done": done, "total": total, "phase": self.phase}), encoding="utf-8"
        )
        os.replace(tmp, path)  # readers never see half a file

    def _side_update(self, done: int, total: int) -> None:
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = Job._meta.db_table
        now = timezone.now()
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s, phase = %s, "
                "updated_at = %s, heartbeat_at = %s WHERE id = %s",
                [done, total, self.phase, now, now, self.job_id],
            )

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
        remove_progress_file(self.job_id)
