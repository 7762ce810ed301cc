"""当前业务 (issue 12 item 2, seed 003 §1): after login a reviewer chooses the business (exam
project) and every list, count, dashboard card, export, 上报 and the 确认码 page follow it;
an institution serving one business goes straight in; the choice is remembered per user."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.errors import ServiceError
from exam.models import Application, TierReview
from review import business as business_module
from review.models import CurrentBusiness
from tests.builders import decide, submitted, superuser
from tests.exports import export_post, without_footer

pytestmark = pytest.mark.django_db

UNIT_A, JIANGAN = "U420102001", "420102"
LIST = "admin:review_reviewapplication_changelist"


@pytest.fixture
def both(tree, health_project, tcm_project):
    """At 江岸区: one health application reported up from unit A, one TCM entered there."""
    from tests.builders import advance_to

    health = advance_to(submitted(health_project, tree[UNIT_A]), "county")
    tcm = submitted(tcm_project, tree[JIANGAN], track="apprenticeship")
    return {"health": health, "tcm": tcm}


def _choose(client, project, next_url="/admin/"):
    return client.post(reverse("admin:business"), {"project": project.pk, "next": next_url})


def _listed(response) -> set[int]:
    return {row.pk for row in response.context["cl"].result_list}


# --- who may work in which business ---------------------------------------------------------


def test_choices_follow_the_tier(reviewers, health_project, tcm_project):
    choices = business_module.business_choices
    assert choices(user=reviewers["unit_a"]) == [health_project]
    assert set(choices(user=reviewers["county_jiangan"])) == {health_project, tcm_project}
    assert set(choices(user=reviewers["city_wuhan"])) == {health_project, tcm_project}
    assert set(choices(user=reviewers["province"])) == {health_project, tcm_project}
    assert set(choices(user=superuser())) == {health_project, tcm_project}
    tcm_project.is_active = False
    tcm_project.save()
    assert choices(user=reviewers["county_jiangan"]) == [health_project]


def test_a_unit_goes_straight_in(client, reviewers, both, health_project):
    client.force_login(reviewers["unit_a"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"当前业务：</span>{health_project.name}" in html
    assert "切换" not in html.split('id="current-business"')[1].split("</a>")[0]


# --- choosing -------------------------------------------------------------------------------


def test_every_page_asks_for_the_business_first(client, reviewers, both):
    client.force_login(reviewers["county_jiangan"])
    for url in (
        reverse("admin:index"),
        reverse(LIST),
        reverse("admin:review_verifyeducation_changelist"),
        reverse("admin:confirmation_code"),
        reverse("admin:review_reviewapplication_export"),
        reverse("admin:core_auditlogentry_changelist"),
    ):
        response = client.get(url + "?review_status=pending")
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:business") + "?next=")
    page = client.get(reverse("admin:business"))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="business-choice"') == 2


def test_choosing_goes_back_to_the_page_and_is_remembered(client, reviewers, both, tcm_project):
    user = reviewers["county_jiangan"]
    client.force_login(user)
    wanted = reverse(LIST) + "?scope=subtree"
    response = _choose(client, tcm_project, wanted)
    assert response.status_code == 302 and response["Location"] == wanted
    assert CurrentBusiness.objects.get(user=user).project == tcm_project
    assert _listed(client.get(wanted)) == {both["tcm"].pk}
    # A new login keeps the choice: no question asked.
    client.logout()
    client.force_login(user)
    response = client.get(wanted)
    assert response.status_code == 200
    assert _listed(response) == {both["tcm"].pk}


def test_switching_changes_every_list(client, reviewers, both, health_project, tcm_project):
    client.force_login(reviewers["county_jiangan"])
    url = reverse(LIST) + "?scope=subtree"
    _choose(client, health_project)
    assert _listed(client.get(url)) == {both["health"].pk}
    _choose(client, tcm_project)
    assert _listed(client.get(url)) == {both["tcm"].pk}
    page = client.get(url).content.decode()
    assert f"当前业务：</span>{tcm_project.name}" in page


def test_an_unsafe_next_goes_to_the_dashboard(client, reviewers, both, tcm_project):
    client.force_login(reviewers["county_jiangan"])
    response = _choose(client, tcm_project, "https://evil.example/")
    assert response["Location"] == reverse("admin:index")


def test_a_business_the_user_may_not_work_in_is_refused(client, reviewers, both, tcm_project):
    user = reviewers["unit_a"]
    with pytest.raises(ServiceError):
        business_module.business_choose(user=user, project_id=tcm_project.pk)
    client.force_login(user)
    response = client.post(reverse("admin:business"), {"project": tcm_project.pk}, follow=True)
    assert "该业务不存在或您无权办理" in response.content.decode()
    assert not CurrentBusiness.objects.filter(user=user).exists()
    response = client.post(reverse("admin:business"), {"project": "x"}, follow=True)
    assert "请选择要办理的业务" in response.content.decode()


def test_a_project_closed_since_asks_again(client, reviewers, both, tcm_project, tree):
    from exam.models import ExamProject

    user = reviewers["city_wuhan"]
    client.force_login(user)
    _choose(client, tcm_project)
    third = ExamProject.objects.create(
        kind="tcm_expertise",
        year=2027,
        name="2027年考核",
        registration_opens_at=tcm_project.registration_opens_at,
        registration_closes_at=tcm_project.registration_closes_at,
    )
    tcm_project.is_active = False
    tcm_project.save()
    client.logout()
    client.force_login(user)
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:business"))
    assert third.pk  # two projects left to choose from


# --- what follows the business --------------------------------------------------------------


def test_dashboard_counts_follow_the_business(client, reviewers, both, health_project, tcm_project):
    client.force_login(reviewers["county_jiangan"])
    _choose(client, tcm_project)
    statuses = client.get(reverse("admin:index")).context["dashboard"]["statuses"]
    assert sum(s["total"] for s in statuses) == 1
    _choose(client, health_project)
    statuses = client.get(reverse("admin:index")).context["dashboard"]["statuses"]
    assert sum(s["total"] for s in statuses) == 1
    assert client.get(reverse("admin:index")).context["dashboard"]["waiting_total"] == 1


def test_report_sends_only_the_current_business(client, reviewers, both, tcm_project):
    county = reviewers["county_jiangan"]
    decide(both["health"], "approve", actor=county)
    decide(both["tcm"], "approve", actor=county)
    client.force_login(county)
    _choose(client, tcm_project)
    dialog = client.get(reverse("admin:review_reviewapplication_report"))
    assert dialog.context["summary"].reported == 1
    client.post(reverse("admin:review_reviewapplication_report"))
    both["health"].refresh_from_db()
    both["tcm"].refresh_from_db()
    assert both["tcm"].current_tier == "city"
    assert both["health"].current_tier == "county"
    assert TierReview.objects.get(application=both["health"], tier="county").status == "approved"


def test_report_of_a_selection_refuses_another_business(reviewers, both, tree, tcm_project):
    from review import services

    county = reviewers["county_jiangan"]
    decide(both["health"], "approve", actor=county)
    with pytest.raises(ServiceError):
        services.institution_report(
            actor=county,
            institution=tree[JIANGAN],
            business=tcm_project.pk,
            application_ids=[both["health"].pk],
        )
    assert Application.objects.get(pk=both["health"].pk).current_tier == "county"


def test_export_follows_the_business(client, reviewers, both, tcm_project):
    client.force_login(reviewers["county_jiangan"])
    _choose(client, tcm_project)
    response = export_post(
        client, reverse("admin:review_reviewapplication_export"), {"scope": "subtree"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    values = without_footer([[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)])
    assert len(values) == 1
    assert any(both["tcm"].candidate.name in str(v) for v in values[0])


def test_export_job_keeps_the_business_it_was_asked_in(
    client, reviewers, both, tcm_project, health_project, settings
):
    from core.jobs.models import Job

    settings.JOB_THRESHOLD_ROWS = 0
    client.force_login(reviewers["county_jiangan"])
    _choose(client, tcm_project)
    export_post(client, reverse("admin:review_reviewapplication_export"), {"scope": "subtree"})
    job = Job.objects.get()
    assert job.params["business"]["id"] == tcm_project.pk
    # Switching before the worker runs does not change what the job exports.
    _choose(client, health_project)
    from review.job_tasks import job_business

    assert job_business(job) == tcm_project.pk


def test_materials_list_follows_the_business(client, reviewers, both, health_project):
    client.force_login(reviewers["county_jiangan"])
    _choose(client, health_project)
    response = client.get(reverse("admin:review_verifyeducation_changelist") + "?scope=subtree")
    applications = {row.application_id for row in response.context["cl"].result_list}
    assert both["tcm"].pk not in applications


def test_confirmation_code_page_follows_the_business(
    client, reviewers, both, health_project, tcm_project
):
    client.force_login(reviewers["county_jiangan"])
    _choose(client, tcm_project)
    page = client.get(reverse("admin:confirmation_code"))
    assert [p.pk for p in page.context["projects"]] == [tcm_project.pk]
    _choose(client, health_project)
    page = client.get(reverse("admin:confirmation_code"))
    assert page.context["projects"] == []
    assert "的考生不在本级绑定确认码" in page.content.decode()


def test_a_detail_link_opens_whatever_the_business(client, reviewers, both, health_project):
    client.force_login(reviewers["county_jiangan"])
    _choose(client, health_project)
    url = reverse("admin:review_reviewapplication_change", args=[both["tcm"].pk])
    assert client.get(url).status_code == 200


def test_the_sidebar_offers_the_choice_before_and_after_it(client, reviewers, both, tcm_project):
    client.force_login(reviewers["county_jiangan"])
    link = f'href="{reverse("admin:business")}"'
    assert link in client.get(reverse("admin:business")).content.decode()
    _choose(client, tcm_project)
    assert link in client.get(reverse("admin:index")).content.decode()


def test_a_unit_has_no_sidebar_entry(client, reviewers, both):
    client.force_login(reviewers["unit_a"])
    html = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:business")}"' not in html
