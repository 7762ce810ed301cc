"""A project's 项目结束时间 and retention periods (exam/models/projects.py, exam/retention.py):
what the model refuses in Chinese, how the periods count, and the admin form that provincial
staff set them with (saved and logged through exam_project_update)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditLogEntry
from exam import retention
from exam.audit_actions import LOG_PROJECT_CHANGED
from exam.models import ExamProject
from exam.project_services import exam_project_update
from exam.retention import Period
from tests.exam.test_project_changes import _change_url, _form, whole_minutes  # noqa: F401


def _refused(project: ExamProject, **values) -> dict[str, list[str]]:
    for name, value in values.items():
        setattr(project, name, value)
    with pytest.raises(ValidationError) as caught:
        project.full_clean()
    return caught.value.message_dict


def _ended(project: ExamProject, day: datetime.date) -> ExamProject:
    project.closed_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    project.is_active = False
    return project


@pytest.mark.django_db
def test_nonsense_periods_and_ends_are_refused_in_chinese(health_project):
    assert _refused(health_project, identity_retention_years=5) == {
        "identity_retention_years": [
            "证件照和签名的保存期限不能长于申报资料的保存期限（申报资料清除时，证件照和签名随之清除）。"
        ]
    }
    health_project.refresh_from_db()
    assert _refused(health_project, application_retention_years=0, identity_retention_years=0) == {
        "application_retention_years": ["申报资料保存期限至少为1年。"]
    }
    health_project.refresh_from_db()
    errors = _refused(health_project, application_retention_years=31)
    assert "保存期限不能超过30年。" in errors["application_retention_years"]
    health_project.refresh_from_db()
    errors = _refused(health_project, application_retention_years=-1)
    assert errors["application_retention_years"]
    health_project.refresh_from_db()
    late = health_project.registration_closes_at + datetime.timedelta(days=1)
    assert _refused(health_project, closed_at=late) == {
        "closed_at": ["已结束的项目不能是当前项目：请同时取消“当前项目”。"]
    }
    health_project.refresh_from_db()
    early = health_project.registration_closes_at - datetime.timedelta(days=1)
    assert _refused(health_project, closed_at=early, is_active=False) == {
        "closed_at": ["项目结束时间不能早于报名截止时间。"]
    }


@pytest.mark.django_db
def test_the_periods_count_from_the_day_the_project_ended(health_project):
    today = datetime.date(2030, 3, 1)
    assert retention.is_open(health_project, today=today)  # no end set
    assert retention.kept_until(health_project, Period.APPLICATIONS) is None
    _ended(health_project, datetime.date(2028, 2, 29))
    assert not retention.is_open(health_project, today=today)
    assert retention.kept_until(health_project, Period.IDENTITY) == datetime.date(2029, 2, 28)
    assert retention.kept_until(health_project, Period.APPLICATIONS) == datetime.date(2031, 2, 28)
    assert retention.is_past(health_project, Period.IDENTITY, today=today)
    assert not retention.is_past(health_project, Period.APPLICATIONS, today=today)
    assert retention.is_past(health_project, Period.APPLICATIONS, today=datetime.date(2031, 2, 28))
    # An end still ahead of `today`, or a 当前项目, is open.
    assert retention.is_open(health_project, today=datetime.date(2028, 2, 28))
    health_project.is_active = True
    assert retention.is_open(health_project, today=today)


@pytest.mark.django_db
def test_provincial_staff_set_the_end_and_periods_in_the_admin(
    whole_minutes,  # noqa: F811
    reviewers,
    client,
):
    project = whole_minutes
    client.force_login(reviewers["province"])
    page = client.get(_change_url(project))
    assert "项目结束与个人信息保存期限" in page.content.decode()
    ends = timezone.localtime(project.registration_closes_at + datetime.timedelta(days=2))
    data = _form(project, is_active=False, application_retention_years=5)
    data["closed_at_0"], data["closed_at_1"] = f"{ends:%Y/%m/%d}", f"{ends:%H:%M}"
    response = client.post(_change_url(project), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project.refresh_from_db()
    assert (project.closed_at, project.is_active, project.application_retention_years) == (
        ends,
        False,
        5,
    )
    (entry,) = AuditLogEntry.objects.filter(action=LOG_PROJECT_CHANGED)
    assert set(entry.data["changes"]) == {"is_active", "closed_at", "application_retention_years"}


@pytest.mark.django_db
def test_the_admin_form_refuses_a_longer_identity_period_and_changes_nothing(
    whole_minutes,  # noqa: F811
    reviewers,
    client,
):
    project = whole_minutes
    client.force_login(reviewers["province"])
    response = client.post(_change_url(project), _form(project, identity_retention_years=4))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "不能长于申报资料的保存期限" in str(errors["identity_retention_years"])
    project.refresh_from_db()
    assert project.identity_retention_years == 1
    assert not AuditLogEntry.objects.filter(action=LOG_PROJECT_CHANGED).exists()


@pytest.mark.django_db
def test_the_service_refuses_ending_a_current_project(health_project, reviewers):
    with pytest.raises(ValidationError, match="已结束的项目不能是当前项目"):
        exam_project_update(
            actor=reviewers["province"],
            project=health_project,
            changes={"closed_at": health_project.registration_closes_at},
        )
    health_project.refresh_from_db()
    assert health_project.closed_at is None
