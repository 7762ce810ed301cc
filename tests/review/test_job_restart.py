"""重新开始 and the dead-job rules, in-process (the real worker processes are in
test_job_recovery.py)."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.jobs.models import Job
from core.jobs.services import job_fail_interrupted, job_restart, jobs_fail_dead
from review.job_tasks import export_job_run
from tests.review.private_media import use_private_media
from tests.storage import stored_files


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    use_private_media(settings, tmp_path)


def job(owner, **fields) -> Job:
    fields = {"kind": "export", "subject": "review.reviewapplication", "label": "导出", **fields}
    return Job.objects.create(owner=owner, **fields)


def age(job: Job, minutes: float) -> None:
    then = timezone.now() - timedelta(minutes=minutes)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=then, updated_at=then, started_at=then)


def test_only_a_silent_running_job_is_dead(reviewers):
    owner = reviewers["province"]
    silent = job(owner, status="running")
    age(silent, 3)
    beating = job(owner, status="running")
    age(beating, 3)
    Job.objects.filter(pk=beating.pk).update(heartbeat_at=timezone.now())  # the thread
    progressing = job(owner, status="running")
    age(progressing, 3)
    Job.objects.filter(pk=progressing.pk).update(updated_at=timezone.now())  # a progress step
    queued = job(owner)
    Job.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(hours=1))
    others = job(reviewers["unit_a"], status="running")
    age(others, 3)

    assert jobs_fail_dead(owner=owner) == 1
    states = {j.label: j.status for j in Job.objects.all()}
    assert Job.objects.get(pk=silent.pk).status == "failed"
    assert [Job.objects.get(pk=j.pk).status for j in (beating, progressing, queued, others)] == [
        "running",
        "running",
        "queued",
        "running",
    ], states


def test_a_long_queue_says_so(client, reviewers):
    owner = reviewers["province"]
    waiting = job(owner)
    client.force_login(owner)
    url = reverse("admin:jobs_job_status", args=[waiting.pk])
    assert client.get(url).json()["notice"] == ""
    Job.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(minutes=7))
    notice = client.get(url).json()["notice"]
    assert notice.startswith("任务已排队 7 分钟") and "run_worker" in notice
    page = client.get(reverse("admin:jobs_job_change", args=[waiting.pk])).content.decode()
    assert notice in page


def test_only_an_interrupted_job_can_be_restarted(client, reviewers):
    owner = reviewers["province"]
    refused = job(owner, status="failed", message="您已没有导出权限，任务未执行。")
    with pytest.raises(ServiceError, match="只有中断的任务可以重新开始"):
        job_restart(actor=owner, job_id=refused.pk)
    running = job(owner, status="running")
    with pytest.raises(ServiceError, match="只有中断的任务可以重新开始"):
        job_restart(actor=owner, job_id=running.pk)
    with pytest.raises(ServiceError, match="没有找到该任务"):
        job_restart(actor=reviewers["unit_a"], job_id=refused.pk)
    assert Job.objects.count() == 2

    client.force_login(owner)
    page = client.get(reverse("admin:jobs_job_change", args=[refused.pk])).content.decode()
    assert 'id="job-restart"' not in page
    response = client.post(reverse("admin:jobs_job_restart", args=[refused.pk]), follow=True)
    assert "只有中断的任务可以重新开始" in response.content.decode()
    assert Job.objects.count() == 2


def test_an_import_whose_upload_is_gone_cannot_restart_and_purge_drops_old_uploads(
    client, reviewers
):
    owner = reviewers["province"]
    name = default_storage.save("jobs/uploads/x.xlsx", ContentFile(b"rows"))
    interrupted = job(owner, kind="import", status="running", params={"upload": name})
    age(interrupted, 3)
    assert jobs_fail_dead() == 1
    interrupted.refresh_from_db()
    assert interrupted.interrupted and default_storage.exists(name)  # kept for 重新开始

    # Nobody restarted it within JOB_RESULT_HOURS: the upload (personal data) goes.
    Job.objects.filter(pk=interrupted.pk).update(finished_at=timezone.now() - timedelta(hours=25))
    call_command("purge_jobs", stdout=io.StringIO())
    assert not default_storage.exists(name)
    interrupted.refresh_from_db()
    assert "upload" not in interrupted.params
    with pytest.raises(ServiceError, match="上传的文件已删除，请重新上传"):
        job_restart(actor=owner, job_id=interrupted.pk)
    client.force_login(owner)
    page = client.get(reverse("admin:jobs_job_change", args=[interrupted.pk])).content.decode()
    assert "上传的文件已删除，请重新上传" in page and 'id="job-restart"' not in page


def test_an_export_found_dead_while_still_working_does_not_finish(
    reviewers, apps, monkeypatch, settings
):
    """A false alarm (a frozen machine, a long database outage): the job was marked
    interrupted, and perhaps restarted; when the old task gets to the end anyway, its
    result does not count and its file is not kept."""
    from core.jobs import runner

    owner = reviewers["county_jiangan"]
    export = job(owner, params={"query": "scope=subtree"})
    finish = runner.job_finish

    def found_dead_just_before(job, **fields):
        assert job_fail_interrupted(job=job)
        return finish(job, **fields)

    monkeypatch.setattr(runner, "job_finish", found_dead_just_before)
    export_job_run(export.pk)
    export.refresh_from_db()
    assert (export.status, export.interrupted, export.message) == (
        "failed",
        True,
        "后台任务进程已中断，请重新开始。",
    )
    assert not export.result_file
    assert [name for name in stored_files() if name.endswith(".xlsx")] == []
    assert list(Path(settings.MEDIA_ROOT).rglob("*.xlsx")) == []  # nor in the local scratch
