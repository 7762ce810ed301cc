"""The health exam on the candidate site: binding to a unit with its 本单位确认码, 基础信息, what
the dispatcher and the service refuse, and the demo candidate. 学历信息, the optional
certificates and 补充信息 are in test_site_health_records.py."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from exam import material_writes
from exam.models import (
    Application,
    EducationRecord,
    ExamKind,
    ExamProject,
    Level,
    NurseLicense,
    Section,
    SupplementaryInfo,
    TitleCertificate,
)
from exam.sections import HEALTH_SECTION_FIELDS, sections_for
from exam.urls_public import bind_path
from people import services as people_services
from people.models import Candidate, EducationLevel, Ethnicity, PoliticalStatus
from people.site_views import RESUME_SESSION_KEY
from review import services as review_services
from tests.builders import new_application, submitted
from tests.exam.health_helpers import (
    TITLE,
    UNIT_A,
    add_education,
    app_fixture,  # noqa: F401 (a fixture)
    media_fixture,  # noqa: F401 (a fixture)
    messages_of,
    overview_url,
    section,
    section_url,
    unit_fixture,  # noqa: F401 (a fixture)
    upload,
)
from tests.factories import CandidateFactory, fake_resident_id

pytestmark = pytest.mark.django_db

BIND = reverse("apply:bind")


# --- binding -------------------------------------------------------------------------------


def level_and_specialty(code: str = "2"):
    level = Level.objects.get(code=code)
    return level, level.specialties.filter(is_active=True).first()


class TestBind:
    def post(self, client, project, code, level=None, specialty=None):
        level, specialty = level or level_and_specialty()[0], specialty or level_and_specialty()[1]
        return client.post(
            BIND,
            {
                "project": project.pk,
                "code": code,
                "level": level.pk,
                "specialty": specialty.pk,
            },
        )

    def test_form_renders_every_specialty_with_its_level(self, client, tree, health_project):
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        response = client.get(f"{BIND}?project={health_project.pk}")
        assert response.status_code == 200
        html = response.content.decode()
        assert health_project.name in html
        assert 'data-filter-by="id_level"' in html and "site/bind.js" in html
        for level_code in ("1", "2", "3"):
            assert f'data-level="{level_code}"' in html

    def test_valid_code_binds_and_goes_to_the_overview(self, client, unit, health_project):
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        level, specialty = level_and_specialty("2")
        response = self.post(client, health_project, f" {unit.confirmation_code.lower()} ")
        application = Application.objects.get(candidate=candidate)
        assert response.status_code == 302
        assert response["Location"] == overview_url(application)
        assert application.entry_institution == unit
        assert (application.level, application.specialty) == (level, specialty)
        assert f"已绑定“{unit.name}”，请逐项填写申报信息。" in messages_of(response)
        codes = set(application.sections.values_list("code", flat=True))
        assert codes == {d.code for d in sections_for(ExamKind.HEALTH_QUALIFICATION)}

    def test_invalid_code_is_shown_next_to_the_field(self, client, tree, health_project):
        client.force_login(CandidateFactory().user)
        response = self.post(client, health_project, "NOPE0000")
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["code"] == ["确认码无效，请向所在单位核实本单位确认码。"]
        assert form["code"].value() == "NOPE0000"
        assert not Application.objects.exists()

    def test_a_county_code_is_not_a_unit_code(self, client, tree, health_project):
        client.force_login(CandidateFactory().user)
        response = self.post(client, health_project, tree["420102"].confirmation_code)
        assert "确认码无效" in response.context["form"].errors["code"][0]
        assert not Application.objects.exists()

    def test_specialty_of_another_level_is_refused(self, client, unit, health_project):
        client.force_login(CandidateFactory().user)
        level, _ = level_and_specialty("1")
        _, specialty = level_and_specialty("3")
        response = self.post(client, health_project, unit.confirmation_code, level, specialty)
        assert response.context["form"].errors["specialty"] == [
            "所选类别(专业)不属于该申报级别，请重新选择。"
        ]
        assert not Application.objects.exists()

    def test_missing_fields_are_named(self, client, unit, health_project):
        client.force_login(CandidateFactory().user)
        response = client.post(BIND, {"project": health_project.pk})
        errors = response.context["form"].errors
        assert errors["code"] == ["请输入本单位确认码。"]
        assert errors["level"] == ["请选择申报级别。"]
        assert errors["specialty"] == ["请选择类别(专业)。"]

    def test_closed_project_gives_a_clear_message(self, client, unit, health_project):
        health_project.registration_closes_at = timezone.now() - datetime.timedelta(days=1)
        health_project.registration_opens_at = timezone.now() - datetime.timedelta(days=9)
        health_project.save()
        client.force_login(CandidateFactory().user)
        response = client.get(f"{BIND}?project={health_project.pk}")
        assert "不在报名时间内" in response.content.decode()
        assert "form" not in response.context
        response = self.post(client, health_project, unit.confirmation_code)
        assert "不在报名时间内" in response.content.decode()
        assert not Application.objects.exists()

    def test_tcm_or_unknown_project_is_a_404(self, client, tree, tcm_project):
        client.force_login(CandidateFactory().user)
        assert client.get(f"{BIND}?project={tcm_project.pk}").status_code == 404
        assert client.get(f"{BIND}?project=99999").status_code == 404
        assert client.get(f"{BIND}?project=abc").status_code == 404

    def test_already_applied(self, client, unit, health_project):
        application = new_application(health_project, unit)
        client.force_login(application.candidate.user)
        response = client.get(f"{BIND}?project={health_project.pk}")
        assert response["Location"] == overview_url(application)
        assert f"您已报名“{health_project.name}”，每个项目只能申报一次。" in messages_of(response)
        response = self.post(client, health_project, unit.confirmation_code)
        assert response["Location"] == overview_url(application)
        assert Application.objects.count() == 1

    def test_qr_link_prefills_the_code_and_names_the_unit(self, client, unit, health_project):
        client.force_login(CandidateFactory().user)
        response = client.get(bind_path(unit.confirmation_code))
        assert response.status_code == 200
        assert response.context["form"]["code"].value() == unit.confirmation_code
        # The only open health project is chosen for the candidate.
        assert response.context["project"] == health_project
        assert f"确认码对应单位：<strong>{unit.name}</strong>" in response.content.decode()

    def test_several_open_projects_are_offered_to_choose(self, client, unit, health_project):
        other = ExamProject.objects.create(
            kind=ExamKind.HEALTH_QUALIFICATION,
            year=2027,
            name="2027年卫生专业技术资格考试",
            registration_opens_at=health_project.registration_opens_at,
            registration_closes_at=health_project.registration_closes_at,
        )
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        response = client.get(bind_path(unit.confirmation_code))
        assert response.context["project"] is None
        assert 'name="project"' in response.content.decode()
        self.post(client, other, unit.confirmation_code)
        assert Application.objects.get(candidate=candidate).project == other

    def test_no_open_project(self, client, tree):
        client.force_login(CandidateFactory().user)
        response = client.get(BIND)
        assert "当前没有可报名的卫生专业技术资格考试。" in response.content.decode()

    def test_anonymous_visitor_keeps_the_code_through_login(self, client, unit, health_project):
        candidate = CandidateFactory()
        target = bind_path(unit.confirmation_code) + f"&project={health_project.pk}"
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account:login"))
        assert client.session[RESUME_SESSION_KEY] == target
        # Logging in without `next` (e.g. from the home page) still comes back here.
        candidate.user.set_password("demo12345")
        candidate.user.save()
        response = client.post(
            reverse("account:login"), {"phone": candidate.phone, "password": "demo12345"}
        )
        assert response["Location"] == target
        assert RESUME_SESSION_KEY not in client.session
        page = client.get(target)
        assert page.context["form"]["code"].value() == unit.confirmation_code

    def test_unverified_visitor_comes_back_after_identity(self, client, unit, health_project):
        candidate = people_services.candidate_register(phone="13700000001", password="Xy12345678")
        client.force_login(candidate.user)
        target = bind_path(unit.confirmation_code)
        response = client.get(target)
        assert response["Location"] == reverse("account:identity")
        assert client.session[RESUME_SESSION_KEY] == target
        response = client.post(
            reverse("account:identity_auto"),
            {
                "name": "张三",
                "id_number": fake_resident_id(),
                "front_image": upload("front.png"),
                "back_image": upload("back.png"),
            },
        )
        candidate.refresh_from_db()
        assert candidate.is_verified
        assert response["Location"] == target
        assert RESUME_SESSION_KEY not in client.session
        level, specialty = level_and_specialty("1")
        client.post(
            BIND,
            {
                "project": health_project.pk,
                "code": unit.confirmation_code,
                "level": level.pk,
                "specialty": specialty.pk,
            },
        )
        assert Application.objects.get(candidate=candidate).entry_institution == unit

    def test_an_offsite_resume_url_is_ignored(self, client, tree):
        candidate = CandidateFactory()
        candidate.user.set_password("demo12345")
        candidate.user.save()
        session = client.session
        session[RESUME_SESSION_KEY] = "https://evil.example/"
        session.save()
        response = client.post(
            reverse("account:login"), {"phone": candidate.phone, "password": "demo12345"}
        )
        assert response["Location"] == reverse("apply:home")


# --- 基础信息 -------------------------------------------------------------------------------


class TestBasic:
    def test_get_shows_identity_facts_read_only_and_prefills_the_phone(self, client, app):
        response = client.get(section_url(app, "basic"))
        assert response.status_code == 200
        candidate = app.candidate
        facts = dict(response.context["facts"])
        assert facts["姓名"] == candidate.name
        assert facts["出生日期"] == candidate.birth_date.isoformat()
        assert facts["工作单位"] == app.entry_institution.name
        assert facts["申报类别(专业)"] == app.specialty.name
        form = response.context["form"]
        assert set(form.fields) == {"phone", "ethnicity", "political_status", "work_started_on"}
        assert form["phone"].value() == candidate.phone

    def test_valid_post_saves_section_and_candidate(self, client, app):
        han, member = Ethnicity.objects.get(code="01"), PoliticalStatus.objects.get(code="01")
        response = client.post(
            section_url(app, "basic"),
            {
                "action": "save",
                "phone": "13812345678",
                "ethnicity": han.pk,
                "political_status": member.pk,
                "work_started_on": "2015-08-01",
            },
        )
        assert response["Location"] == overview_url(app)
        basic = section(app, "basic")
        assert basic.status == Section.Status.COMPLETE
        # JSONB (PostgreSQL) keeps no key order; the display order comes from the labels.
        assert set(basic.data) == {k for k, _ in HEALTH_SECTION_FIELDS["basic"]}
        candidate = app.candidate
        assert basic.data["name"] == candidate.name
        assert basic.data["phone"] == "13812345678"
        assert basic.data["ethnicity"] == han.name
        assert basic.data["political_status"] == member.name
        assert basic.data["work_unit"] == app.entry_institution.name
        assert basic.data["work_started_on"] == "2015-08-01"
        assert basic.data["specialty"] == app.specialty.name
        candidate.refresh_from_db()
        assert candidate.ethnicity == han and candidate.political_status == member
        assert candidate.phone != "13812345678"  # the account's phone stays as it is
        # The saved choices come back on the next visit.
        form = client.get(section_url(app, "basic")).context["form"]
        assert str(form["ethnicity"].value()) == han.pk
        assert form["work_started_on"].value() == "2015-08-01"

    def test_invalid_post_keeps_typed_values_and_changes_nothing(self, client, app):
        response = client.post(
            section_url(app, "basic"),
            {
                "action": "save",
                "phone": "12345",
                "ethnicity": "01",
                "political_status": "",
                "work_started_on": "2099-01-01",
            },
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["phone"] == ["请输入11位手机号码。"]
        assert form.errors["political_status"] == ["请选择政治面貌。"]
        assert form.errors["work_started_on"] == ["参加工作时间不能晚于今天。"]
        html = response.content.decode()
        assert 'value="12345"' in html and 'id="id_phone_error"' in html
        assert section(app, "basic").data == {}
        app.candidate.refresh_from_db()
        assert app.candidate.ethnicity is None

    def test_draft_keeps_what_is_typed_incomplete(self, client, app):
        response = client.post(
            section_url(app, "basic"), {"action": "draft", "phone": "13812345678"}
        )
        assert response["Location"] == overview_url(app)
        basic = section(app, "basic")
        assert basic.status == Section.Status.INCOMPLETE
        assert basic.data["phone"] == "13812345678" and basic.data["ethnicity"] == ""
        assert "“基础信息”已暂存，尚有必填内容未完成。" in messages_of(response)
        # A draft still refuses bad input.
        response = client.post(section_url(app, "basic"), {"action": "draft", "phone": "1"})
        assert response.context["form"].errors["phone"] == ["请输入11位手机号码。"]
        assert section(app, "basic").data["phone"] == "13812345678"


# --- what the dispatcher and the service refuse -------------------------------------------


class TestRefusals:
    def test_locked_section_is_read_only(self, client, health_project, unit, reviewers):
        application = submitted(health_project, unit)
        review_services.tier_review_decide(
            actor=reviewers["unit_a"],
            tier_review=application.tier_reviews.get(tier="unit"),
            decision="return",
            remark="请补充学历。",
            locked_sections=["title"],
        )
        client.force_login(application.candidate.user)
        response = client.post(section_url(application, "title"), TITLE | {"image": upload()})
        assert response["Location"] == reverse("apply:detail", args=[application.pk])
        assert not TitleCertificate.objects.exists()
        # The unlocked ones can be edited while returned.
        response = add_education(client, application)
        assert EducationRecord.objects.filter(application=application).count() == 1

    def test_submitted_application_is_not_editable(self, client, health_project, unit):
        application = submitted(health_project, unit)
        client.force_login(application.candidate.user)
        for code in ("basic", "education", "title", "supplementary"):
            response = client.get(section_url(application, code))
            assert response["Location"] == reverse("apply:detail", args=[application.pk])
        add_education(client, application)
        client.post(section_url(application, "basic"), {"action": "save", "phone": "13812345678"})
        assert not EducationRecord.objects.exists()
        assert section(application, "basic").data == {"filled": True}

    def test_material_writes_check_the_owner(self, app):
        stranger = CandidateFactory()
        with pytest.raises(Exception, match="只能操作本人的申报"):
            material_writes.material_save_from_candidate(
                actor=stranger.user, application=app, material=TitleCertificate(), values={}
            )
        with pytest.raises(Exception, match="只能操作本人的申报"):
            material_writes.candidate_profile_save_from_section(
                actor=stranger.user, application=app, ethnicity=None, political_status=None
            )

    def test_another_candidates_sections_are_404(self, client, app):
        client.force_login(CandidateFactory().user)
        for definition in sections_for(ExamKind.HEALTH_QUALIFICATION):
            assert client.get(section_url(app, definition.code)).status_code == 404


# --- the demo candidate --------------------------------------------------------------------


def test_demo_candidate1_can_open_every_section(client, tree, health_project, media):
    """candidate1 of the demo data: a health draft at unit_a with 基础信息 saved from the demo
    content (same keys) and nothing else; then the same with every material in place."""

    candidate = CandidateFactory(ethnicity=Ethnicity.objects.get(code="01"))
    application = new_application(health_project, tree[UNIT_A], candidate=candidate)
    client.force_login(candidate.user)
    basic = section(application, "basic")
    basic.data = {
        "name": candidate.name,
        "gender": candidate.get_gender_display(),
        "birth_date": candidate.birth_date.isoformat(),
        "phone": candidate.phone,
        "ethnicity": "汉族",
        "political_status": "",
        "work_unit": tree[UNIT_A].name,
        "work_started_on": "2016-07-01",
        "specialty": application.specialty.name,
    }
    basic.mark_complete()
    basic.save()
    for definition in sections_for(ExamKind.HEALTH_QUALIFICATION):
        response = client.get(section_url(application, definition.code))
        assert response.status_code == 200, definition.code

    level = EducationLevel.objects.get(code="20")
    common = {"application": application}
    EducationRecord.objects.create(
        **common,
        level=level,
        graduation_date=datetime.date(2016, 6, 30),
        school="湖北中医药大学",
        study_form="full_time",
        major_type="medical",
        duration_years=4,
        enrollment_date=datetime.date(2012, 9, 1),
        major="护理学",
        diploma_no="1",
        image="applications/x/educationrecord/missing.png",
    )
    TitleCertificate.objects.create(
        **common,
        title_name="护师",
        title_level="junior",
        certificate_no="1",
        issued_on=datetime.date(2019, 10, 1),
        issuing_authority="湖北省卫生健康委员会",
    )
    NurseLicense.objects.create(
        **common,
        certificate_no="1",
        practice_institution="医院",
        issued_on=datetime.date(2017, 1, 1),
    )
    SupplementaryInfo.objects.create(**common, covid_frontline=True, note="支援武汉。")
    for definition in sections_for(ExamKind.HEALTH_QUALIFICATION):
        response = client.get(section_url(application, definition.code))
        assert response.status_code == 200, definition.code
    form = client.get(section_url(application, "supplementary")).context["form"]
    assert form["covid_frontline"].value() == "1"
    assert Candidate.objects.get(pk=candidate.pk).ethnicity_id == "01"
