"""A running job's sign of life, and how old it is.

While a task runs, a daemon thread beats every JOB_HEARTBEAT_SECONDS. A job still "running"
whose last beat is older than JOB_DEAD_AFTER_SECONDS lost its worker (SIGKILL, OOM, a
machine restart): services.jobs_fail_dead marks it failed.

Where the beat goes:
- PostgreSQL (and other servers): `heartbeat_at` on the job row, through the thread's own
  autocommitting connection (an import's long transaction holds no lock on the job row);
- SQLite allows one writer at a time and an import holds it for its whole transaction, so
  the thread touches a small file next to the progress file instead (its mtime is the beat).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from core.jobs.models import Job
from core.jobs.progress import progress_file

logger = logging.getLogger(__name__)


def heartbeat_every() -> float:
    return float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 15))


def dead_after() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "JOB_DEAD_AFTER_SECONDS", 120)))


def beat_file(job_id: int) -> Path:
    return progress_file(job_id).with_suffix(".beat")


def _uses_file() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "sqlite"


def _mtime(path: Path) -> datetime | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return None


def last_sign_of_life(job: Job) -> datetime | None:
    """The newest of the job's heartbeat, its last progress update and the side files."""
    times = [job.heartbeat_at, job.updated_at, job.started_at]
    times += [_mtime(beat_file(job.pk)), _mtime(progress_file(job.pk))]
    return max((t for t in times if t is not None), default=None)


def looks_dead(job: Job, *, now: datetime | None = None) -> bool:
    if job.status != Job.Status.RUNNING:
        return False
    last = last_sign_of_life(job)
    return last is None or last < (now or timezone.now()) - dead_after()


def remove_beat_file(job_id: int) -> None:
    with contextlib.suppress(OSError):
        beat_file(job_id).unlink()


class Heartbeat:
    """`with Heartbeat(job_id):` around the work of a task."""

    def __init__(self, job_id: int, *, every: float | None = None) -> None:
        self.job_id = job_id
        self.every = every if every is not None else heartbeat_every()
        self.use_file = _uses_file()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"job-{job_id}-heartbeat", daemon=True
        )
        self._connection: BaseDatabaseWrapper | None = None

    def __enter__(self) -> Heartbeat:
        # The claim (tasks._start) already set heartbeat_at; the file needs a first touch.
        if self.use_file:
            self.beat()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=max(5.0, self.every))
        remove_beat_file(self.job_id)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                self.beat()
        finally:
            if self._connection is not None:
                with contextlib.suppress(DatabaseError):
                    self._connection.close()

    def beat(self) -> None:
        """One beat. Never raises: a missed beat (database restarting) is not an error
        of the job; enough of them make it look dead, which it then is for the user."""
        try:
            if self.use_file:
                path = beat_file(self.job_id)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
            else:
                self._beat_row()
        except (OSError, DatabaseError) as exc:
            logger.warning("job %s: heartbeat failed: %s", self.job_id, exc)
            if self._connection is not None:
                with contextlib.suppress(DatabaseError):
                    self._connection.close()
                self._connection = None

    def _beat_row(self) -> None:
        # Its own connection, created in (and only used by) the heartbeat thread.
        if self._connection is None:
            self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET heartbeat_at = %s WHERE id = %s AND status = %s",
                [timezone.now(), self.job_id, Job.Status.RUNNING],
            )
