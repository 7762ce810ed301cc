"""TCM-expertise candidate pages: the start page (考生类型 + county), the section pages (all but
推荐信息), their attachments, 暂存, case records, and moving the application to another county."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from exam import services as exam_services
from exam.models import Application, Attachment, CaseRecord, Section
from exam.recommendation import teachers_required
from exam.site.sections.tcm import (
    PROOF_CERTIFICATE,
    PROOF_FIVE_YEARS,
    PROOF_PATIENTS,
)
from people.models import Institution
from review import workflow
from review.errors import ServiceError
from review.models import ReviewLog, TierReview
from tests.builders import complete_sections, new_application, submitted
from tests.factories import CandidateFactory
from tests.hostile_files import pdf_bytes

pytestmark = pytest.mark.django_db

JIANGAN, WUCHANG = "420102", "420106"


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


def image_bytes(fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 80)).save(buffer, format=fmt)
    return buffer.getvalue()


PDF = pdf_bytes()


def png(name="a.png"):
    return SimpleUploadedFile(name, image_bytes(), content_type="image/png")


def pdf(name="a.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def patients_pdf():
    """患者推荐证明（10份） scanned into one PDF of ten pages."""
    return SimpleUploadedFile("patients.pdf", pdf_bytes(10), content_type="application/pdf")


def section_url(application, code, query=""):
    return reverse("apply:section", args=[application.pk, code]) + query


def section(application, code) -> Section:
    return application.sections.get(code=code)


def kinds(application, code):
    return sorted(
        Attachment.objects.filter(application=application, section_code=code).values_list(
            "kind", flat=True
        )
    )


@pytest.fixture
def app_a(tree, tcm_project, client):
    """A draft 师承 application at 江岸区, logged in."""
    application = new_application(tcm_project, tree[JIANGAN], track="apprenticeship")
    client.force_login(application.candidate.user)
    return application


@pytest.fixture
def app_p(tree, tcm_project, client):
    """A draft 多年实践 application at 江岸区, logged in."""
    application = new_application(tcm_project, tree[JIANGAN], track="practice")
    client.force_login(application.candidate.user)
    return application


# --- start page ----------------------------------------------------------------------------


class TestStart:
    def url(self, project):
        return reverse("apply:tcm_start") + f"?project={project.pk}"

    def test_get_lists_cities_and_counties_with_their_city(self, client, tree, tcm_project):
        client.force_login(CandidateFactory().user)
        response = client.get(self.url(tcm_project))
        html = response.content.decode()
        assert response.status_code == 200
        assert "以师承方式学习中医" in html and "经多年中医医术实践" in html
        assert "武汉市卫生健康委员会" in html
        jiangan = tree[JIANGAN]
        assert f'<option value="{jiangan.pk}" data-parent="{jiangan.parent_id}">' in html
        assert "chained-select.js" in html

    @pytest.mark.parametrize("track", ["apprenticeship", "practice"])
    def test_each_track_creates_the_application_at_the_county(
        self, client, tree, tcm_project, track
    ):
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        county = tree[WUCHANG]
        response = client.post(
            self.url(tcm_project),
            {"track": track, "city": county.parent_id, "county": county.pk},
        )
        application = Application.objects.get(candidate=candidate)
        assert response.status_code == 302
        assert response["Location"] == reverse("apply:overview", args=[application.pk])
        assert application.track == track
        assert application.entry_institution == county
        codes = set(application.sections.values_list("code", flat=True))
        assert ("apprenticeship" in codes) == (track == "apprenticeship")
        assert ("practice" in codes) == (track == "practice")

    def test_invalid_choices_are_refused_with_messages(self, client, tree, tcm_project):
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        unit = tree["U420102001"]
        wuhan, yichang = tree["420100"], tree["420500"]
        cases = [
            ({}, ["请选择考生类型。", "请选择市州。", "请选择区县。"]),
            ({"track": "x", "city": wuhan.pk, "county": tree[JIANGAN].pk}, ["请选择考生类型。"]),
            ({"track": "practice", "city": wuhan.pk, "county": unit.pk}, ["请选择有效的区县。"]),
            (
                {"track": "practice", "city": yichang.pk, "county": tree[JIANGAN].pk},
                ["所选区县不属于所选市州"],
            ),
        ]
        for data, expected in cases:
            response = client.post(self.url(tcm_project), data)
            assert response.status_code == 200
            for text in expected:
                assert text in response.content.decode()
        assert not Application.objects.filter(candidate=candidate).exists()

    def test_inactive_county_is_not_offered(self, client, tree, tcm_project):
        county = tree[WUCHANG]
        Institution.objects.filter(pk=county.pk).update(is_active=False)
        client.force_login(CandidateFactory().user)
        response = client.post(
            self.url(tcm_project),
            {"track": "practice", "city": county.parent_id, "county": county.pk},
        )
        assert "请选择有效的区县。" in response.content.decode()

    def test_closed_project(self, client, tree, tcm_project):
        tcm_project.registration_closes_at = tcm_project.registration_opens_at + datetime.timedelta(
            days=1
        )
        tcm_project.save()
        candidate = CandidateFactory()
        client.force_login(candidate.user)
        response = client.get(self.url(tcm_project), follow=True)
        assert "不在报名时间内" in response.content.decode()
        response = client.post(
            self.url(tcm_project),
            {"track": "practice", "city": tree["420100"].pk, "county": tree[JIANGAN].pk},
        )
        assert response.status_code == 302
        assert not Application.objects.filter(candidate=candidate).exists()

    def test_applied_twice_goes_to_the_existing_application(self, client, app_a, tcm_project):
        response = client.post(
            self.url(tcm_project),
            {"track": "practice", "city": app_a.city_id, "county": app_a.county_id},
            follow=True,
        )
        assert response.redirect_chain[-1][0] == reverse("apply:overview", args=[app_a.pk])
        assert "每个项目只能申报一次" in response.content.decode()
        assert Application.objects.filter(candidate=app_a.candidate).count() == 1

    def test_unknown_or_health_project_is_404(self, client, health_project, tcm_project):
        client.force_login(CandidateFactory().user)
        assert client.get(self.url(health_project)).status_code == 404
        assert client.get(reverse("apply:tcm_start") + "?project=abc").status_code == 404


# --- 基本信息 -------------------------------------------------------------------------------


BASIC = {
    "ethnicity": "汉族",
    "political_status": "群众",
    "health_status": "健康",
    "occupation": "乡村医生",
    "work_unit": "江岸区某村卫生室",
    "home_address": "湖北省武汉市江岸区解放大道1号",
    "mailing_address": "湖北省武汉市江岸区解放大道1号",
    "postal_code": "430010",
    "household_registration": "湖北省武汉市江岸区",
}


class TestBasic:
    def test_get_shows_identity_read_only(self, client, app_a):
        response = client.get(section_url(app_a, "basic"))
        html = response.content.decode()
        assert response.status_code == 200
        assert app_a.candidate.name in html and "以上信息来自实名认证" in html
        assert 'name="name"' not in html

    def test_save_complete_with_photo(self, client, app_a):
        response = client.post(
            section_url(app_a, "basic"), {**BASIC, "action": "save", "file_photo": png()}
        )
        assert response.status_code == 302
        s = section(app_a, "basic")
        assert s.status == Section.Status.COMPLETE
        assert s.data["name"] == app_a.candidate.name
        assert s.data["gender"] == app_a.candidate.get_gender_display()
        assert s.data["postal_code"] == "430010" and s.data["work_unit"] == "江岸区某村卫生室"
        photo = Attachment.objects.get(application=app_a, section_code="basic")
        assert (photo.kind, photo.label, photo.content_type) == ("photo", "证件照", "image/png")
        # The owner can open it.
        url = reverse("apply:file", args=[app_a.pk, "attachment", photo.pk])
        assert client.get(url).status_code == 200

    def test_no_work_unit_is_stored_as_wu(self, client, app_a):
        data = {**BASIC, "work_unit": "", "no_work_unit": "on", "action": "save"}
        client.post(section_url(app_a, "basic"), {**data, "file_photo": png()})
        assert section(app_a, "basic").data["work_unit"] == "无"

    def test_invalid_changes_nothing(self, client, app_a):
        data = {**BASIC, "postal_code": "43001", "work_unit": "", "action": "save"}
        response = client.post(section_url(app_a, "basic"), {**data, "file_photo": pdf()})
        html = response.content.decode()
        assert response.status_code == 200
        assert "邮编应为6位数字。" in html
        assert "请填写工作单位；没有工作单位请勾选“无”。" in html
        assert "不接受PDF文件，只接受JPG、PNG格式。" in html  # 证件照 is an image
        assert section(app_a, "basic").data == {}
        assert not Attachment.objects.filter(application=app_a).exists()

    def test_draft_keeps_what_was_typed_and_drops_malformed(self, client, app_a):
        response = client.post(
            section_url(app_a, "basic"),
            {"occupation": "农民", "postal_code": "12", "action": "draft"},
            follow=True,
        )
        s = section(app_a, "basic")
        assert s.status == Section.Status.INCOMPLETE
        assert s.data["occupation"] == "农民"
        assert s.data["postal_code"] == ""
        assert "以下内容有误，未暂存（保留原内容），请改正：邮编" in response.content.decode()


# --- 跟师经历 -------------------------------------------------------------------------------


def place(county=JIANGAN, city="420100", **extra):
    return {
        "division_province": "420000",
        "division_city": city,
        "division": county,
        "address": "解放大道100号",
        "place_name": "江岸区某中医诊所",
        "started_on": "2015-03-01",
        "ended_on": "2020-02-28",
        "experience": "随师学习针灸。",
        **extra,
    }


class TestApprenticeship:
    def test_with_certificate_needs_certificate_and_two_year_proof(self, client, app_a):
        url = section_url(app_a, "apprenticeship")
        response = client.post(url, {**place(), "has_certificate": "yes", "action": "save"})
        html = response.content.decode()
        for label in (
            "《传统医学师承出师证书》",
            "继续跟师学习中医满两年的证明材料",
            "跟师学习笔记",
            "跟师学习合同",
            "跟师合同公证书",
        ):
            assert f"请上传{label}。" in html
        assert "请上传连续跟师学习中医满五年的证明材料。" not in html
        files = {
            "file_master_certificate": png(),
            "file_two_year_proof": pdf(),
            "file_study_notes": pdf(),
            "file_contract": pdf(),
            "file_notarization": png(),
        }
        response = client.post(
            url, {**place(), "has_certificate": "yes", "action": "save", **files}
        )
        assert response.status_code == 302
        s = section(app_a, "apprenticeship")
        assert s.status == Section.Status.COMPLETE
        assert s.data["has_certificate"] is True
        assert s.data["division"] == JIANGAN
        assert s.data["division_name"] == "湖北省武汉市江岸区"
        assert kinds(app_a, "apprenticeship") == sorted(
            ["master_certificate", "two_year_proof", "study_notes", "contract", "notarization"]
        )

    def test_without_certificate_needs_five_year_proof_and_prunes_the_others(self, client, app_a):
        url = section_url(app_a, "apprenticeship")
        client.post(
            url,
            {
                **place(),
                "has_certificate": "yes",
                "action": "draft",
                "file_master_certificate": png(),
            },
        )
        assert kinds(app_a, "apprenticeship") == ["master_certificate"]
        response = client.post(url, {**place(), "has_certificate": "no", "action": "save"})
        html = response.content.decode()
        assert "请上传连续跟师学习中医满五年的证明材料。" in html
        assert "请上传《传统医学师承出师证书》。" not in html
        files = {
            "file_five_year_proof": pdf(),
            "file_study_notes": pdf(),
            "file_contract": pdf(),
            "file_notarization": png(),
        }
        response = client.post(url, {**place(), "has_certificate": "no", "action": "save", **files})
        assert response.status_code == 302
        assert section(app_a, "apprenticeship").data["has_certificate"] is False
        # The certificate no longer belongs to this application.
        assert kinds(app_a, "apprenticeship") == sorted(
            ["five_year_proof", "study_notes", "contract", "notarization"]
        )

    def test_multiple_files_of_a_kind_add_one_at_a_time_and_delete(self, client, app_a):
        url = section_url(app_a, "apprenticeship")
        for _ in range(3):
            response = client.post(url, {**place(), "action": "add", "file_study_notes": pdf()})
            assert response["Location"] == url
        notes = list(Attachment.objects.filter(application=app_a, kind="study_notes"))
        assert len(notes) == 3
        assert "已上传3份" in client.get(url).content.decode()
        response = client.post(url, {**place(), "remove": notes[0].pk})
        assert response["Location"] == url
        assert Attachment.objects.filter(application=app_a, kind="study_notes").count() == 2

    def test_dates_and_required_fields(self, client, app_a):
        url = section_url(app_a, "apprenticeship")
        data = {**place(ended_on="2014-01-01"), "action": "save"}
        html = client.post(url, data).content.decode()
        assert "结束时间不能早于开始时间。" in html
        assert "请选择是否具有《传统医学师承出师证书》。" in html
        html = client.post(url, {"action": "save"}).content.decode()
        assert "请选择区县。" in html and "请填写跟师学习开始时间。" in html
        assert section(app_a, "apprenticeship").data == {}

    def test_picker_renders_chained_divisions(self, client, app_a):
        html = client.get(section_url(app_a, "apprenticeship")).content.decode()
        assert '<option value="420102" selected data-parent="420100">江岸区</option>' in html
        assert '<option value="420100" selected data-parent="420000">武汉市</option>' in html
        assert '<option value="420502" data-parent="420500">西陵区</option>' in html
        assert 'data-chain-parent="id_division_city"' in html

    def test_changing_county_moves_the_application(self, client, app_a, tree):
        url = section_url(app_a, "apprenticeship")
        client.post(url, {**place(county=WUCHANG), "action": "draft"})
        app_a.refresh_from_db()
        wuchang = tree[WUCHANG]
        assert app_a.entry_institution == wuchang
        assert app_a.county == wuchang and app_a.current_institution == wuchang
        assert TierReview.objects.get(application=app_a).institution == wuchang
        assert section(app_a, "apprenticeship").data["division_name"] == "湖北省武汉市武昌区"
        assert ReviewLog.objects.filter(
            application=app_a, action=workflow.LOG_APPLICATION_ENTRY_CHANGED
        ).exists()

    def test_county_without_bureau_is_an_error_next_to_the_field(self, client, app_a):
        url = section_url(app_a, "apprenticeship")
        # 荆州市沙市区: a division whose health bureau is inactive (the demo tree has one
        # for every county of Hubei).
        Institution.objects.filter(tier="county", division_id="421002").update(is_active=False)
        response = client.post(url, {**place(county="421002", city="421000"), "action": "save"})
        assert "该区县暂无可办理现场确认的卫生健康局" in response.content.decode()
        app_a.refresh_from_db()
        assert app_a.entry_institution.code == JIANGAN

    def test_county_must_belong_to_the_city(self, client, app_a):
        url = section_url(app_a, "apprenticeship")
        response = client.post(url, {**place(county=WUCHANG, city="420500"), "action": "save"})
        assert "所选区县不属于所选市州" in response.content.decode()


# --- 实践经历 -------------------------------------------------------------------------------


class TestPractice:
    def data(self, proof, **extra):
        return {
            **place(ended_on=""),
            "origin": "家传。",
            "proof_type": proof,
            "action": "save",
            **extra,
        }

    def test_five_years_proof_needs_file_and_issuer(self, client, app_p):
        url = section_url(app_p, "practice")
        html = client.post(url, self.data(PROOF_FIVE_YEARS)).content.decode()
        assert "请填写证明单位名称。" in html
        assert f"请上传{PROOF_FIVE_YEARS}。" in html
        response = client.post(
            url,
            self.data(
                PROOF_FIVE_YEARS, proof_issuer="某街道社区卫生服务中心", file_practice_proof=pdf()
            ),
        )
        assert response.status_code == 302
        s = section(app_p, "practice")
        assert s.status == Section.Status.COMPLETE
        assert s.data["proof_issuer"] == "某街道社区卫生服务中心"
        assert s.data["ended_on"] == ""
        assert kinds(app_p, "practice") == ["practice_proof"]
        label = Attachment.objects.get(application=app_p).label
        assert label == PROOF_FIVE_YEARS

    def test_patients_proof(self, client, app_p):
        url = section_url(app_p, "practice")
        html = client.post(url, self.data(PROOF_PATIENTS)).content.decode()
        assert "请上传患者推荐证明（10份）。" in html
        assert "共需10份患者推荐证明" in html
        response = client.post(
            url, self.data(PROOF_PATIENTS, file_patient_recommendations=patients_pdf())
        )
        assert response.status_code == 302
        assert section(app_p, "practice").data["proof_issuer"] == ""

    def test_certificate_proof_accepts_either_certificate(self, client, app_p):
        url = section_url(app_p, "practice")
        html = client.post(url, self.data(PROOF_CERTIFICATE)).content.decode()
        assert "请上传《传统医学医术确有专长证书》或《乡村医生执业证书》。" in html
        response = client.post(url, self.data(PROOF_CERTIFICATE, file_rural_doctor_license=png()))
        assert response.status_code == 302
        assert kinds(app_p, "practice") == ["rural_doctor_license"]

    def test_switching_proof_type_prunes_old_files(self, client, app_p):
        url = section_url(app_p, "practice")
        client.post(url, self.data(PROOF_PATIENTS, file_patient_recommendations=patients_pdf()))
        client.post(url, self.data(PROOF_CERTIFICATE, file_expertise_certificate=png()))
        assert kinds(app_p, "practice") == ["expertise_certificate"]

    def test_practice_after_2017_needs_a_supervisor(self, client, app_p):
        url = section_url(app_p, "practice")
        response = client.post(
            url, self.data(PROOF_PATIENTS, file_patient_recommendations=patients_pdf()), follow=True
        )
        assert "需要在“推荐信息”中额外添加一名指导老师" in response.content.decode()
        assert teachers_required(app_p)["supervisor"] == 1
        assert "额外添加一名指导老师" in client.get(url).content.decode()

    def test_practice_ended_before_2017_needs_none(self, client, app_p):
        url = section_url(app_p, "practice")
        data = self.data(
            PROOF_PATIENTS,
            started_on="2008-01-01",
            ended_on="2016-12-31",
            file_patient_recommendations=patients_pdf(),
        )
        response = client.post(url, data, follow=True)
        assert "额外添加一名指导老师" not in response.content.decode()
        assert teachers_required(app_p)["supervisor"] == 0


# --- 中医药技术方法 ---------------------------------------------------------------------------


class TestTechnique:
    def test_valid_external_technique(self, client, app_a):
        url = section_url(app_a, "technique")
        html = client.get(url).content.decode()
        assert '<datalist id="disease-categories">' in html and 'value="胃脘痛"' in html
        data = {
            "disease_category": "项痹",
            "method": "外治技术",
            "technique": "针刺",
            "external_medicine": "无外用药",
            "patients_served": "800",
            "action": "save",
        }
        assert client.post(url, data).status_code == 302
        s = section(app_a, "technique")
        assert s.status == Section.Status.COMPLETE
        assert s.data == {
            "disease_category": "项痹",
            "method": "外治技术",
            "technique": "针刺",
            "external_medicine": "无外用药",
            "patients_served": 800,
        }

    def test_internal_drops_external_medicine(self, client, app_a):
        data = {
            "disease_category": "胃脘痛",
            "method": "内服方药",
            "technique": "中药内服（辨证组方）",
            "external_medicine": "使用外用药",
            "patients_served": "0",
            "action": "save",
        }
        client.post(section_url(app_a, "technique"), data)
        assert "external_medicine" not in section(app_a, "technique").data

    def test_invalid(self, client, app_a):
        data = {
            "disease_category": "不存在的病",
            "method": "外治技术",
            "technique": "飞针",
            "patients_served": "-1",
            "action": "save",
        }
        html = client.post(section_url(app_a, "technique"), data).content.decode()
        assert "请从列表中选择病症分类。" in html
        assert "选择外治技术时，请选择有无外用药。" in html
        assert "请选择有效的医疗技术。" in html
        assert "近五年服务人数不能为负数。" in html
        assert section(app_a, "technique").data == {}

    def test_draft(self, client, app_a):
        client.post(
            section_url(app_a, "technique"), {"disease_category": "咳嗽", "action": "draft"}
        )
        s = section(app_a, "technique")
        assert s.status == Section.Status.INCOMPLETE
        assert s.data["disease_category"] == "咳嗽"


# --- 学习经历 -------------------------------------------------------------------------------


RECORD = {
    "rec_school": "湖北中医药高等专科学校",
    "rec_education": "大专",
    "rec_major": "中医学",
    "rec_started_on": "2005-09-01",
    "rec_ended_on": "2008-07-01",
    "rec_certificate_no": "2008123456789",
}


class TestStudy:
    def test_records_with_diplomas_add_and_delete(self, client, app_a):
        url = section_url(app_a, "study")
        html = client.post(url, {"has_study": "yes", "action": "save"}).content.decode()
        assert "请添加至少一条学习经历（含学历证书）。" in html
        response = client.post(
            url, {"has_study": "yes", **RECORD, "rec_diploma": png(), "action": "add"}
        )
        assert response["Location"] == url
        second = {**RECORD, "rec_school": "荆州市卫生学校", "rec_education": "中专"}
        client.post(url, {"has_study": "yes", **second, "rec_diploma": pdf(), "action": "add"})
        ce = {
            "ce_institution": "湖北省中医药学会",
            "ce_started_on": "2020-03-01",
            "ce_content": "中医适宜技术推广培训",
        }
        response = client.post(url, {"has_study": "yes", **ce, "action": "save"})
        assert response.status_code == 302
        s = section(app_a, "study")
        assert s.status == Section.Status.COMPLETE
        assert [r["school"] for r in s.data["records"]] == [
            "湖北中医药高等专科学校",
            "荆州市卫生学校",
        ]
        assert s.data["records"][0] == {k[4:]: v for k, v in RECORD.items()}
        assert s.data["continuing_education"] == [
            {
                "institution": "湖北省中医药学会",
                "started_on": "2020-03-01",
                "ended_on": "",
                "content": "中医适宜技术推广培训",
            }
        ]
        labels = list(
            Attachment.objects.filter(application=app_a, kind="diploma")
            .order_by("id")
            .values_list("label", flat=True)
        )
        assert labels == ["学历证书（湖北中医药高等专科学校）", "学历证书（荆州市卫生学校）"]
        client.post(url, {"has_study": "yes", "remove_record": "0"})
        s.refresh_from_db()
        assert [r["school"] for r in s.data["records"]] == ["荆州市卫生学校"]
        assert Attachment.objects.filter(application=app_a, kind="diploma").count() == 1
        client.post(url, {"has_study": "yes", "remove_ce": "0"})
        s.refresh_from_db()
        assert s.data["continuing_education"] == []

    def test_partial_record_needs_all_fields_and_diploma(self, client, app_a):
        url = section_url(app_a, "study")
        html = client.post(
            url, {"has_study": "yes", "rec_school": "某校", "action": "save"}
        ).content.decode()
        assert "请填写学历证书编号。" in html and "请上传学历证书。" in html
        assert section(app_a, "study").data == {}

    def test_no_study(self, client, app_a):
        url = section_url(app_a, "study")
        html = client.post(url, {"has_study": "no", "action": "save"}).content.decode()
        assert "无学习经历的，请填写说明。" in html
        response = client.post(
            url, {"has_study": "no", "no_study_note": "自幼随长辈学习。", "action": "save"}
        )
        assert response.status_code == 302
        s = section(app_a, "study")
        assert s.status == Section.Status.COMPLETE
        assert s.data["has_study"] is False and s.data["records"] == []


# --- 医术专长及医案 ---------------------------------------------------------------------------


EXPERTISE = {
    "content": "针刺治疗项痹。",
    "indications": "项痹。",
    "safety": "安全。",
    "effectiveness": "有效。",
    "risks": "晕针。",
}

CASE = {
    "patient_name": "张三",
    "patient_gender": "male",
    "patient_age": "45",
    "address": "武汉市江岸区",
    "phone": "138****1234",
    "chief_complaint": "颈痛。",
    "history": "一年。",
    "syndrome_analysis": "气滞血瘀。",
    "diagnosis": "项痹。",
    "treatment": "针刺。",
    "analysis": "疗效好。",
}


class TestExpertise:
    def test_complete_only_with_overview_proof_and_all_case_records(
        self, client, app_a, tcm_project
    ):
        tcm_project.case_record_count = 2
        tcm_project.save()
        url = section_url(app_a, "expertise")
        html = client.get(url).content.decode()
        assert "所有考生均需填写2份病案" in html and "?record=2" in html
        html = client.post(url, {**EXPERTISE, "action": "save"}).content.decode()
        assert "请上传医术专长相关证明材料。" in html
        response = client.post(url, {**EXPERTISE, "action": "save", "file_expertise_proof": pdf()})
        assert response.status_code == 302
        s = section(app_a, "expertise")
        assert s.status == Section.Status.INCOMPLETE  # the case records are missing
        assert s.data == EXPERTISE

        response = client.post(url + "?record=1", {**CASE, "action": "save"})
        assert response["Location"] == url + "?record=2"
        s.refresh_from_db()
        assert s.status == Section.Status.INCOMPLETE
        client.post(url + "?record=2", {**CASE, "patient_name": "李四", "action": "save"})
        s.refresh_from_db()
        assert s.status == Section.Status.COMPLETE
        assert list(app_a.case_records.values_list("number", "patient_name")) == [
            (1, "张三"),
            (2, "李四"),
        ]

    def test_case_record_invalid_and_draft(self, client, app_a):
        url = section_url(app_a, "expertise") + "?record=1"
        html = client.post(url, {**CASE, "patient_age": "", "action": "save"}).content.decode()
        assert "请填写年龄。" in html
        assert not CaseRecord.objects.filter(application=app_a).exists()
        client.post(url, {"patient_name": "王五", "patient_age": "abc", "action": "draft"})
        record = CaseRecord.objects.get(application=app_a, number=1)
        assert record.patient_name == "王五" and record.patient_age is None
        assert section(app_a, "expertise").status == Section.Status.INCOMPLETE

    def test_record_number_out_of_range(self, client, app_a):
        response = client.get(section_url(app_a, "expertise") + "?record=9", follow=True)
        assert "病案序号应为1至5。" in response.content.decode()


# --- 资历证明 -------------------------------------------------------------------------------


class TestCredentials:
    def test_optional_empty_save_is_complete(self, client, app_a):
        assert client.post(section_url(app_a, "credentials"), {"action": "save"}).status_code == 302
        assert section(app_a, "credentials").status == Section.Status.COMPLETE

    def test_file_makes_date_and_issuer_required(self, client, app_a):
        url = section_url(app_a, "credentials")
        html = client.post(
            url, {"action": "save", "file_title_certificate": png()}
        ).content.decode()
        assert "已上传卫生类职称证，请填写发证时间。" in html
        assert "已上传卫生类职称证，请填写发证机构。" in html
        assert "其他证明材料，请填写" not in html
        response = client.post(
            url,
            {
                "title_certificate": "中药士",
                "title_issued_on": "2015-06-01",
                "title_issuer": "湖北省卫生健康委员会",
                "action": "save",
                "file_title_certificate": png(),
            },
        )
        assert response.status_code == 302
        s = section(app_a, "credentials")
        assert s.status == Section.Status.COMPLETE
        assert s.data["title_issuer"] == "湖北省卫生健康委员会"
        assert kinds(app_a, "credentials") == ["title_certificate"]

    def test_date_without_file_asks_for_the_file(self, client, app_a):
        html = client.post(
            section_url(app_a, "credentials"), {"other_issued_on": "2020-01-01", "action": "save"}
        ).content.decode()
        assert "请上传其他证明材料，或清空其名称、发证时间和发证机构。" in html


# --- county change service ----------------------------------------------------------------


class TestChangeEntryCounty:
    def test_draft_is_moved_with_a_log_row(self, app_a, tree):
        wuchang = tree[WUCHANG]
        exam_services.application_change_entry_county(
            actor=app_a.candidate.user, application=app_a, county=wuchang
        )
        app_a.refresh_from_db()
        assert (app_a.entry_institution, app_a.county, app_a.current_institution) == (
            wuchang,
            wuchang,
            wuchang,
        )
        assert app_a.city == tree["420100"]
        log = ReviewLog.objects.get(
            application=app_a, action=workflow.LOG_APPLICATION_ENTRY_CHANGED
        )
        assert log.institution == wuchang and "江岸区" in log.remark
        assert workflow.LOG_LABELS[workflow.LOG_APPLICATION_ENTRY_CHANGED] == "变更初审机构"

    def test_other_city_county(self, app_a, tree):
        xiling = tree["420502"]
        exam_services.application_change_entry_county(
            actor=app_a.candidate.user, application=app_a, county=xiling
        )
        app_a.refresh_from_db()
        assert app_a.city == tree["420500"]

    def test_submitted_is_refused(self, tree, tcm_project):
        application = submitted(tcm_project, tree[JIANGAN], track="practice")
        with pytest.raises(ServiceError, match="申报已提交，不能变更现场确认和初审机构"):
            exam_services.application_change_entry_county(
                actor=application.candidate.user, application=application, county=tree[WUCHANG]
            )
        application.refresh_from_db()
        assert application.entry_institution == tree[JIANGAN]

    def test_others_and_non_counties_are_refused(self, app_a, tree):
        with pytest.raises(ServiceError, match="只能操作本人的申报"):
            exam_services.application_change_entry_county(
                actor=CandidateFactory().user, application=app_a, county=tree[WUCHANG]
            )
        with pytest.raises(ServiceError, match="请选择一个启用中的区县卫生健康局"):
            exam_services.application_change_entry_county(
                actor=app_a.candidate.user, application=app_a, county=tree["U420102001"]
            )

    def test_page_refuses_county_change_after_return(self, client, tree, tcm_project, reviewers):
        from tests.builders import decide

        application = submitted(tcm_project, tree[JIANGAN], track="apprenticeship")
        decide(application, "return")
        client.force_login(application.candidate.user)
        url = section_url(application, "apprenticeship")
        response = client.post(url, {**place(county=WUCHANG), "action": "save"})
        assert response.status_code == 200
        assert "申报已提交，不能变更区县（现场确认和初审机构为江岸区卫生健康局）" in (
            response.content.decode()
        )
        # A 暂存 keeps the rest and drops the county, with a warning.
        response = client.post(url, {**place(county=WUCHANG), "action": "draft"}, follow=True)
        assert "以下内容有误，未暂存（保留原内容），请改正：医术实践地点所在区县" not in (
            response.content.decode()
        )
        assert "跟师学习地点所在区县" in response.content.decode()
        assert section(application, "apprenticeship").data["address"] == "解放大道100号"
        application.refresh_from_db()
        assert application.entry_institution == tree[JIANGAN]


# --- permissions, locks, demo data --------------------------------------------------------


class TestAccess:
    def test_another_candidate_gets_404(self, client, app_a):
        client.force_login(CandidateFactory().user)
        for code in ("basic", "apprenticeship", "technique", "study", "expertise", "credentials"):
            assert client.get(section_url(app_a, code)).status_code == 404
            assert client.post(section_url(app_a, code), {"action": "draft"}).status_code == 404
        assert section(app_a, "basic").data == {}

    def test_locked_section_is_read_only(self, client, app_a):
        s = section(app_a, "technique")
        s.mark_complete()
        s.lock()
        s.save()
        response = client.post(
            section_url(app_a, "technique"), {"disease_category": "咳嗽", "action": "draft"}
        )
        assert response["Location"] == reverse("apply:detail", args=[app_a.pk])
        s.refresh_from_db()
        assert s.status == Section.Status.LOCKED and s.data == {}

    def test_submitted_application_pages_redirect_to_detail(self, client, tree, tcm_project):
        application = submitted(tcm_project, tree[JIANGAN], track="practice")
        client.force_login(application.candidate.user)
        response = client.get(section_url(application, "practice"))
        assert response["Location"] == reverse("apply:detail", args=[application.pk])
        assert client.get(reverse("apply:detail", args=[application.pk])).status_code == 200

    def test_pages_render_with_filler_data(self, client, tree, tcm_project):
        """Sections saved by other writers (builders, partial drafts) still render."""
        application = new_application(tcm_project, tree[JIANGAN], track="practice")
        complete_sections(application)
        client.force_login(application.candidate.user)
        for code in ("basic", "practice", "technique", "study", "expertise", "credentials"):
            response = client.get(section_url(application, code))
            assert response.status_code == 200, code
            response = client.get(section_url(application, "expertise") + "?record=1")
            assert response.status_code == 200
