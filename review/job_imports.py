"""The review imports as background jobs: the task finds the importer in the registry
(people/importers.py) by Job.subject, re-checks that the owner may still use it, cleans again
the options kept in Job.params, reads the kept upload, and imports it in one transaction (any
problem: nothing written, the errors listed on the job's page). Like the exports
(review/job_tasks.py), it needs no request and no admin.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from core.jobs.models import Job
from core.jobs.progress import ProgressReporter
from core.jobs.runner import PHASE_IMPORT, JobAbandoned, JobRefused, job_finish, job_run
from core.jobs.services import job_fail, job_remove_upload, job_result_ttl
from people.importers import ImportNotAvailable, importer_for_user


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


def _import(job: Job) -> None:
    from core.imports.base import ImportFileError, result_counts
    from people.models import ImportLog

    params = job.params
    try:
        importer = importer_for_user(identifier=job.subject, user=job.owner)
    except ImportNotAvailable as exc:
        raise JobRefused(str(exc)) from exc
    options = importer.options_from_values(params.get("options") or {})
    if options is None:
        raise JobRefused("导入选项无效，任务未执行。请重新上传。")
    try:
        input_format = importer.formats()[int(params["format"])]()
        with default_storage.open(params["upload"], "rb") as handle:
            raw = handle.read()
        dataset = input_format.create_dataset(raw if input_format.is_binary() else raw.decode())
    except ImportFileError as exc:
        raise JobRefused(str(exc)) from exc
    except (OSError, KeyError, IndexError, ValueError) as exc:
        raise JobRefused("上传的文件已失效或无法读取，请重新上传。") from exc
    total = len(dataset)
    reporter = ProgressReporter(job.pk, phase=PHASE_IMPORT)
    done = 0

    def on_row() -> None:
        # The reporter publishes every JOB_PROGRESS_EVERY rows.
        nonlocal done
        done += 1
        reporter(done, total)

    resource = importer.resource(user=job.owner, options=options, on_row=on_row)
    reporter.publish(0, total, force=True)

    def log(result, outcome: str) -> None:
        importer.log(
            user=job.owner,
            result=result,
            outcome=outcome,
            file_name=params.get("file_name", ""),
            sha256=params.get("sha256", ""),
            origin=params.get("access"),
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
                **importer.import_data_kwargs(),
            )
            if _has_problems(result):
                raise _Refused(result)
            log(result, ImportLog.Outcome.APPLIED)
            # Done in the same transaction: if the job was marked interrupted meanwhile
            # (and perhaps restarted), nothing is written; and once this UPDATE holds the
            # row, the dead-job check waits for the commit and then leaves it alone.
            if not job_finish(
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
    job_run(_import, job_id)


@task()
def run_import_job(job_id: int) -> None:
    import_job_run(job_id)
