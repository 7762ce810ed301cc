"""manage.py eligibility_refresh: every project with rules judged again and stored; a project
without rules named on the command line is refused and nothing is written."""

import io

import pytest
from django.core.management import CommandError, call_command

from exam.models import EligibilityResult
from tests.builders import new_application
from tests.exam.eligibility_helpers import name_candidate


@pytest.mark.django_db
def test_the_command_refreshes_every_project_with_rules(stand_in_kind, health_project, tree):
    short = name_candidate(new_application(health_project, tree["U420102001"]), "王芳")
    long = name_candidate(new_application(health_project, tree["U420102001"]), "欧阳娜娜")
    out = io.StringIO()
    call_command("eligibility_refresh", stdout=out)
    assert "新判断 2，结果改变 0，不变 0" in out.getvalue()
    outcomes = dict(EligibilityResult.objects.values_list("application_id", "outcome"))
    assert outcomes == {short.pk: "eligible", long.pk: "ineligible"}

    name_candidate(short, "欧阳王芳")
    out = io.StringIO()
    call_command("eligibility_refresh", project=[health_project.pk], stdout=out)
    assert "新判断 0，结果改变 1，不变 1" in out.getvalue()


@pytest.mark.django_db
def test_a_project_without_rules_is_refused(stand_in_kind, health_project, tcm_project, tree):
    new_application(health_project, tree["U420102001"])
    with pytest.raises(CommandError, match="没有报考条件规则"):
        call_command("eligibility_refresh", project=[health_project.pk, tcm_project.pk])
    assert not EligibilityResult.objects.exists()
