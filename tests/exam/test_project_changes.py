"""exam.project_services.exam_project_update: provincial staff change a 考试项目's window and
numbers in one transaction with one audit log row (each changed field before and after); a
change of a number the 报考条件 engine reads starts the project's re-evaluation job on commit,
nothing else does; nothing changed writes nothing; nobody else may."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.errors import ServiceError
from core.jobs.models import Job
from core.models import AuditLogEntry
from exam.audit_actions import LOG_PROJECT_CHANGED
from exam.eligibility.job_tasks import eligibility_job_run
from exam.eligibility.registry import for_kind
from exam.eligibility.rule_sets import rule_set_ensure
from exam.eligibility.services import eligibility_refresh
from exam.eligibility.tcm_facts import PROJECT_FIELDS, load_facts
from exam.models import EligibilityResult, ExamProject
from exam.project_services import EDITABLE_FIELDS, exam_project_update
from tests.builders import new_application

JIANGAN = "420102"


def _other(project: ExamProject, name: str):
    """Another valid value of the field than the project's."""
    value = getattr(project, name)
    if name == "closed_at":  # open → ended after the window
        return project.registration_closes_at + datetime.timedelta(days=1)
    if isinstance(value, bool):
        return not value
    if name == "registration_opens_at":
        return value - datetime.timedelta(days=1)
    if isinstance(value, datetime.datetime | datetime.date):
        return value + datetime.timedelta(days=1)
    return value + 1


def _logged() -> list[AuditLogEntry]:
    return list(AuditLogEntry.objects.filter(action=LOG_PROJECT_CHANGED))


@pytest.fixture
def tcm_rules(tcm_project):
    return rule_set_ensure(project=tcm_project)


@pytest.mark.django_db
def test_a_change_is_saved_and_logged_once_with_before_and_after(
    tcm_project, tcm_rules, reviewers, tree
):
    province = reviewers["province"]
    opens, old_closes = tcm_project.registration_opens_at, tcm_project.registration_closes_at
    closes = datetime.datetime(2099, 7, 31, 17, 30, tzinfo=datetime.UTC)
    done = exam_project_update(
        actor=province,
        project=tcm_project,
        changes={
            "registration_opens_at": opens,
            "registration_closes_at": closes,
            "is_active": False,
        },
    )
    assert done.changed == ("registration_closes_at", "is_active")  # opens_at: the same value
    assert done.job is None  # the engine reads neither
    assert not Job.objects.exists()
    stored = ExamProject.objects.get(pk=tcm_project.pk)
    assert (stored.registration_closes_at, stored.is_active) == (closes, False)
    assert tcm_project.registration_closes_at == closes  # the caller's instance follows

    (entry,) = _logged()
    assert entry.actor == province and entry.subject == tree["420000"]
    assert entry.data["tier"] == "province" and entry.data["project"] == tcm_project.pk
    assert entry.data["changes"] == {
        "registration_closes_at": {
            "from": timezone.localtime(old_closes).isoformat(),
            "to": "2099-08-01T01:30:00+08:00",  # Beijing time
        },
        "is_active": {"from": True, "to": False},
    }
    assert "job" not in entry.data
    assert entry.remark == (
        f"{tcm_project.name}：报名截止时间 {timezone.localtime(old_closes):%Y-%m-%d %H:%M} → "
        "2099-08-01 01:30；当前项目 是 → 否"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("field", PROJECT_FIELDS)
def test_a_number_the_rules_read_starts_the_re_evaluation_on_commit(
    tcm_project, tcm_rules, reviewers, tree, field, django_capture_on_commit_callbacks
):
    new_application(tcm_project, tree[JIANGAN], track="practice")
    province = reviewers["province"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        done = exam_project_update(
            actor=province, project=tcm_project, changes={field: _other(tcm_project, field)}
        )
    assert len(callbacks) == 1  # the enqueue waits for the commit
    job = done.job
    assert job is not None
    job.refresh_from_db()
    assert (job.kind, job.owner, job.status, job.progress_total) == (
        "eligibility",
        province,
        "queued",
        1,
    )
    assert job.params == {"project": tcm_project.pk, "version": tcm_rules.version}
    assert job.label == f"重新判断报考条件：{tcm_project.name}（考试项目设置变更）"
    assert job.task_id  # handed to the task backend after the commit
    (entry,) = _logged()
    assert set(entry.data["changes"]) == {field} and entry.data["job"] == job.pk
    assert entry.remark.endswith("；已开始重新判断报考条件")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field",
    # closed_at needs is_active off as well (tests/exam/test_retention_settings.py).
    [name for name in EDITABLE_FIELDS if name not in PROJECT_FIELDS and name != "closed_at"],
)
def test_other_settings_start_no_job(tcm_project, tcm_rules, reviewers, field):
    done = exam_project_update(
        actor=reviewers["province"],
        project=tcm_project,
        changes={field: _other(tcm_project, field)},
    )
    assert done.changed == (field,) and done.job is None
    assert not Job.objects.exists()
    assert len(_logged()) == 1


@pytest.mark.django_db
def test_no_job_without_a_rule_set_or_for_a_kind_that_reads_no_project_field(
    tcm_project, health_project, reviewers
):
    province = reviewers["province"]
    done = exam_project_update(
        actor=province, project=tcm_project, changes={"practice_recommenders": 3}
    )
    assert done.changed == ("practice_recommenders",) and done.job is None
    rule_set_ensure(project=health_project)
    done = exam_project_update(
        actor=province, project=health_project, changes={"practice_recommenders": 3}
    )
    assert done.changed == ("practice_recommenders",) and done.job is None
    assert not Job.objects.exists()
    assert len(_logged()) == 2


@pytest.mark.django_db
def test_nothing_changed_writes_nothing(tcm_project, tcm_rules, reviewers):
    for changes in ({}, {"practice_recommenders": tcm_project.practice_recommenders}):
        done = exam_project_update(
            actor=reviewers["province"], project=tcm_project, changes=changes
        )
        assert done.changed == () and done.job is None
    assert not _logged()
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["unit_a", "county_jiangan", "city_wuhan"])
def test_only_provincial_staff_may_change_a_project(tcm_project, tcm_rules, reviewers, account):
    with pytest.raises(ServiceError, match="只有省级管理人员可以修改考试项目"):
        exam_project_update(
            actor=reviewers[account], project=tcm_project, changes={"practice_recommenders": 3}
        )
    assert ExamProject.objects.get(pk=tcm_project.pk).practice_recommenders == 2
    assert not _logged() and not Job.objects.exists()


@pytest.mark.django_db
def test_the_identity_and_invalid_values_are_refused(tcm_project, tcm_rules, reviewers):
    province = reviewers["province"]
    with pytest.raises(ServiceError, match="考试项目的项目名称、年度不能修改"):
        exam_project_update(
            actor=province, project=tcm_project, changes={"name": "改名", "year": 2027}
        )
    with pytest.raises(ValidationError, match="报名截止时间应晚于开始时间"):
        exam_project_update(
            actor=province,
            project=tcm_project,
            changes={
                "registration_closes_at": tcm_project.registration_opens_at,
                "practice_recommenders": 3,
            },
        )
    stored = ExamProject.objects.get(pk=tcm_project.pk)
    assert (stored.name, stored.practice_recommenders) == (tcm_project.name, 2)
    assert not _logged() and not Job.objects.exists()


@pytest.mark.django_db
def test_project_fields_are_what_the_tcm_facts_read(tcm_project, tree):
    """The fields whose change alters some application's facts are exactly PROJECT_FIELDS
    (and the TCM kind declares them): a new one read by load_facts fails here."""
    made = [
        new_application(tcm_project, tree[JIANGAN], track=track)
        for track in ("apprenticeship", "practice")
    ]
    assert for_kind(tcm_project.kind).project_fields == PROJECT_FIELDS
    before = load_facts(made)
    read = set()
    for field in EDITABLE_FIELDS:
        original = getattr(tcm_project, field)
        ExamProject.objects.filter(pk=tcm_project.pk).update(**{field: _other(tcm_project, field)})
        if load_facts(made) != before:
            read.add(field)
        ExamProject.objects.filter(pk=tcm_project.pk).update(**{field: original})
    assert read == set(PROJECT_FIELDS)


@pytest.mark.django_db
def test_the_job_brings_the_results_to_the_new_number(
    tcm_project, tcm_rules, reviewers, tree, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path  # the job's progress file
    application = new_application(tcm_project, tree[JIANGAN], track="apprenticeship")
    eligibility_refresh(applications=[application])

    def recommenders_text() -> str:
        result = EligibilityResult.objects.get(application=application)
        (text,) = [r["explanation"] for r in result.results if r["code"] == "recommenders"]
        return text

    assert "要求至少 2 名" in recommenders_text()
    done = exam_project_update(
        actor=reviewers["province"], project=tcm_project, changes={"apprenticeship_recommenders": 3}
    )
    assert done.job is not None
    eligibility_job_run(done.job.pk)
    done.job.refresh_from_db()
    assert done.job.status == Job.Status.DONE, done.job.message
    assert "要求至少 3 名" in recommenders_text()


# --- the admin's 考试项目 form (exam/admin/projects.py) saves through the service -----------


def _change_url(project: ExamProject) -> str:
    return reverse("admin:exam_examproject_change", args=[project.pk])


def _form(project: ExamProject, **changes) -> dict[str, str]:
    """The change form as the page posts it (times to the minute, Beijing time)."""
    values = {name: getattr(project, name) for name in EDITABLE_FIELDS} | changes
    data = {}
    for name in ("registration_opens_at", "registration_closes_at", "closed_at"):
        value = values.pop(name)
        local = timezone.localtime(value) if value else None
        data[f"{name}_0"], data[f"{name}_1"] = (
            (f"{local:%Y/%m/%d}", f"{local:%H:%M}") if local else ("", "")
        )
    if values.pop("is_active"):
        data["is_active"] = "on"
    data["practice_supervisor_cutoff"] = f"{values.pop('practice_supervisor_cutoff'):%Y/%m/%d}"
    return data | {name: str(value) for name, value in values.items()}


@pytest.fixture
def whole_minutes(tcm_project):
    """The window to the minute, as the form edits it (and the demo data has it)."""
    for name in ("registration_opens_at", "registration_closes_at"):
        setattr(tcm_project, name, getattr(tcm_project, name).replace(second=0, microsecond=0))
    tcm_project.save()
    return tcm_project


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_the_admin_form_logs_and_re_evaluates_on_a_number_the_rules_read(
    whole_minutes, tcm_rules, reviewers, client, django_capture_on_commit_callbacks
):
    client.force_login(reviewers["province"])
    assert client.get(_change_url(whole_minutes)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _change_url(whole_minutes), _form(whole_minutes, practice_recommenders=3)
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ExamProject.objects.get(pk=whole_minutes.pk).practice_recommenders == 3
    (entry,) = _logged()
    assert entry.actor == reviewers["province"]
    assert entry.data["changes"] == {"practice_recommenders": {"from": 2, "to": 3}}
    (job,) = Job.objects.all()
    assert job.params == {"project": whole_minutes.pk, "version": tcm_rules.version}
    assert entry.data["job"] == job.pk
    texts = _messages(response)
    assert any(text.startswith("成功修改了 考试项目") for text in texts)
    (started,) = [text for text in texts if "重新判断" in text]
    assert "已开始在后台重新判断本项目全部申报的报考条件" in started
    assert reverse("admin:jobs_job_change", args=[job.pk]) in started


@pytest.mark.django_db
def test_the_admin_form_logs_a_window_change_without_a_job(
    whole_minutes, tcm_rules, reviewers, client
):
    client.force_login(reviewers["province"])
    closes = whole_minutes.registration_closes_at + datetime.timedelta(days=3)
    response = client.post(
        _change_url(whole_minutes), _form(whole_minutes, registration_closes_at=closes)
    )
    assert response.status_code == 302
    assert ExamProject.objects.get(pk=whole_minutes.pk).registration_closes_at == closes
    (entry,) = _logged()
    assert list(entry.data["changes"]) == ["registration_closes_at"]
    assert not Job.objects.exists()
    assert not [text for text in _messages(response) if "重新判断" in text]

    # Saved again as it is: no row, no job.
    assert (
        client.post(
            _change_url(whole_minutes), _form(ExamProject.objects.get(pk=whole_minutes.pk))
        ).status_code
        == 302
    )
    assert len(_logged()) == 1 and not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("account", ["city_wuhan", "county_jiangan"])
def test_the_admin_form_is_refused_to_others(whole_minutes, tcm_rules, reviewers, client, account):
    client.force_login(reviewers[account])
    response = client.post(
        _change_url(whole_minutes), _form(whole_minutes, practice_recommenders=3)
    )
    assert response.status_code == 403
    assert ExamProject.objects.get(pk=whole_minutes.pk).practice_recommenders == 2
    assert not _logged() and not Job.objects.exists()


@pytest.mark.django_db
def test_nobody_adds_a_project_in_the_admin(reviewers, client):
    client.force_login(reviewers["province"])
    assert client.get(reverse("admin:exam_examproject_add")).status_code == 403
