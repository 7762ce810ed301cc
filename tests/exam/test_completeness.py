"""Completeness is the domain's (exam.completeness), not the caller's: the service is called
directly with incomplete data and the section stays 去完善, whether the caller asks for 保存
or 暂存; with what the rules need it becomes complete, unless the caller keeps a draft."""

import pytest
from django.core.files.base import ContentFile

from exam import services as exam_services
from exam.models import Application, Attachment, CaseRecord, Section
from exam.tcm_lists import PROOF_PATIENTS
from tests.builders import new_application

pytestmark = pytest.mark.django_db

COMPLETE, INCOMPLETE = Section.Status.COMPLETE, Section.Status.INCOMPLETE


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }


def save(application: Application, code: str, data: dict, **kwargs) -> Section:
    section = application.sections.get(code=code)
    exam_services.section_save(
        actor=application.candidate.user, section=section, data=data, **kwargs
    )
    section.refresh_from_db()
    return section


def attach(application: Application, code: str, kind: str, count: int = 1) -> None:
    for i in range(count):
        attachment = Attachment(
            application=application,
            section_code=code,
            kind=kind,
            label=kind,
            content_type="image/png",
            size=3,
        )
        attachment.file.save(f"{kind}-{i}.png", ContentFile(b"png"), save=False)
        attachment.save()


HEALTH_BASIC = {
    "phone": "13800000000",
    "ethnicity": "汉族",
    "political_status": "群众",
    "work_started_on": "2015-07-01",
}


@pytest.mark.parametrize("draft", [False, True])
def test_health_sections_missing_what_they_need_stay_incomplete(health_project, tree, draft):
    application = new_application(health_project, tree["U420102001"])
    assert save(application, "basic", HEALTH_BASIC | {"phone": ""}, draft=draft).status == (
        INCOMPLETE
    )
    # 学历信息 without a record, a certificate page without its material.
    assert save(application, "education", {"records": 1}, draft=draft).status == INCOMPLETE
    assert save(application, "title", {"title_name": "主治医师"}, draft=draft).status == (
        INCOMPLETE
    )


def test_health_sections_complete_by_the_rules_unless_kept_as_draft(health_project, tree):
    application = new_application(health_project, tree["U420102001"])
    assert save(application, "basic", HEALTH_BASIC, draft=True).status == INCOMPLETE
    assert save(application, "basic", HEALTH_BASIC).status == COMPLETE
    assert save(application, "title", {"not_applicable": True}).status == COMPLETE
    # 补充信息 offers no 没有此证书: saying so does not make it complete.
    assert save(application, "supplementary", {"not_applicable": True}).status == INCOMPLETE


TCM_BASIC = {
    "ethnicity": "汉族",
    "political_status": "群众",
    "health_status": "健康",
    "occupation": "乡村医生",
    "work_unit": "无",
    "home_address": "武汉市江岸区某路1号",
    "mailing_address": "武汉市江岸区某路1号",
    "postal_code": "430010",
    "household_registration": "湖北省武汉市江岸区",
}


@pytest.mark.parametrize("draft", [False, True])
def test_tcm_sections_missing_files_or_records_stay_incomplete(tree, tcm_project, draft):
    application = new_application(tcm_project, tree["420102"], track="practice")
    # Every value typed, but no 证件照.
    assert save(application, "basic", TCM_BASIC, draft=draft).status == INCOMPLETE
    # 患者推荐证明 needs ten pieces: nine are not enough.
    attach(application, "practice", "patient_recommendations", count=9)
    practice = {
        "division": "420102",
        "address": "某路1号",
        "place_name": "某诊所",
        "started_on": "2010-01-01",
        "experience": "……",
        "origin": "……",
        "proof_type": PROOF_PATIENTS,
    }
    assert save(application, "practice", practice, draft=draft).status == INCOMPLETE
    # The overview and its proof, but none of the case records.
    attach(application, "expertise", "expertise_proof")
    texts = dict.fromkeys(("content", "indications", "safety", "effectiveness", "risks"), "…")
    assert save(application, "expertise", texts, draft=draft).status == INCOMPLETE
    # No teachers yet.
    assert save(application, "recommendation", {}, draft=draft).status == INCOMPLETE


def test_tcm_sections_complete_once_their_rows_are_there(tree, tcm_project):
    application = new_application(tcm_project, tree["420102"], track="practice")
    attach(application, "basic", "photo")
    assert save(application, "basic", TCM_BASIC, draft=True).status == INCOMPLETE
    assert save(application, "basic", TCM_BASIC).status == COMPLETE
    attach(application, "expertise", "expertise_proof")
    texts = dict.fromkeys(("content", "indications", "safety", "effectiveness", "risks"), "…")
    case = {
        "patient_name": "张三",
        "patient_gender": "male",
        "patient_age": 40,
        "address": "某路",
        "phone": "13800000000",
        "chief_complaint": "…",
        "history": "…",
        "syndrome_analysis": "…",
        "diagnosis": "…",
        "treatment": "…",
        "analysis": "…",
    }
    needed = application.project.case_record_count
    CaseRecord.objects.bulk_create(
        CaseRecord(application=application, number=n, **case) for n in range(1, needed)
    )
    assert save(application, "expertise", texts).status == INCOMPLETE  # one record short
    CaseRecord.objects.create(application=application, number=needed, **case)
    assert save(application, "expertise", texts).status == COMPLETE
