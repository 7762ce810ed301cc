"""The worker process's own sign of life, for /health/ (config/health.py).

A job's heartbeat (heartbeat.py) only exists while a job runs, so an idle worker wrote
nothing and a dead one looked the same as an idle one. `run_worker` now also runs a
WorkerBeat thread: every JOB_HEARTBEAT_SECONDS, busy or idle, it updates the process's row
(host:pid) through the thread's own database connection. "The worker is alive" means: some
row is fresher than JOB_DEAD_AFTER_SECONDS, or a running job still beats (on SQLite a long
import holds the write lock and the row may wait; the job's own beat then speaks for it).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.db import DatabaseError, connections
from django.utils import timezone

from core.jobs.heartbeat import dead_after, heartbeat_every, looks_dead
from core.jobs.models import Job, WorkerBeat

logger = logging.getLogger(__name__)

# Rows of workers gone for this long are deleted when a worker starts (each start is a new pid).
FORGET_AFTER = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:255]


def worker_beat_record(*, name: str, now: datetime | None = None) -> None:
    WorkerBeat.objects.update_or_create(worker=name, defaults={"beat_at": now or timezone.now()})


def worker_beats_forget(*, now: datetime | None = None) -> int:
    return WorkerBeat.objects.filter(beat_at__lt=(now or timezone.now()) - FORGET_AFTER).delete()[0]


def worker_alive(*, now: datetime | None = None) -> bool:
    """A worker beat within JOB_DEAD_AFTER_SECONDS, or a running job that is not dead."""
    now = now or timezone.now()
    if WorkerBeat.objects.filter(beat_at__gte=now - dead_after()).exists():
        return True
    running = Job.objects.filter(status=Job.Status.RUNNING)
    return any(not looks_dead(job, now=now) for job in running)


class WorkerBeatThread:
    """`with WorkerBeatThread():` around the worker's loop; the row goes when it stops."""

    def __init__(self, *, every: float | None = None) -> None:
        self.every = every if every is not None else heartbeat_every()
        self.name = worker_name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-beat", daemon=True)

    def __enter__(self) -> WorkerBeatThread:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=max(5.0, self.every))

    def _run(self) -> None:
        # Django's connections are per thread: every query here uses this thread's own.
        with contextlib.suppress(DatabaseError):
            worker_beats_forget()
        try:
            self.beat()
            while not self._stop.wait(self.every):
                self.beat()
            with contextlib.suppress(DatabaseError):
                WorkerBeat.objects.filter(worker=self.name).delete()
        finally:
            with contextlib.suppress(DatabaseError):
                connections.close_all()

    def beat(self) -> None:
        """Never raises: a missed beat (database restarting) is logged; enough of them and
        /health/ says the worker is down, which for the users it then is."""
        try:
            worker_beat_record(name=self.name)
        except DatabaseError as exc:
            logger.warning("worker %s: heartbeat failed: %s", self.name, exc)
            with contextlib.suppress(DatabaseError):
                connections.close_all()  # the next beat opens a fresh one
