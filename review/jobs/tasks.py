"""The task functions. Each one loads its job, re-checks the owner's permission through the
same admin the request used, does the work and records the outcome on the job.

`export_job_run` / `import_job_run` are plain functions (tests call them directly); the
`@task` wrappers are what the backend runs (`manage.py run_worker`, django-tasks-db's
worker). While a job runs, a heartbeat thread shows it alive (heartbeat.py); a job found
dead meanwhile keeps its 失败: its late result is dropped (JobAbandoned).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable

from django.apps import apps
from django.contrib import admin
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django_tasks import task

from core.tmpfiles import job_tmp_prefix, private_tmpdir
from review.jobs.heartbeat import Heartbeat
from review.jobs.models import Job
from review.jobs.progress import ProgressReporter
from review.jobs.services import (
    db_lost_message,
    job_fail,
    job_fail_interrupted,
    job_remove_upload,
    job_result_ttl,
)

logger = logging.getLogger(__name__)

PHASE_EXPORT = "正在导出"
PHASE_IMPORT = "正在校验并写入"


class JobRefused(Exception):
    """The job cannot run (permission gone, file unreadable…): its message is Chinese."""


class JobAbandoned(Exception):
    """The job was marked interrupted while it ran (its heartbeat stopped for too long):
    its result must not count, the user may have started it again."""


def job_request(user, query: str = "", business: dict | None = None) -> HttpRequest:
    """The admin methods read the user, the list filters and the 当前业务 from a request:
    the business the owner worked in when the job was asked for (resolved again from the
    user for a job that did not record one)."""
    from review.business import Business, business_resolve

    request = HttpRequest()
    request.method = "GET"
    request.user = user
    request.business = Business(**business) if business else business_resolve(user=user)
    request.GET = QueryDict(query, mutable=False)
    request.path = request.path_info = "/admin/"
    request.META["SERVER_NAME"] = "jobs"
    request.META["SERVER_PORT"] = "80"
    return request


def _model_admin(subject: str):
    model = apps.get_model(subject)
    return admin.site._registry[model]


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


def _guarded(run: Callable[[Job], None], job_id: int) -> None:
    job = _start(job_id)
    if job is None:
        return
    verb = "导入" if job.kind == Job.Kind.IMPORT else "导出"
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
            message=f"{verb}中断（{type(exc).__name__}：{exc}），没有写入任何数据。",
        )


def _finish(job: Job, **fields) -> bool:
    """Running → done; False (nothing changed) if the job was marked interrupted meanwhile."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.DONE, finished_at=now, updated_at=now, phase="", **fields
        )
    )


# --- export ------------------------------------------------------------------------------


def _exporter_for(model_admin, request):
    """(exporter, file name) of an admin's filtered, scoped export."""
    from import_export.formats.base_formats import XLSX

    queryset = model_admin.get_export_queryset(request)
    name = model_admin.get_export_filename(request, queryset, XLSX())
    return model_admin.get_exporter(request, queryset), name


def _export(job: Job) -> None:
    from core.xlsx import write_xlsx

    model_admin = _model_admin(job.subject)
    request = job_request(job.owner, job.params.get("query", ""), job.params.get("business"))
    if not model_admin.has_export_permission(request):
        raise JobRefused("您已没有导出权限，任务未执行。")
    exporter, name = _exporter_for(model_admin, request)
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
    finished = _finish(
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


def export_job_run(job_id: int) -> None:
    _guarded(_export, job_id)


# --- import ------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, result) -> None:
        self.result = result


def _problem_dicts(result) -> list[dict]:
    from core.imports.base import result_problems

    return [
        {"row": p.row, "column": p.column, "message": p.message} for p in result_problems(result)
    ]


def _has_problems(result) -> bool:
    from core.imports.base import result_problems

    return bool(result_problems(result) or result.has_errors() or result.has_validation_errors())


def _counting(resource, reporter: ProgressReporter, total: int) -> None:
    """Report progress after each row (the reporter publishes every N)."""
    original = resource.after_import_row
    done = 0

    def after_import_row(row, row_result, **kwargs):
        nonlocal done
        original(row, row_result, **kwargs)
        done += 1
        reporter(done, total)

    resource.after_import_row = after_import_row


def _import(job: Job) -> None:
    from core.imports.base import ImportFileError, result_counts
    from people.models import ImportLog

    params = job.params
    model_admin = _model_admin(job.subject)
    request = job_request(job.owner)
    if not model_admin.has_import_permission(request):
        raise JobRefused("您已没有导入权限，任务未执行。")
    options_form = None
    if model_admin.import_options_form_class is not None:
        data = QueryDict(mutable=True)
        for key, value in (params.get("options") or {}).items():
            data.setlist(key, value if isinstance(value, list) else [value])
        options_form = model_admin.import_options_form_class(
            data, **model_admin.get_import_options_form_kwargs(request)
        )
        if not options_form.is_valid():
            raise JobRefused("导入选项无效，任务未执行。请重新上传。")
    try:
        input_format = model_admin.get_import_formats()[int(params["format"])]()
        with default_storage.open(params["upload"], "rb") as handle:
            raw = handle.read()
        dataset = input_format.create_dataset(raw if input_format.is_binary() else raw.decode())
    except ImportFileError as exc:
        raise JobRefused(str(exc)) from exc
    except (OSError, KeyError, IndexError, ValueError) as exc:
        raise JobRefused("上传的文件已失效或无法读取，请重新上传。") from exc
    total = len(dataset)
    reporter = ProgressReporter(job.pk, phase=PHASE_IMPORT)
    resource_class = model_admin.import_resource_class(request)
    resource = resource_class(**model_admin.get_import_resource_kwargs(request, form=options_form))
    _counting(resource, reporter, total)
    reporter.publish(0, total, force=True)

    def log(result, outcome: str) -> None:
        model_admin.write_import_log(
            request,
            result,
            outcome=outcome,
            file_name=params.get("file_name", ""),
            sha256=params.get("sha256", ""),
        )

    try:
        # One pass in ONE transaction: every row is checked, and any problem, error or crash
        # rolls back all of it. A separate dry run first would only check the rows twice
        # (the resources stop writing at the first bad row anyway).
        with transaction.atomic():
            result = resource.import_data(
                dataset,
                dry_run=False,
                raise_errors=False,
                file_name=params.get("file_name", ""),
                user=job.owner,
                **model_admin.get_import_data_kwargs(request=request, form=options_form),
            )
            if _has_problems(result):
                raise _Refused(result)
            log(result, ImportLog.Outcome.APPLIED)
            # Done in the same transaction: if the job was marked interrupted meanwhile
            # (and perhaps restarted), nothing is written; and once this UPDATE holds the
            # row, the dead-job check waits for the commit and then leaves it alone.
            if not _finish(
                job,
                counts=result_counts(result),
                progress_done=total,
                progress_total=total,
                expires_at=timezone.now() + job_result_ttl(),
            ):
                raise JobAbandoned
    except _Refused as refused:
        log(refused.result, ImportLog.Outcome.REFUSED)
        job_fail(
            job,
            message="文件中有错误，没有写入任何数据。请按下表修改后重新上传整个文件。",
            errors=_problem_dicts(refused.result),
            counts=result_counts(refused.result),
        )
        return
    finally:
        reporter.close()
    job_remove_upload(job)


def import_job_run(job_id: int) -> None:
    _guarded(_import, job_id)


# --- the tasks the worker runs -------------------------------------------------------------


@task()
def run_export_job(job_id: int) -> None:
    export_job_run(job_id)


@task()
def run_import_job(job_id: int) -> None:
    import_job_run(job_id)
