"""`manage.py run_worker`: django-tasks-db's `db_worker`, kept alive through database
restarts.

The library's worker re-raises any OperationalError but "database is locked", so a
PostgreSQL restart (its connections terminated, then refused for a few seconds) ends the
process and queued jobs wait for ever. This loop runs the library's own command; when it
stops on a lost connection, the loop drops every connection, waits (1, 2, 4 … up to
`max_backoff` seconds) and starts it again. On every (re)start, once the database answers:
the task it was running when the connection went is marked failed with its job (the user
may start it again), and so is any job whose worker died (services.jobs_fail_dead).
A process supervisor (deploy/systemd/hbwsrc-worker.service) restarts it if it dies anyway.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django_tasks.signals import task_finished, task_started

from core.jobs.services import jobs_fail_dead, task_fail_interrupted

logger = logging.getLogger("core.jobs.worker")

DB_ERRORS = (OperationalError, InterfaceError)
FIRST_BACKOFF = 1.0


def close_connections() -> None:
    """Forget every connection; a dead one would otherwise be reused by the next query."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


class CurrentTask:
    """The id of the task this process is running, from django-tasks' signals (the
    library's worker sends task_started before and task_finished after each task, the
    latter only once its result is saved)."""

    def __init__(self) -> None:
        self.task_id: str | None = None

    def started(self, sender, task_result, **kwargs) -> None:
        self.task_id = str(task_result.id)

    def finished(self, sender, task_result, **kwargs) -> None:
        self.task_id = None

    def __enter__(self) -> CurrentTask:
        task_started.connect(self.started, dispatch_uid="core.jobs.worker.started")
        task_finished.connect(self.finished, dispatch_uid="core.jobs.worker.finished")
        return self

    def __exit__(self, *exc) -> None:
        task_started.disconnect(dispatch_uid="core.jobs.worker.started")
        task_finished.disconnect(dispatch_uid="core.jobs.worker.finished")


def recover(current: CurrentTask) -> None:
    """What a (re)starting worker cleans up first; raises a DB error if still down."""
    if current.task_id is not None:
        failed = task_fail_interrupted(task_id=current.task_id)
        logger.warning(
            "task %s was cut off by the database; %d job(s) marked failed",
            current.task_id,
            failed,
        )
        current.task_id = None
    dead = jobs_fail_dead()
    if dead:
        logger.warning("%d job(s) of a dead worker marked failed", dead)


def run_resilient(run: Callable[[], None], *, max_backoff: float = 30.0) -> None:
    """Call `run` (the library's worker) until it returns normally (--batch,
    --max-tasks) or the process is told to stop; a lost database restarts it."""
    delay = FIRST_BACKOFF
    with CurrentTask() as current:
        while True:
            started = time.monotonic()
            try:
                recover(current)
                run()
                return
            except DB_ERRORS as exc:
                close_connections()
                if time.monotonic() - started > max_backoff:
                    delay = FIRST_BACKOFF  # it had been working: a new outage
                logger.warning(
                    "database unavailable (%s: %s); worker restarts in %.0f s",
                    type(exc).__name__,
                    str(exc).strip(),
                    delay,
                )
                time.sleep(delay)
                delay = min(delay * 2, max_backoff)
