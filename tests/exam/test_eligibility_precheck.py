"""报考条件 before 提交 (exam.eligibility.precheck): the overview says it in plain words; a
project that blocks 不符合 refuses the submission, one that warns accepts it; the result is
stored when the application is submitted. Judged by the stand-in kind
(tests/exam/eligibility_helpers.py: a name of at most 3 characters)."""

import pytest
from django.urls import reverse

from exam import services
from exam.models import Application, EligibilityResult
from tests.builders import complete_sections, new_application
from tests.exam.eligibility_helpers import name_candidate

UNIT = "U420102001"


def _ready(project, tree, name: str) -> Application:
    application = name_candidate(new_application(project, tree[UNIT]), name)
    complete_sections(application)
    return application


def _overview(client, application):
    client.force_login(application.candidate.user)
    return client.get(reverse("apply:overview", args=[application.pk]))


@pytest.mark.django_db
def test_the_overview_says_eligible_and_submission_stores_the_result(
    client, stand_in_kind, health_project, tree
):
    application = _ready(health_project, tree, "王芳")
    html = _overview(client, application).content.decode()
    assert "报考条件：符合" in html
    assert "按您填写的信息，符合报考条件（系统初步判断，以审核结果为准）。" in html
    assert "姓名：2 字：符合" in html
    assert not EligibilityResult.objects.exists()  # the overview only reads

    client.post(reverse("apply:submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert EligibilityResult.objects.get(application=application).outcome == "eligible"


@pytest.mark.django_db
def test_a_project_that_blocks_refuses_the_submission(client, stand_in_kind, health_project, tree):
    stand_in_kind.blocks_submission = True
    stand_in_kind.save()
    application = _ready(health_project, tree, "欧阳娜娜")
    response = _overview(client, application)
    html = response.content.decode()
    assert "报考条件：不符合" in html
    assert "不符合报考条件，不能提交。请核对填写的信息。" in html
    assert response.context["can_submit"] is False

    response = client.post(reverse("apply:submit", args=[application.pk]), follow=True)
    assert "不符合报考条件，不能提交：4 字：不符合。" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert not EligibilityResult.objects.exists()


@pytest.mark.django_db
def test_a_project_that_warns_accepts_the_submission(client, stand_in_kind, health_project, tree):
    application = _ready(health_project, tree, "欧阳娜娜")
    response = _overview(client, application)
    assert "可能不符合报考条件。您仍可提交，由审核机构审核。" in response.content.decode()
    assert response.context["can_submit"] is True
    client.post(reverse("apply:submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert EligibilityResult.objects.get(application=application).outcome == "ineligible"


@pytest.mark.django_db
def test_resubmission_is_checked_and_stored_too(stand_in_kind, health_project, tree):
    from tests.builders import decide

    application = services.application_submit(
        actor=(a := _ready(health_project, tree, "王芳")).candidate.user, application=a
    )
    decide(application, "return", remark="请补充材料")
    name_candidate(application, "欧阳娜娜")
    stand_in_kind.blocks_submission = True
    stand_in_kind.save()
    with pytest.raises(Exception, match="不符合报考条件，不能提交"):
        services.application_resubmit(actor=application.candidate.user, application=application)
    stand_in_kind.blocks_submission = False
    stand_in_kind.save()
    services.application_resubmit(actor=application.candidate.user, application=application)
    assert EligibilityResult.objects.get(application=application).outcome == "ineligible"


@pytest.mark.django_db
def test_without_rules_nothing_is_shown_or_stored(client, health_project, tree):
    application = _ready(health_project, tree, "欧阳娜娜")
    response = _overview(client, application)
    assert "报考条件" not in response.content.decode()
    assert response.context["can_submit"] is True
    client.post(reverse("apply:submit", args=[application.pk]))
    assert not EligibilityResult.objects.exists()
