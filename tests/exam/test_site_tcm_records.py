"""TCM-expertise section pages for the candidate's records: 学习经历, 医术专长及医案 (case
records) and 资历证明, with their attachments and 暂存."""

import pytest

from exam.models import Attachment, CaseRecord, Section
from tests.exam.tcm_helpers import (
    app_a_fixture,  # noqa: F401 (a fixture)
    kinds,
    media,  # noqa: F401 (a fixture)
    pdf,
    png,
    section,
    section_url,
)

pytestmark = pytest.mark.django_db


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
