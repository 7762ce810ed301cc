"""A large export in Chromium: it becomes a background job, the job page follows the worker
by polling, and the finished file downloads with the ID numbers as text."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from core.jobs.models import Job
from core.masking import mask_id_number
from review.job_tasks import export_job_run
from tests.builders import submitted
from tests.exports import without_footer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": "/private-media-not-served/"},
        },
    }
    settings.JOB_THRESHOLD_ROWS = 2
    settings.JOB_PROGRESS_EVERY = 1


def test_large_export_runs_as_a_job_with_progress_and_private_download(
    live_server, page, reference_data, reviewers, tree, health_project, artifact, tmp_path
):
    applications = [submitted(health_project, tree["U420102001"]) for _ in range(3)]

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "unit_a")
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))

    # Over the threshold: the export is queued and the job page opens.
    # The export asks for its 导出用途 first (an empty one is refused), then queues.
    page.goto(live_server.url + "/admin/review/reviewapplication/export/?scope=subtree")
    page.locator("#export-submit").click()
    expect(page.locator("#export-form")).to_contain_text("请填写导出用途。")
    assert not Job.objects.exists()
    page.fill("textarea[name=purpose]", "本单位审核名单核对")
    page.screenshot(path=artifact("export-purpose-1280.png"), full_page=True)
    page.locator("#export-submit").click()
    page.wait_for_url(re.compile(r".*/admin/jobs/job/\d+/change/$"))
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED and job.owner == reviewers["unit_a"]
    assert job.params["purpose"] == "本单位审核名单核对" and job.params["full_id"] is False
    expect(page.locator("#job-status")).to_have_text("排队中")
    expect(page.locator("#job-download")).to_have_count(0)
    page.screenshot(path=artifact("job-queued-1280.png"), full_page=True)

    # The worker does its work; the page, polling, shows the result without a manual reload.
    export_job_run(job.pk)
    expect(page.locator("#job-download")).to_be_visible(timeout=20_000)
    expect(page.locator("#job-status")).to_have_text("已完成")
    page.screenshot(path=artifact("job-done-1280.png"), full_page=True)

    with page.expect_download() as info:
        page.locator("#job-download").click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(path).active
    rows = without_footer(list(sheet.iter_rows()))
    id_column = [c.value for c in rows[0]].index("证件号码")
    assert {r[id_column].value for r in rows[1:]} == {
        mask_id_number(a.candidate.id_number) for a in applications
    }
    assert all(r[id_column].data_type == "s" for r in rows[1:])

    # 我的任务 lists it.
    page.goto(live_server.url + "/admin/jobs/job/")
    expect(page.locator("#result_list")).to_contain_text(job.label)


def test_a_job_whose_worker_died_turns_failed_on_its_page_and_restarts(
    live_server, page, reference_data, reviewers, tree, health_project, artifact, settings
):
    """The page, polling, finds the job dead (no heartbeat), reloads into 失败 with the
    reason, and 重新开始 opens the new, queued job."""
    submitted(health_project, tree["U420102001"])
    owner = reviewers["unit_a"]
    job = Job.objects.create(
        owner=owner,
        kind="export",
        subject="review.reviewapplication",
        label="导出报名材料审核（3 行）",
        status=Job.Status.RUNNING,
        phase="正在导出",
        params={"query": "scope=subtree"},
    )
    settings.JOB_DEAD_AFTER_SECONDS = 2

    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", "unit_a")
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))
    page.goto(live_server.url + f"/admin/jobs/job/{job.pk}/change/")
    expect(page.locator("#job-status")).to_have_text("进行中")

    # No heartbeat for JOB_DEAD_AFTER_SECONDS: the next poll finds it dead.
    expect(page.locator("#job-status")).to_have_text("失败", timeout=20_000)
    expect(page.locator("#job-message")).to_have_text("后台任务进程已中断，请重新开始。")
    page.screenshot(path=artifact("job-interrupted-1280.png"), full_page=True)

    page.locator("#job-restart button").click()
    page.wait_for_url(re.compile(r".*/admin/jobs/job/\d+/change/$"))
    again = Job.objects.get(retry_of=job)
    assert page.url.endswith(f"/admin/jobs/job/{again.pk}/change/")
    assert (again.status, again.params) == (Job.Status.QUEUED, job.params)
    expect(page.locator("#job-status")).to_have_text("排队中")
    expect(page.locator("#job-retry-of")).to_be_visible()
