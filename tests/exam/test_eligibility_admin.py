"""报考条件 in the admin (exam/admin/eligibility.py): provincial staff open the list and the
form, 预览 starts the preview job and opens its page (progress while it runs, then the counts
and the moved applications), 确认保存 saves what that job previewed and opens the
re-evaluation job; malformed input comes back with its Chinese error and nothing started; a
stale, unfinished or failed preview is refused; nobody else opens it, and nobody adds or
deletes a rule set."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from core.jobs.models import Job
from exam.eligibility.job_tasks import rules_preview_job_run
from exam.models import EligibilityResult, EligibilityRuleSet, ExamProject
from tests.exam.eligibility_helpers import UNIT_A, applications
from tests.review.private_media import use_private_media

LIST = "admin:exam_eligibilityruleset_changelist"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # The preview job's progress and heartbeat files (SQLite) go to the private media folder.
    use_private_media(settings, tmp_path)


def _change_url(rule_set) -> str:
    return reverse("admin:exam_eligibilityruleset_change", args=[rule_set.pk])


def _preview_url(rule_set, job) -> str:
    return reverse("admin:exam_eligibilityruleset_preview", args=[rule_set.pk, job.pk])


def _previewed(client, rule_set, **extra) -> Job:
    """预览 posted, its job run as the worker would: the finished preview job."""
    response = _post(client, rule_set, "_preview", **extra)
    job = Job.objects.get(kind=Job.Kind.RULES_PREVIEW, status=Job.Status.QUEUED)
    assert response.status_code == 302 and response["Location"] == _preview_url(rule_set, job)
    rules_preview_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    return job


def _post(client, rule_set, button: str, *, rules='{"max": 2}', cutoff="2027-06-30", **extra):
    data = {
        "cutoff_date": cutoff,
        "rules": rules,
        "base_version": rule_set.version,
        button: "1",
        **extra,
    }
    return client.post(_change_url(rule_set), data)


@pytest.fixture
def province_client(client, reviewers):
    client.force_login(reviewers["province"])
    return client


@pytest.mark.django_db
def test_the_list_and_the_form_for_provincial_staff(stand_in_kind, province_client, health_project):
    page = province_client.get(reverse(LIST))
    assert page.status_code == 200
    assert health_project.name in page.content.decode()

    form = province_client.get(_change_url(stand_in_kind)).content.decode()
    assert "截止日期" in form and "不符合时禁止提交" in form
    assert 'value="2026-12-31"' in form
    assert "{\n  &quot;max&quot;: 3\n}" in form  # the rules, indented, in the textarea
    assert 'name="_preview"' in form and 'name="_save"' not in form  # a preview first
    assert "键名（英文）是系统识别规则用的，请保持原样" in form


@pytest.mark.django_db
def test_preview_runs_as_a_job_shows_the_counts_and_the_moved_and_saves_nothing(
    stand_in_kind, province_client, health_project, tree, reviewers
):
    moved = applications(health_project, tree[UNIT_A], ["王芳", "李小明"])[1]
    response = _post(province_client, stand_in_kind, "_preview", blocks_submission="on")
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == _preview_url(stand_in_kind, job)
    assert (job.kind, job.owner, job.status, job.progress_total) == (
        "rules_preview",
        reviewers["province"],
        "queued",
        2,
    )
    assert job.params == {
        "rule_set": stand_in_kind.pk,
        "project": health_project.pk,
        "rules": {"max": 2},
        "cutoff_date": "2027-06-30",
        "blocks_submission": True,
        "base_version": 1,
    }

    # While it waits: the progress (polling the job's status), no table, no 确认保存.
    waiting = province_client.get(_preview_url(stand_in_kind, job)).content.decode()
    assert 'id="job-progress-box"' in waiting and "排队中" in waiting
    assert reverse("admin:jobs_job_status", args=[job.pk]) in waiting
    assert (
        "截止日期：2026-12-31 → 2027-06-30" in waiting and "不符合时：仅提示 → 禁止提交" in waiting
    )
    assert 'id="preview-counts"' not in waiting and 'name="_save"' not in waiting

    rules_preview_job_run(job.pk)
    html = province_client.get(_preview_url(stand_in_kind, job)).content.decode()
    assert 'id="preview-counts"' in html
    assert 'id="preview-total">2<' in html
    assert "结果会改变的申报：1 份。" in html
    assert f'<td class="border-b border-base-200 p-2 dark:border-base-800">{moved.pk}</td>' in html
    assert "李小明" in html and tree[UNIT_A].name in html
    assert "截止日期：2026-12-31 → 2027-06-30" in html and "不符合时：仅提示 → 禁止提交" in html
    # 确认保存 names the job only: the rules it saves are the job's.
    assert 'name="_save"' in html and 'type="hidden" name="rules"' not in html
    assert f'action="{_preview_url(stand_in_kind, job)}"' in html
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (1, {"max": 3})
    assert not EligibilityResult.objects.exists() and Job.objects.count() == 1

    # The job's own page (我的任务) leads to it.
    page = province_client.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert "预览完成：已提交的申报 2 份，结果会改变的 1 份。" in page
    assert _preview_url(stand_in_kind, job) in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rules, message",
    [
        ('{"max": 2,}', "规则不是有效的 JSON：第 1 行第 10 列附近有错误"),
        ('{"max": "二"}', "max（姓名最多字数）必须是不小于 0 的整数。"),
        ("[2]", "规则必须是一个 JSON 对象"),
    ],
)
@pytest.mark.parametrize("button", ["_preview", "_save"])
def test_malformed_rules_come_back_with_the_error_and_nothing_saved(
    stand_in_kind, province_client, rules, message, button
):
    page = _post(province_client, stand_in_kind, button, rules=rules)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html
    assert 'id="rule_set_form"' in html
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (1, {"max": 3})
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_confirm_saves_what_the_job_previewed_and_opens_the_job(
    stand_in_kind, province_client, reviewers
):
    preview = _previewed(province_client, stand_in_kind, blocks_submission="true")
    # Whatever else is posted, the job's input is saved.
    response = province_client.post(
        _preview_url(stand_in_kind, preview), {"_save": "1", "rules": '{"max": 9}'}
    )
    job = Job.objects.get(kind=Job.Kind.ELIGIBILITY)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:jobs_job_change", args=[job.pk])
    stand_in_kind.refresh_from_db()
    assert (stand_in_kind.version, stand_in_kind.rules) == (2, {"max": 2})
    assert stand_in_kind.cutoff_date == datetime.date(2027, 6, 30)
    assert stand_in_kind.blocks_submission is True
    assert stand_in_kind.updated_by == reviewers["province"]
    assert (job.kind, job.owner) == ("eligibility", reviewers["province"])
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("已保存") and "第 2 版" in message

    # The same preview again: it was of version 1, refused.
    again = province_client.post(_preview_url(stand_in_kind, preview), {"_save": "1"})
    assert again.status_code == 302 and again["Location"] == _preview_url(stand_in_kind, preview)
    page = province_client.get(again["Location"]).content.decode()
    assert "刚刚已被他人修改（现为第 2 版）" in page
    assert 'id="preview-stale"' in page and 'name="_save"' not in page
    assert EligibilityRuleSet.objects.get().version == 2
    assert Job.objects.filter(kind=Job.Kind.ELIGIBILITY).count() == 1


@pytest.mark.django_db
def test_a_preview_of_the_saved_input_makes_no_version(stand_in_kind, province_client):
    preview = _previewed(province_client, stand_in_kind, rules='{"max": 3}', cutoff="2026-12-31")
    page = province_client.get(_preview_url(stand_in_kind, preview)).content.decode()
    assert "与当前规则相同，保存时不会产生新版本。" in page
    response = province_client.post(_preview_url(stand_in_kind, preview), {"_save": "1"})
    page = province_client.get(response["Location"]).content.decode()
    assert "没有保存新版本" in page
    assert EligibilityRuleSet.objects.get().version == 1
    assert not Job.objects.filter(kind=Job.Kind.ELIGIBILITY).exists()


@pytest.mark.django_db
def test_a_stale_preview_is_refused(stand_in_kind, province_client):
    preview = _previewed(province_client, stand_in_kind)
    EligibilityRuleSet.objects.filter(pk=stand_in_kind.pk).update(version=3)
    response = province_client.post(_preview_url(stand_in_kind, preview), {"_save": "1"})
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "刚刚已被他人修改（现为第 3 版）" in message
    assert EligibilityRuleSet.objects.get().rules == {"max": 3}
    assert not Job.objects.filter(kind=Job.Kind.ELIGIBILITY).exists()


@pytest.mark.django_db
def test_a_preview_of_an_older_version_is_not_started(stand_in_kind, province_client):
    EligibilityRuleSet.objects.filter(pk=stand_in_kind.pk).update(version=3)
    page = _post(province_client, stand_in_kind, "_preview")  # base_version 1
    assert page.status_code == 200 and 'id="rule_set_form"' in page.content.decode()
    assert "刚刚已被他人修改（现为第 3 版）" in page.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_an_unfinished_preview_is_not_saved(stand_in_kind, province_client):
    _post(province_client, stand_in_kind, "_preview")
    job = Job.objects.get()
    response = province_client.post(_preview_url(stand_in_kind, job), {"_save": "1"})
    assert response["Location"] == _preview_url(stand_in_kind, job)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "预览尚未完成，请等预览完成后再确认保存。"
    assert EligibilityRuleSet.objects.get().version == 1 and Job.objects.count() == 1


@pytest.mark.django_db
def test_another_rule_sets_preview_is_not_saved(stand_in_kind, province_client, health_project):
    last_year = ExamProject.objects.create(
        kind=health_project.kind,
        year=2025,
        name="2025年卫生专业技术资格考试",
        is_active=False,  # one business to work in: no 选择业务 first
        registration_opens_at=health_project.registration_opens_at,
        registration_closes_at=health_project.registration_closes_at,
    )
    other = EligibilityRuleSet.objects.create(
        project=last_year, cutoff_date=stand_in_kind.cutoff_date, rules={"max": 3}
    )
    preview = _previewed(province_client, stand_in_kind)
    response = province_client.post(_preview_url(other, preview), {"_save": "1"})
    assert response["Location"] == _change_url(other)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == "该预览不属于本报考条件规则，本次没有保存。请重新预览。"
    assert province_client.get(_preview_url(other, preview)).status_code == 404
    assert set(EligibilityRuleSet.objects.values_list("version", flat=True)) == {1}
    assert not Job.objects.filter(kind=Job.Kind.ELIGIBILITY).exists()


@pytest.mark.django_db
def test_a_preview_whose_worker_died_fails_and_starts_again(
    stand_in_kind, province_client, settings
):
    _post(province_client, stand_in_kind, "_preview")
    job = Job.objects.get()
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOB_DEAD_AFTER_SECONDS + 60)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=long_ago, updated_at=long_ago, heartbeat_at=long_ago
    )
    page = province_client.get(_preview_url(stand_in_kind, job)).content.decode()
    assert "预览没有完成：后台任务进程已中断，请重新开始。" in page
    assert 'name="_again"' in page and 'name="_save"' not in page
    refused = province_client.post(_preview_url(stand_in_kind, job), {"_save": "1"})
    [message] = [str(m) for m in get_messages(refused.wsgi_request)]
    assert message == "预览没有完成，本次没有保存。请重新预览。"

    again = province_client.post(_preview_url(stand_in_kind, job), {"_again": "1"})
    new = Job.objects.exclude(pk=job.pk).get()
    assert again["Location"] == _preview_url(stand_in_kind, new)
    assert (new.kind, new.status, new.params) == (job.kind, Job.Status.QUEUED, job.params)
    rules_preview_job_run(new.pk)
    assert 'id="preview-counts"' in province_client.get(again["Location"]).content.decode()
    assert EligibilityRuleSet.objects.get().version == 1


@pytest.mark.django_db
def test_back_to_edit_keeps_the_input(stand_in_kind, province_client):
    page = _post(province_client, stand_in_kind, "_edit", rules='{"max":2}')
    html = page.content.decode()
    assert "{\n  &quot;max&quot;: 2\n}" in html and 'value="2027-06-30"' in html
    assert EligibilityRuleSet.objects.get().version == 1

    # From the preview's page: the previewed input.
    _post(province_client, stand_in_kind, "_preview", rules='{"max":4}', blocks_submission="on")
    job = Job.objects.get()
    html = province_client.post(_preview_url(stand_in_kind, job), {"_edit": "1"}).content.decode()
    assert 'id="rule_set_form"' in html
    assert "{\n  &quot;max&quot;: 4\n}" in html and 'value="2027-06-30"' in html
    assert re.search(r'<input type="checkbox" name="blocks_submission"[^>]* checked', html)
    assert EligibilityRuleSet.objects.get().version == 1


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["unit_a", "county_jiangan", "city_wuhan"])
def test_others_are_refused(stand_in_kind, client, reviewers, account):
    # A finished preview of provincial staff's: the others can neither see nor save it.
    client.force_login(reviewers["province"])
    preview = _previewed(client, stand_in_kind)
    client.force_login(reviewers[account])
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(_change_url(stand_in_kind)).status_code == 403
    assert _post(client, stand_in_kind, "_save").status_code == 403
    assert _post(client, stand_in_kind, "_preview").status_code == 403
    preview_url = _preview_url(stand_in_kind, preview)
    assert client.get(preview_url).status_code == 403
    for button in ("_save", "_again", "_edit"):
        assert client.post(preview_url, {button: "1"}).status_code == 403
    assert EligibilityRuleSet.objects.get().version == 1
    assert list(Job.objects.all()) == [preview]


@pytest.mark.django_db
def test_nobody_adds_or_deletes_by_hand(stand_in_kind, province_client):
    assert province_client.get(reverse("admin:exam_eligibilityruleset_add")).status_code == 403
    delete = reverse("admin:exam_eligibilityruleset_delete", args=[stand_in_kind.pk])
    assert province_client.post(delete, {"post": "yes"}).status_code == 403
    assert EligibilityRuleSet.objects.exists()


@pytest.mark.django_db
def test_the_sidebar_shows_it_to_provincial_staff_only(client, reviewers):
    client.force_login(reviewers["province"])
    link = reverse(LIST)
    assert link in client.get(reverse("admin:index")).content.decode()
    client.force_login(reviewers["unit_a"])
    assert link not in client.get(reverse("admin:index")).content.decode()
