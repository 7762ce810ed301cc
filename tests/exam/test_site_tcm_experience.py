"""TCM-expertise section pages for the candidate's experience: 跟师经历, 实践经历 and
中医药技术方法, with their attachments and 暂存."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditLogEntry
from exam.audit_actions import LOG_APPLICATION_ENTRY_CHANGED
from exam.models import Attachment, Section, TierReview
from exam.recommendation import teachers_required
from exam.tcm_lists import (
    PROOF_CERTIFICATE,
    PROOF_FIVE_YEARS,
    PROOF_PATIENTS,
)
from people.models import Institution
from tests.exam.tcm_helpers import (
    JIANGAN,
    WUCHANG,
    app_a_fixture,  # noqa: F401 (a fixture)
    app_p_fixture,  # noqa: F401 (a fixture)
    kinds,
    media,  # noqa: F401 (a fixture)
    pdf,
    place,
    png,
    section,
    section_url,
)
from tests.hostile_files import pdf_bytes

pytestmark = pytest.mark.django_db


def patients_pdf():
    """患者推荐证明（10份） scanned into one PDF of ten pages."""
    return SimpleUploadedFile("patients.pdf", pdf_bytes(10), content_type="application/pdf")


# --- 跟师经历 -------------------------------------------------------------------------------


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
        assert (
            AuditLogEntry.objects.about(app_a).filter(action=LOG_APPLICATION_ENTRY_CHANGED).exists()
        )

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
