"""基础数据 and 对比库: read-only screens for provincial staff; nobody else opens them.
Global model permissions never count (no staff user holds any)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exam.models import ExamProject, Level, Specialty, TcmCategory
from people.models import Division, EducationLevel, Ethnicity, Physician, PoliticalStatus
from review.models import ReferenceLibrary, ReferenceRecord
from tests.builders import superuser

READ_ONLY_MODELS = [
    Division,
    Ethnicity,
    PoliticalStatus,
    EducationLevel,
    Level,
    Specialty,
    TcmCategory,
    Physician,
    ReferenceLibrary,
    ReferenceRecord,
]
ALL_MODELS = [*READ_ONLY_MODELS, ExamProject]
NOT_PROVINCIAL = ["unit_a", "county_jiangan", "city_wuhan"]


def client_for(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def url(model, view: str = "changelist", *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def libraries(reference_data):
    """The eight libraries come with the reference data; a few records in two of them."""
    violations = ReferenceLibrary.objects.get(code="violation")
    history = ReferenceLibrary.objects.get(code="history")
    ReferenceRecord.objects.create(
        library=violations,
        id_number="420102199001019999",
        name="演示甲",
        year=2021,
        source="2021年度考试违纪人员名单",
        detail="2021年度考试违纪人员，请重点关注",
    )
    ReferenceRecord.objects.create(
        library=history, id_number="420102199001019999", name="演示甲", year=2023
    )
    ReferenceRecord.objects.create(
        library=history, id_number="420106198505059998", name="演示乙", year=2024
    )
    return violations, history


@pytest.fixture
def physician(db):
    return Physician.objects.create(
        name="演示医师",
        id_number="420102197001019997",
        institution_name="江岸区演示第一医院",
        is_recommender=True,
    )


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m._meta.model_name)
def test_province_can_view_lists_and_details(
    tree, reviewers, health_project, libraries, physician, model
):
    client = client_for(reviewers["province"])
    response = client.get(url(model))
    assert response.status_code == 200
    obj = model.objects.first()
    assert obj is not None
    assert client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", READ_ONLY_MODELS, ids=lambda m: m._meta.model_name)
def test_province_cannot_add_change_or_delete(tree, reviewers, libraries, physician, model):
    client = client_for(reviewers["province"])
    obj = model.objects.first()
    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    before = model.objects.count()
    assert client.post(url(model, "change", obj.pk), {"name": "改名"}).status_code == 403
    assert model.objects.count() == before
    obj_after = model.objects.get(pk=obj.pk)
    assert getattr(obj_after, "name", None) == getattr(obj, "name", None)


@pytest.mark.parametrize("username", NOT_PROVINCIAL)
@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m._meta.model_name)
def test_others_get_403(tree, reviewers, health_project, libraries, physician, username, model):
    client = client_for(reviewers[username])
    assert client.get(url(model)).status_code == 403
    obj = model.objects.first()
    assert client.get(url(model, "change", obj.pk)).status_code == 403


@pytest.mark.parametrize("username", NOT_PROVINCIAL)
def test_others_do_not_see_them_in_the_sidebar(tree, reviewers, username):
    html = client_for(reviewers[username]).get("/admin/").content.decode()
    for model in ALL_MODELS:
        assert url(model) not in html


def test_province_sees_them_in_the_sidebar(tree, reviewers):
    html = client_for(reviewers["province"]).get("/admin/").content.decode()
    for model in ALL_MODELS:
        assert url(model) in html


def test_superuser_can_view_them(tree, libraries):
    client = client_for(superuser())
    for model in ALL_MODELS:
        assert client.get(url(model)).status_code == 200


def test_division_search_filter_and_source_credit(tree, reviewers):
    client = client_for(reviewers["province"])
    response = client.get(url(Division), {"q": "420102"})
    assert list(response.context["cl"].result_list) == [Division.objects.get(code="420102")]
    assert "nbsetsail/real-china-division" in response.content.decode()
    response = client.get(url(Division), {"q": "江岸"})
    assert Division.objects.get(code="420102") in response.context["cl"].result_list
    response = client.get(url(Division), {"level__exact": "province"})
    assert {d.level for d in response.context["cl"].result_list} == {"province"}


def test_specialty_list_says_it_is_partial_and_filters_by_level(tree, reviewers):
    client = client_for(reviewers["province"])
    response = client.get(url(Specialty), {"level__code__exact": "3"})
    assert response.status_code == 200
    assert 'data-testid="specialty-partial-note"' in response.content.decode()
    assert {s.level_id for s in response.context["cl"].result_list} == {"3"}


def test_reference_records_search_and_filters(tree, reviewers, libraries):
    violations, history = libraries
    client = client_for(reviewers["province"])
    response = client.get(url(ReferenceRecord))
    html = response.content.decode()
    for header in ["对比库", "姓名", "证件号码", "年度", "来源", "说明"]:
        assert header in html
    by_id = client.get(url(ReferenceRecord), {"q": "420102199001019999"}).context["cl"]
    assert {r.library_id for r in by_id.result_list} == {"violation", "history"}
    by_name = client.get(url(ReferenceRecord), {"q": "演示乙"}).context["cl"]
    assert [r.name for r in by_name.result_list] == ["演示乙"]
    by_library = client.get(url(ReferenceRecord), {"library__code__exact": "violation"})
    assert [r.year for r in by_library.context["cl"].result_list] == [2021]
    by_year = client.get(url(ReferenceRecord), {"year": "2024"})
    assert [r.name for r in by_year.context["cl"].result_list] == ["演示乙"]


def test_physician_search_by_name_and_id(tree, reviewers, physician):
    client = client_for(reviewers["province"])
    for query in ["演示医师", physician.id_number]:
        response = client.get(url(Physician), {"q": query})
        assert list(response.context["cl"].result_list) == [physician]


def _project_form(project: ExamProject, **changes) -> dict[str, str]:
    opens = timezone.localtime(changes.pop("opens", project.registration_opens_at))
    closes = timezone.localtime(changes.pop("closes", project.registration_closes_at))
    data = {
        "registration_opens_at_0": f"{opens:%Y-%m-%d}",
        "registration_opens_at_1": f"{opens:%H:%M:%S}",
        "registration_closes_at_0": f"{closes:%Y-%m-%d}",
        "registration_closes_at_1": f"{closes:%H:%M:%S}",
        "is_active": "on",
        "case_record_count": project.case_record_count,
        "apprenticeship_recommenders": project.apprenticeship_recommenders,
        "apprenticeship_supervisors": project.apprenticeship_supervisors,
        "practice_recommenders": project.practice_recommenders,
        "practice_supervisor_cutoff": f"{project.practice_supervisor_cutoff:%Y-%m-%d}",
        "application_retention_years": project.application_retention_years,
        "identity_retention_years": project.identity_retention_years,
    }
    data.update({k: str(v) for k, v in changes.items()})
    return data


def test_province_edits_the_registration_window_and_rules(tree, reviewers, tcm_project):
    client = client_for(reviewers["province"])
    new_close = timezone.make_aware(datetime.datetime(2027, 3, 31, 17, 0))
    response = client.post(
        url(ExamProject, "change", tcm_project.pk),
        {
            **_project_form(tcm_project, closes=new_close, case_record_count=6),
            "name": "改名",
            "kind": "health_qualification",
            "year": "2030",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    tcm_project.refresh_from_db()
    assert tcm_project.registration_closes_at == new_close
    assert tcm_project.case_record_count == 6
    # The project's identity is not editable.
    assert (tcm_project.name, tcm_project.kind, tcm_project.year) == (
        "2026年湖北省中医医术确有专长人员医师资格考核",
        "tcm_expertise",
        2026,
    )


def test_project_window_must_be_ordered(tree, reviewers, health_project):
    client = client_for(reviewers["province"])
    before = health_project.registration_closes_at
    response = client.post(
        url(ExamProject, "change", health_project.pk),
        _project_form(health_project, closes=health_project.registration_opens_at),
    )
    assert response.status_code == 200
    assert "报名截止时间应晚于开始时间" in response.content.decode()
    health_project.refresh_from_db()
    assert health_project.registration_closes_at == before


def test_projects_cannot_be_added_or_deleted(tree, reviewers, health_project):
    client = client_for(reviewers["province"])
    assert client.get(url(ExamProject, "add")).status_code == 403
    assert (
        client.post(url(ExamProject, "delete", health_project.pk), {"post": "yes"}).status_code
        == 403
    )
    assert ExamProject.objects.filter(pk=health_project.pk).exists()


def test_unit_cannot_edit_a_project(tree, reviewers, health_project):
    client = client_for(reviewers["unit_a"])
    response = client.post(
        url(ExamProject, "change", health_project.pk),
        _project_form(
            health_project,
            closes=health_project.registration_closes_at + datetime.timedelta(days=1),
        ),
    )
    assert response.status_code == 403


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def test_specialty_and_tcm_notes_are_chinese_for_staff(tree, reviewers):
    """Issue 12 item 7: the fixtures' English source notes stay in the CSV files; 备注 and 依据,
    which provincial staff read, are Chinese."""
    client = client_for(reviewers["province"])
    shown = []
    for model, fields in ((Specialty, ["note"]), (TcmCategory, ["basis", "description"])):
        response = client.get(url(model), {"all": ""})
        assert response.status_code == 200
        for obj in response.context["cl"].result_list:
            shown += [getattr(obj, name) for name in fields if getattr(obj, name)]
    assert "2020年起并入卫生检验技术(士)" in shown
    assert [text for text in shown if LATIN_WORD.search(text)] == []
