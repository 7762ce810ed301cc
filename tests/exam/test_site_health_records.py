"""The health exam's record sections on the candidate site: 学历信息, the optional certificates
and 补充信息."""

import datetime

import pytest
from django.urls import reverse

from core.models import AuditLogEntry
from exam import material_writes
from exam.audit_actions import LOG_MATERIAL_RESET_BY_CANDIDATE
from exam.models import (
    EducationRecord,
    NurseLicense,
    Section,
    SupplementaryInfo,
    TitleCertificate,
    VerificationStatus,
)
from review import verification
from tests.builders import new_application
from tests.exam.health_helpers import (
    TITLE,
    add_education,
    app_fixture,  # noqa: F401 (a fixture)
    education_data,
    image_bytes,
    media_fixture,  # noqa: F401 (a fixture)
    messages_of,
    overview_url,
    section,
    section_url,
    unit_fixture,  # noqa: F401 (a fixture)
    upload,
)
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


# --- 学历信息 -------------------------------------------------------------------------------


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
        log = AuditLogEntry.objects.get(action=LOG_MATERIAL_RESET_BY_CANDIDATE)
        assert log.subject == app and log.actor == app.candidate.user
        assert log.from_state == "verified" and log.to_state == "pending"
        assert "湖北中医药大学" in log.remark


# --- the optional certificates and 补充信息 -------------------------------------------------


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
        assert AuditLogEntry.objects.filter(action=LOG_MATERIAL_RESET_BY_CANDIDATE).count() == 1
