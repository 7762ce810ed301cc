"""The health exam on the candidate site: binding to a unit with its 本单位确认码, and the
section pages (基础信息, 学历信息, the optional certificates, 补充信息)."""

import datetime
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

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
    VerificationStatus,
)
from exam.sections import HEALTH_SECTION_FIELDS, sections_for
from exam.urls_public import bind_path
from people import services as people_services
from people.models import Candidate, EducationLevel, Ethnicity, PoliticalStatus
from people.site_views import RESUME_SESSION_KEY
from review import services as review_services
from review import verification, workflow
from review.models import ReviewLog
from tests.builders import new_application, submitted
from tests.factories import CandidateFactory, fake_resident_id

pytestmark = pytest.mark.django_db

BIND = reverse("apply:bind")
UNIT_A = "U420102001"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/private-media-not-served/"},
        },
    }
    return tmp_path


def image_bytes(fmt: str = "PNG", colour=(10, 120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(name: str = "cert.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or image_bytes(), content_type="image/png")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def section_url(application: Application, code: str) -> str:
    return reverse("apply:section", args=[application.pk, code])


def overview_url(application: Application) -> str:
    return reverse("apply:overview", args=[application.pk])


def section(application: Application, code: str) -> Section:
    return application.sections.get(code=code)


@pytest.fixture
def unit(tree):
    return tree[UNIT_A]


@pytest.fixture
def app(health_project, unit, client):
    application = new_application(health_project, unit)
    client.force_login(application.candidate.user)
    return application


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


# --- 学历信息 -------------------------------------------------------------------------------


def education_data(**overrides) -> dict:
    data = {
        "action": "save",
        "level": "20",
        "school": "湖北中医药大学",
        "major": "护理学",
        "major_type": "medical",
        "study_form": "full_time",
        "duration_years": "4",
        "enrollment_date": "2010-09-01",
        "graduation_date": "2014-06-30",
        "diploma_no": "105071201405000123",
        "certification_report_no": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def add_education(client, app, **overrides):
    overrides.setdefault("image", upload("diploma.png"))
    data = education_data(**overrides)
    return client.post(section_url(app, "education"), data)


class TestEducation:
    def test_add_stores_the_record_and_its_image(self, client, app, media):
        response = add_education(client, app)
        assert response["Location"] == section_url(app, "education")
        record = EducationRecord.objects.get(application=app)
        assert record.school == "湖北中医药大学" and record.level_id == "20"
        assert record.image.name.startswith(f"applications/{app.pk}/educationrecord/")
        assert (media / record.image.name).read_bytes() == image_bytes()
        edu = section(app, "education")
        assert edu.status == Section.Status.COMPLETE
        assert edu.data == {
            "highest_education": "本科",
            "school": "湖北中医药大学",
            "major": "护理学",
            "graduated_on": "2014-06-30",
            "records": 1,
        }
        app.refresh_from_db()
        assert app.highest_education == "本科"

    def test_images_are_served_only_to_the_owner(self, client, app):
        add_education(client, app)
        record = EducationRecord.objects.get(application=app)
        url = reverse("apply:file", args=[app.pk, "educationrecord", record.pk])
        page = client.get(section_url(app, "education")).content.decode()
        assert url in page
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == image_bytes()
        assert response["Cache-Control"] == "private, no-store"
        # The record's id under another kind or another application finds nothing.
        assert (
            client.get(
                reverse("apply:file", args=[app.pk, "titlecertificate", record.pk])
            ).status_code
            == 404
        )
        client.force_login(CandidateFactory().user)
        assert client.get(url).status_code == 404
        client.logout()
        assert client.get(url).status_code == 302

    def test_highest_is_derived_from_the_levels(self, client, app):
        add_education(
            client,
            app,
            level="30",
            school="武汉大专",
            graduation_date="2012-06-30",
            enrollment_date="2009-09-01",
            duration_years="3",
        )
        add_education(client, app, level="20", school="湖北中医药大学")
        app.refresh_from_db()
        assert app.highest_education == "本科"
        response = client.get(section_url(app, "education"))
        highest = [c["record"].school for c in response.context["cards"] if c["is_highest"]]
        assert highest == ["湖北中医药大学"]
        assert section(app, "education").data["records"] == 2

    def test_invalid_record_keeps_typed_values_and_the_upload(self, client, app):
        response = add_education(
            client, app, school="", graduation_date="2009-06-30", duration_years="abc"
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["school"] == ["请填写毕业学校。"]
        assert form.errors["graduation_date"] == ["毕业时间应晚于入学时间。"]
        assert form.errors["duration_years"] == ["请填写学制年数，如 3 或 4。"]
        html = response.content.decode()
        assert 'value="105071201405000123"' in html
        assert "diploma.png" in html and "image__staged" in html  # the file survives
        assert not EducationRecord.objects.exists()
        assert section(app, "education").status == Section.Status.INCOMPLETE

    def test_image_is_required_to_save_but_not_to_draft(self, client, app):
        response = add_education(client, app, image=None)
        assert response.context["form"].errors["image"] == ["请上传毕业证书图片。"]
        assert not EducationRecord.objects.exists()
        response = add_education(client, app, image=None, action="draft")
        record = EducationRecord.objects.get()
        assert not record.image
        assert section(app, "education").status == Section.Status.INCOMPLETE
        assert "学历已暂存；上传毕业证书图片后该条学历才算完成。" in messages_of(response)
        page = client.get(section_url(app, "education")).content.decode()
        assert "缺少证书图片" in page
        # Editing it with an image completes the section.
        data = education_data(record=record.pk, image=upload("later.png"))
        client.post(section_url(app, "education"), data)
        record.refresh_from_db()
        assert record.image
        assert section(app, "education").status == Section.Status.COMPLETE

    def test_sixth_record_is_refused(self, client, app):
        for n in range(5):
            add_education(client, app, school=f"学校{n}")
        assert EducationRecord.objects.filter(application=app).count() == 5
        page = client.get(section_url(app, "education"))
        assert page.context["full"] is True and page.context["form"] is None
        assert "学历信息最多填写5条" in page.content.decode()
        response = add_education(client, app, school="第六所")
        assert "学历信息最多填写5条，请删除或修改已有的学历。" in messages_of(response)
        assert EducationRecord.objects.filter(application=app).count() == 5
        # Editing one of the five is still possible.
        record = EducationRecord.objects.filter(application=app).first()
        client.post(section_url(app, "education"), education_data(record=record.pk, school="改名"))
        record.refresh_from_db()
        assert record.school == "改名"

    def test_the_service_refuses_a_sixth_record_too(self, app):
        for n in range(5):
            EducationRecord.objects.create(
                application=app,
                level_id="20",
                graduation_date=datetime.date(2014, 6, 30),
                school=f"学校{n}",
                study_form="full_time",
                major_type="medical",
                duration_years=4,
                enrollment_date=datetime.date(2010, 9, 1),
                major="护理学",
                diploma_no=str(n),
            )
        with pytest.raises(Exception, match="最多填写5条"):
            material_writes.education_record_add_check(application=app)

    def test_delete(self, client, app, media, django_capture_on_commit_callbacks):
        add_education(client, app)
        record = EducationRecord.objects.get()
        path = media / record.image.name
        assert path.exists()
        url = section_url(app, "education")
        page = client.get(url).content.decode()
        assert 'data-confirm="确定删除这条学历（湖北中医药大学）' in page
        assert client.get(f"{url}?record={record.pk}&action=delete").status_code == 200
        assert EducationRecord.objects.exists()  # a GET never deletes
        # The file goes once the deletion commits (tests run inside a transaction).
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"action": "delete", "record": record.pk})
        assert response["Location"] == url
        assert not EducationRecord.objects.exists()
        assert not path.exists()
        edu = section(app, "education")
        assert edu.status == Section.Status.INCOMPLETE and edu.data == {"records": 0}
        app.refresh_from_db()
        assert app.highest_education == ""
        assert "尚未填写学历信息。" in client.get(url).content.decode()

    def test_another_candidates_record_is_a_404(self, client, app, health_project, unit):
        other = new_application(health_project, unit)
        record = EducationRecord.objects.create(
            application=other,
            level_id="20",
            graduation_date=datetime.date(2014, 6, 30),
            school="别人的学校",
            study_form="full_time",
            major_type="medical",
            duration_years=4,
            enrollment_date=datetime.date(2010, 9, 1),
            major="护理学",
            diploma_no="1",
        )
        url = section_url(app, "education")
        assert client.get(f"{url}?record={record.pk}").status_code == 404
        assert client.post(url, {"action": "delete", "record": record.pk}).status_code == 404
        assert EducationRecord.objects.filter(pk=record.pk).exists()
        assert client.get(section_url(other, "education")).status_code == 404

    def test_verified_record_edited_goes_back_to_pending(self, client, app, reviewers):
        add_education(client, app)
        record = EducationRecord.objects.get()
        verification.material_verify_batch(
            actor=reviewers["unit_a"],
            model=EducationRecord,
            material_ids=[record.pk],
            outcome=VerificationStatus.VERIFIED,
        )
        record.refresh_from_db()
        assert record.verification_status == VerificationStatus.VERIFIED
        url = section_url(app, "education")
        page = client.get(f"{url}?record={record.pk}").content.decode()
        assert "修改并保存后将恢复为“待核验”" in page

        # Saving it unchanged keeps the verification.
        client.post(url, education_data(record=record.pk, image=None))
        record.refresh_from_db()
        assert record.verification_status == VerificationStatus.VERIFIED

        client.post(url, education_data(record=record.pk, image=None, major="助产"))
        record.refresh_from_db()
        assert record.major == "助产"
        assert record.verification_status == VerificationStatus.PENDING
        assert record.verified_by is None and record.verified_at is None
        log = ReviewLog.objects.get(action=workflow.LOG_MATERIAL_RESET_BY_CANDIDATE)
        assert log.application_id == app.pk and log.actor == app.candidate.user
        assert log.from_state == "verified" and log.to_state == "pending"
        assert "湖北中医药大学" in log.remark


# --- the optional certificates and 补充信息 -------------------------------------------------


TITLE = {
    "action": "save",
    "title_name": "护师",
    "title_level": "junior",
    "certificate_no": "2019042012345",
    "issued_on": "2019-10-12",
    "issuing_authority": "湖北省卫生健康委员会",
}


class TestCertificates:
    @pytest.mark.parametrize(
        "code",
        ["title", "physician_qualification", "physician_license", "nurse_license", "supplementary"],
    )
    def test_every_page_opens(self, client, app, code):
        response = client.get(section_url(app, code))
        assert response.status_code == 200
        assert response.context["form"].fields["image"]

    def test_title_saved_with_its_image(self, client, app):
        response = client.post(section_url(app, "title"), TITLE | {"image": upload()})
        assert response["Location"] == overview_url(app)
        title = TitleCertificate.objects.get(application=app)
        assert title.title_name == "护师" and title.image
        data = section(app, "title").data
        assert data == {
            "title_name": "护师",
            "title_level": "初级（师）",
            "certificate_no": "2019042012345",
            "issued_on": "2019-10-12",
            "issuing_authority": "湖北省卫生健康委员会",
        }
        assert section(app, "title").status == Section.Status.COMPLETE
        url = reverse("apply:file", args=[app.pk, "titlecertificate", title.pk])
        assert client.get(url).status_code == 200
        # Saving again without a new file keeps the image.
        old = title.image.name
        client.post(section_url(app, "title"), TITLE | {"title_name": "主管护师"})
        title.refresh_from_db()
        assert title.title_name == "主管护师" and title.image.name == old
        assert TitleCertificate.objects.filter(application=app).count() == 1

    def test_invalid_certificate_keeps_typed_values(self, client, app):
        response = client.post(
            section_url(app, "title"),
            TITLE | {"title_level": "bogus", "issued_on": "2019-13-45", "certificate_no": ""},
        )
        form = response.context["form"]
        assert form.errors["title_level"] == ["请选择有效的职称级别。"]
        assert form.errors["issued_on"] == ["请输入正确的日期，如 2020-07-01。"]
        assert form.errors["certificate_no"] == ["请填写证书编号。"]
        assert form.errors["image"] == ["请上传职称证书图片。"]
        assert 'value="护师"' in response.content.decode()
        assert not TitleCertificate.objects.exists()
        assert section(app, "title").data == {}

    def test_draft_keeps_typed_values_without_a_material(self, client, app):
        client.post(
            section_url(app, "title"),
            {"action": "draft", "title_name": "护师", "title_level": "junior"},
        )
        title_section = section(app, "title")
        assert title_section.status == Section.Status.INCOMPLETE
        assert title_section.data["title_name"] == "护师"
        assert title_section.data["title_level"] == "初级（师）"
        assert not TitleCertificate.objects.exists()
        form = client.get(section_url(app, "title")).context["form"]
        assert form["title_name"].value() == "护师" and form["title_level"].value() == "junior"

    def test_not_applicable_removes_the_material(self, client, app):
        client.post(section_url(app, "title"), TITLE | {"image": upload()})
        response = client.post(section_url(app, "title"), {"action": "none"})
        assert response["Location"] == overview_url(app)
        assert not TitleCertificate.objects.exists()
        title_section = section(app, "title")
        assert title_section.status == Section.Status.COMPLETE
        assert title_section.data == {"not_applicable": True}
        assert "没有此证书" in client.get(section_url(app, "title")).content.decode()

    def test_nurse_license_dates(self, client, app):
        data = {
            "action": "save",
            "certificate_no": "201542000123",
            "practice_institution": "江岸区演示第一医院",
            "issued_on": "2020-05-01",
            "valid_until": "2019-05-01",
            "image": upload(),
        }
        response = client.post(section_url(app, "nurse_license"), data)
        assert response.context["form"].errors["valid_until"] == ["有效期应晚于发证日期。"]
        client.post(
            section_url(app, "nurse_license"), data | {"valid_until": "", "image": upload()}
        )
        nurse = NurseLicense.objects.get(application=app)
        assert nurse.valid_until is None

    def test_physician_pages(self, client, app):
        client.post(
            section_url(app, "physician_qualification"),
            {
                "action": "save",
                "certificate_no": "201811420000001",
                "category": "临床",
                "level": "执业医师",
                "issued_on": "2018-12-01",
                "image": upload(),
            },
        )
        assert section(app, "physician_qualification").status == Section.Status.COMPLETE
        response = client.post(
            section_url(app, "physician_license"),
            {"action": "save", "certificate_no": "1", "category": "兽医", "image": upload()},
        )
        errors = response.context["form"].errors
        assert errors["category"] == ["请选择有效的执业类别。"]
        assert errors["scope"] == ["请填写执业范围。"]

    def test_supplementary_fields_and_covid_proof(self, client, app):
        basic = section(app, "basic")
        basic.data = {"work_started_on": "2016-07-15"}
        basic.save()
        form = client.get(section_url(app, "supplementary")).context["form"]
        assert form["work_started_on"].value() == "2016-07-15"
        assert set(form.fields) == {
            "covid_frontline",
            "work_started_on",
            "years_in_specialty",
            "note",
            "image",
        }
        data = {
            "action": "save",
            "covid_frontline": "1",
            "work_started_on": "2016-07-15",
            "years_in_specialty": "9",
            "note": "2020年支援武汉方舱医院。",
        }
        response = client.post(section_url(app, "supplementary"), data)
        assert response.context["form"].errors["image"] == ["请上传证明材料。"]
        assert not SupplementaryInfo.objects.exists()
        client.post(section_url(app, "supplementary"), data | {"image": upload()})
        info = SupplementaryInfo.objects.get(application=app)
        assert info.covid_frontline is True and info.years_in_specialty == 9 and info.image
        assert section(app, "supplementary").data == {
            "covid_frontline": "是",
            "work_started_on": "2016-07-15",
            "years_in_specialty": 9,
            "note": "2020年支援武汉方舱医院。",
        }
        form = client.get(section_url(app, "supplementary")).context["form"]
        assert form["covid_frontline"].value() == "1"
        # Not on the front line: no proof needed.
        client.post(section_url(app, "supplementary"), data | {"covid_frontline": "0"})
        info.refresh_from_db()
        assert info.covid_frontline is False

    def test_failed_title_edited_goes_back_to_pending(self, client, app, reviewers):
        client.post(section_url(app, "title"), TITLE | {"image": upload()})
        title = TitleCertificate.objects.get()
        verification.material_verify_batch(
            actor=reviewers["unit_a"],
            model=TitleCertificate,
            material_ids=[title.pk],
            outcome=VerificationStatus.FAILED,
            remark="证书照片不清晰",
        )
        page = client.get(section_url(app, "title")).content.decode()
        assert "核验不通过" in page and "证书照片不清晰" in page
        client.post(
            section_url(app, "title"),
            TITLE | {"image": upload("new.png", image_bytes(colour=(1, 2, 3)))},
        )
        title.refresh_from_db()
        assert title.verification_status == VerificationStatus.PENDING
        assert title.verification_remark == ""
        assert (
            ReviewLog.objects.filter(action=workflow.LOG_MATERIAL_RESET_BY_CANDIDATE).count() == 1
        )


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
