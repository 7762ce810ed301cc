"""What every job's task does around its work: claim the job, keep its heartbeat, record
the outcome, and turn a refusal, a lost database or a crash into 失败 with a Chinese
message. The task bodies (what an export, an import or another job of the apps above does) call
`job_run` with their own function; `job_export_write` writes any core.xlsx.Exporter as
the job's result file.

While a job runs, a heartbeat thread shows it alive (heartbeat.py); a job found dead
meanwhile keeps its 失败: its late result is dropped (JobAbandoned).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable

from django.core.files import File
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import QueryDict
from django.utils import timezone

from core.access_log import Kind, access_record_now, export_data
from core.jobs.heartbeat import Heartbeat
from core.jobs.models import Job
from core.jobs.progress import ProgressReporter
from core.jobs.services import db_lost_message, job_fail, job_fail_interrupted, job_result_ttl
from core.tmpfiles import job_tmp_prefix, private_tmpdir
from core.xlsx import Exporter, export_label, write_xlsx

logger = logging.getLogger(__name__)

PHASE_EXPORT = "正在导出"
PHASE_IMPORT = "正在校验并写入"


class JobRefused(Exception):
    """The job cannot run (permission gone, file unreadable…): its message is Chinese."""


class JobAbandoned(Exception):
    """The job was marked interrupted while it ran (its heartbeat stopped for too long):
    its result must not count, the user may have started it again."""


def _start(job_id: int) -> Job | None:
    """Claim the job (queued → running); None when it is not queued any more."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, updated_at=now, heartbeat_at=now
    )
    return Job.objects.select_related("owner").get(pk=job_id) if claimed else None


def _drop_broken_connection() -> None:
    """After a lost connection, the next query must open a new one (Django would keep
    using the dead one until the end of the "request")."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block and not connection.is_usable():
        connection.close()


def job_run(run: Callable[[Job], None], job_id: int) -> None:
    """Claim job `job_id` and run `run(job)` with its heartbeat; whatever goes wrong ends
    as the job's 失败 (a refusal with its message, a lost database as interrupted)."""
    job = _start(job_id)
    if job is None:
        return
    try:
        with Heartbeat(job.pk):
            run(job)
    except JobRefused as exc:
        job_fail(job, message=str(exc))
    except JobAbandoned:
        logger.warning("job %s was marked interrupted while it ran; result dropped", job_id)
    except (OperationalError, InterfaceError) as exc:
        # The database went away (restart, failover) or timed out: nothing of the job
        # counts and the user may start it again. If the database is still down this
        # raises too, and the worker (run_worker) marks the job when it is back.
        logger.warning("job %s: database unavailable: %s", job_id, exc)
        _drop_broken_connection()
        job_fail_interrupted(job=job, message=db_lost_message(job))
    except Exception as exc:  # a crash midway: the transaction is gone, say why
        logger.exception("job %s failed", job_id)
        job_fail(
            job,
            message=f"{job.verb}中断（{type(exc).__name__}：{exc}），没有写入任何数据。",
        )


def job_finish(job: Job, **fields) -> bool:
    """Running → done; False (nothing changed) if the job was marked interrupted meanwhile."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.DONE, finished_at=now, updated_at=now, phase="", **fields
        )
    )


def job_export_write(job: Job, exporter: Exporter, name: str) -> None:
    """Write `exporter` as the job's result file `name`, with progress, and finish the job."""
    reporter = ProgressReporter(job.pk, phase=PHASE_EXPORT)
    # xlsxwriter's row files and the xlsx itself wait in the job's private folder (never
    # /tmp), removed here whatever happens; a killed worker's folder goes when the job is
    # found dead (services.job_fail_interrupted) or by purge_jobs.
    try:
        with (
            private_tmpdir(job_tmp_prefix(job.pk)) as tmp,
            tempfile.TemporaryFile(suffix=".xlsx", dir=tmp) as handle,
        ):
            rows = write_xlsx(exporter, handle, progress=reporter, tmpdir=tmp)
            handle.seek(0)
            job.result_file.save(name, File(handle, name=name), save=False)
    finally:
        reporter.close()
    finished = job_finish(
        job,
        result_file=job.result_file.name,
        result_name=name,
        progress_done=rows,
        progress_total=rows,
        expires_at=timezone.now() + job_result_ttl(),
    )
    if not finished:
        job.result_file.delete(save=False)
        raise JobAbandoned
    # The export is in the access log once it exists, as the user who asked for it.
    access = (job.params or {}).get("access") or {}
    access_record_now(
        kind=Kind.EXPORT,
        user=job.owner,
        origin=access,
        what=export_label(exporter),
        row_count=rows,
        data=export_data(
            params=QueryDict((job.params or {}).get("query", "")),
            purpose=access.get("purpose", ""),
            full_id=bool(access.get("full_id")),
        ),
    )
