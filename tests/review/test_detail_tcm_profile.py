"""Issue 12 item 5: a TCM candidate's 民族 and 政治面貌 on the reviewers' 基础信息."""

import pytest
from django.test import Client
from django.urls import reverse

from exam.models import Section
from people.models import Candidate
from tests.builders import new_application
from tests.exam.tcm_helpers import BASIC, media, png  # noqa: F401 (media is a fixture)

pytestmark = pytest.mark.django_db
JIANGAN = "420102"


def basic_shown(reviewer, application) -> str:
    """The 基础信息 tab only: 申报材料 repeats the section's own fields."""
    client = Client()
    client.force_login(reviewer)
    url = reverse("admin:review_reviewapplication_change", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html[html.index('id="tab-basic"') : html.index('id="tab-libraries"')]


def test_tcm_basic_section_fills_the_candidates_ethnicity_and_political_status(
    client, tree, reviewers, tcm_project
):
    application = new_application(tcm_project, tree[JIANGAN], track="practice")
    Candidate.objects.filter(pk=application.candidate_id).update(
        ethnicity=None, political_status=None
    )
    client.force_login(application.candidate.user)
    url = reverse("apply:section", args=[application.pk, "basic"])
    data = {**BASIC, "ethnicity": "回族", "political_status": "九三学社社员", "action": "save"}
    assert client.post(url, {**data, "file_photo": png()}).status_code == 302
    assert application.sections.get(code="basic").status == Section.Status.COMPLETE

    candidate = Candidate.objects.select_related("ethnicity", "political_status").get(
        pk=application.candidate_id
    )
    assert (candidate.ethnicity.name, candidate.political_status.name) == ("回族", "九三学社社员")
    html = basic_shown(reviewers["county_jiangan"], application)
    assert "<dt>民族</dt><dd>回族</dd>" in html
    assert "<dt>政治面貌</dt><dd>九三学社社员</dd>" in html


def test_section_saved_before_the_fix_still_shows_what_was_typed(tree, reviewers, tcm_project):
    """Rows written before the candidate was updated: the section's data is shown."""
    application = new_application(tcm_project, tree[JIANGAN], track="practice")
    Candidate.objects.filter(pk=application.candidate_id).update(
        ethnicity=None, political_status=None
    )
    Section.objects.filter(application=application, code="basic").update(
        data={"ethnicity": "壮族", "political_status": "群众"}
    )
    html = basic_shown(reviewers["county_jiangan"], application)
    assert "<dt>民族</dt><dd>壮族</dd>" in html
    assert "<dt>政治面貌</dt><dd>群众</dd>" in html
