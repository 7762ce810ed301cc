"""The review imports as background jobs: the task re-checks the owner's import permission
through the admin the upload came through, reads the kept upload, and imports it in one
transaction (any problem: nothing written, the errors listed on the job's page).

It still rebuilds a request for the admin's import hooks (options form, resource kwargs,
ImportLog): the imports have no registry of their own yet. The exports have one
(review.exporters, run by review/job_tasks.py) and need neither.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django_tasks import task

from core.jobs.models import Job
from core.jobs.progress import ProgressReporter
from core.jobs.runner import PHASE_IMPORT, JobAbandoned, JobRefused, job_finish, job_run
from core.jobs.services import job_fail, job_remove_upload, job_result_ttl


def job_request(user) -> HttpRequest:
    """The admin's import hooks read the user from a request."""
    from review.business import business_resolve

    request = HttpRequest()
    request.method = "GET"
    request.user = user
    request.business = business_resolve(user=user)
    request.GET = QueryDict("", mutable=False)
    request.path = request.path_info = "/admin/"
    request.META["SERVER_NAME"] = "jobs"
    request.META["SERVER_PORT"] = "80"
    return request


def _model_admin(subject: str):
    model = apps.get_model(subject)
    return admin.site._registry[model]


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
    done = 0

    def on_row() -> None:
        # The reporter publishes every JOB_PROGRESS_EVERY rows.
        nonlocal done
        done += 1
        reporter(done, total)

    resource = resource_class(
        **model_admin.get_import_resource_kwargs(request, form=options_form), on_row=on_row
    )
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
