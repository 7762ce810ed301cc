"""重新判断报考条件 as a background job (exam/eligibility/job_tasks.py): it re-evaluates every
application of the project in chunks, in one transaction (a crash midway changes no result),
records its counts, restarts after an interruption, and only its owner sees it."""

import pytest
from django.urls import reverse

from core.jobs.models import Job
from core.jobs.services import db_lost_message, job_fail_interrupted, job_restart
from exam.eligibility import services as eligibility_services
from exam.eligibility.job_tasks import eligibility_job_run
from exam.eligibility.outcomes import Outcome
from exam.eligibility.rule_changes import rule_set_update
from exam.eligibility.services import eligibility_refresh
from exam.models import Application, EligibilityResult
from people.models import InstitutionUserObjectPermission
from tests.exam.eligibility_helpers import CUTOFF, UNIT_A, applications
from tests.review.private_media import use_private_media


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # Progress inside the job's transaction goes to a file on SQLite (core/jobs/progress.py).
    use_private_media(settings, tmp_path)


@pytest.fixture
def project_apps(stand_in_kind, health_project, tree):
    """Five applications, drafts included (the job re-evaluates them all), in chunks of 2."""
    unit = tree[UNIT_A]
    made = applications(health_project, unit, ["王芳", "李小明", "欧阳娜娜"])
    made += applications(health_project, unit, ["张三", "李四四"], status=Application.Status.DRAFT)
    return made


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(eligibility_services, "CHUNK_SIZE", 2)


def _change(stand_in_kind, actor, maximum: int) -> Job:
    return rule_set_update(
        actor=actor,
        rule_set=stand_in_kind,
        rules={"max": maximum},
        cutoff_date=CUTOFF,
        blocks_submission=False,
    )


def _stored() -> dict[int, tuple[str, int]]:
    return {
        r.application_id: (r.outcome, r.rule_set_version) for r in EligibilityResult.objects.all()
    }


@pytest.mark.django_db
def test_the_job_re_evaluates_every_application_and_counts(
    stand_in_kind, project_apps, reviewers, client
):
    province = reviewers["province"]
    eligibility_refresh(applications=project_apps[:2])  # two results exist already (v1)

    job = _change(stand_in_kind, province, 2)
    eligibility_job_run(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.counts == {"created": 3, "updated": 2, "unchanged": 0}
    assert (job.progress_done, job.progress_total) == (5, 5)
    stored = _stored()
    assert set(stored) == {a.pk for a in project_apps}
    assert {version for _, version in stored.values()} == {2}
    assert stored[project_apps[0].pk][0] == Outcome.ELIGIBLE  # 王芳: 2 字
    assert stored[project_apps[1].pk][0] == Outcome.INELIGIBLE  # 李小明: 3 字

    # Its page: the counts, no download.
    client.force_login(province)
    page = client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "重新判断报考条件" in page
    assert "重新判断完成：新增结果 3 条，更新 2 条，未变化 0 条。" in page
    assert 'id="job-download"' not in page
    status = client.get(reverse("admin:jobs_job_status", args=[job.pk])).json()
    assert (status["percent"], status["download_url"]) == (100, "")

    # Run again over the same rules: nothing to rewrite.
    again = _same_job(job)
    eligibility_job_run(again.pk)
    again.refresh_from_db()
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 5}


def _same_job(job: Job) -> Job:
    """A second job with the same parameters (as 重新开始 would create)."""
    return Job.objects.create(
        owner=job.owner, kind=job.kind, subject=job.subject, label=job.label, params=job.params
    )


@pytest.mark.django_db
def test_a_crash_midway_changes_no_result(monkeypatch, stand_in_kind, project_apps, reviewers):
    eligibility_refresh(applications=project_apps)
    before = _stored()
    job = _change(stand_in_kind, reviewers["province"], 2)

    calls = []

    def crash_on_second_chunk(*, applications):
        calls.append(len(applications))
        if len(calls) == 2:
            raise RuntimeError("磁盘已满")
        return eligibility_refresh(applications=applications)

    monkeypatch.setattr(eligibility_services, "eligibility_refresh", crash_on_second_chunk)
    eligibility_job_run(job.pk)

    job.refresh_from_db()
    assert calls == [2, 2]  # the first chunk was written, then rolled back
    assert job.status == Job.Status.FAILED
    assert job.message == "重新判断中断（RuntimeError：磁盘已满），没有写入任何数据。"
    assert _stored() == before  # every result still the first version's


@pytest.mark.django_db
def test_an_interrupted_job_restarts_and_the_new_one_runs(stand_in_kind, project_apps, reviewers):
    province = reviewers["province"]
    job = _change(stand_in_kind, province, 4)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    assert job_fail_interrupted(job=job, message=db_lost_message(job))
    job.refresh_from_db()
    assert job.message == "重新判断中断：数据库暂时不可用，没有写入任何数据。请重新开始。"

    again = job_restart(actor=province, job_id=job.pk)
    assert (again.kind, again.params, again.retry_of) == (job.kind, job.params, job)
    eligibility_job_run(again.pk)
    again.refresh_from_db()
    assert again.status == Job.Status.DONE
    assert again.counts == {"created": 5, "updated": 0, "unchanged": 0}
    assert {version for _, version in _stored().values()} == {2}


@pytest.mark.django_db
def test_an_owner_who_lost_the_province_is_refused(stand_in_kind, project_apps, reviewers):
    province = reviewers["province"]
    job = _change(stand_in_kind, province, 4)
    InstitutionUserObjectPermission.objects.filter(user=province).delete()
    province.groups.clear()
    eligibility_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "您已没有修改报考条件规则的权限，任务未执行。"
    assert not EligibilityResult.objects.exists()


@pytest.mark.django_db
def test_another_users_job_is_not_visible(stand_in_kind, project_apps, reviewers, client):
    job = _change(stand_in_kind, reviewers["province"], 4)
    client.force_login(reviewers["unit_a"])
    assert client.get(reverse("admin:jobs_job_change", args=[job.pk])).status_code == 404
    assert client.get(reverse("admin:jobs_job_status", args=[job.pk])).status_code == 404
    assert job.label not in client.get(reverse("admin:jobs_job_changelist")).content.decode()
