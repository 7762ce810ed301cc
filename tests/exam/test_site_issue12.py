"""Candidate-site faults of issue 12 (items 11-16): texts, required marks, the 10 patient
recommendations, the 学历证书 input's place, the county picker, 审核进度 and the teacher's QR code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exam.models import Attachment, Section
from exam.tcm_lists import PROOF_PATIENTS
from tests.builders import new_application
from tests.exam import tcm_helpers as tcm
from tests.exam import test_site_tcm_experience as tcm_experience
from tests.exam.tcm_helpers import (
    app_a_fixture,  # noqa: F401 (a fixture)
    app_p_fixture,  # noqa: F401 (a fixture)
    media,  # noqa: F401 (a fixture)
    section,
    section_url,
)
from tests.hostile_files import pdf_bytes

pytestmark = pytest.mark.django_db

# --- item 14: texts ------------------------------------------------------------------------


def test_practice_period_reads_until_today_once(client, app_p):
    practice = section(app_p, "practice")
    practice.data = {"started_on": "2012-03-01", "ended_on": ""}
    practice.save()
    html = client.get(section_url(app_p, "recommendation")).content.decode()
    assert "实践经历为2012-03-01至今，" in html
    assert "至至今" not in html


def test_needed_teachers_have_no_trailing_separator(client, app_a):
    app_a.project.apprenticeship_supervisors = 0
    app_a.project.save()
    html = client.get(section_url(app_a, "recommendation")).content.decode()
    assert f"<strong>{app_a.project.apprenticeship_recommenders}名推荐医师</strong>。" in html
    assert "、。" not in html


def test_photo_help_is_said_once_and_the_photo_is_marked_required(client, app_a):
    html = client.get(section_url(app_a, "basic")).content.decode()
    assert html.count("格式") == 1 and "JPG、PNG格式" in html
    start = html.index('id="field-file_photo"')
    label = html[start : html.index("</label>", start)]
    assert 'class="required"' in label


def test_title_level_offers_please_choose(client, health_project, tree):
    application = new_application(health_project, tree["U420102001"])
    client.force_login(application.candidate.user)
    html = client.get(section_url(application, "title")).content.decode()
    assert '<option value="" selected>请选择</option>' in html
    assert "---------" not in html


# --- item 11: 患者推荐证明（10份） ------------------------------------------------------------


def _patients(app_p, client, *, action="save", files=()):
    data = tcm_experience.TestPractice().data(PROOF_PATIENTS, action=action)
    if files:
        data["file_patient_recommendations"] = files[0]
    return client.post(section_url(app_p, "practice"), data)


def _pdf(pages):
    return SimpleUploadedFile("p.pdf", pdf_bytes(pages), content_type="application/pdf")


def test_one_image_is_not_ten_recommendations(client, app_p):
    html = _patients(app_p, client, files=[tcm.png()]).content.decode()
    assert "患者推荐证明（10份）共需10份（PDF按页计），已上传1份，还差9份。" in html
    assert section(app_p, "practice").status != Section.Status.COMPLETE
    assert not Attachment.objects.filter(application=app_p).exists()


def test_pdf_pages_and_images_add_up_to_ten(client, app_p):
    html = _patients(app_p, client, files=[_pdf(9)]).content.decode()
    assert "已上传9份，还差1份。" in html
    assert _patients(app_p, client, action="add", files=[tcm.png()]).status_code == 302
    html = _patients(app_p, client, files=[_pdf(8)]).content.decode()
    assert "还差" in html
    response = _patients(app_p, client, files=[_pdf(9)])
    assert response_ok(response)
    assert (
        section(app_p, "practice").status == Section.Status.COMPLETE
    )  # 1 image + 8 pages was two short
    assert Attachment.objects.filter(application=app_p).count() == 2


def test_ten_page_pdf_is_enough(client, app_p):
    assert response_ok(_patients(app_p, client, files=[_pdf(10)]))
    assert section(app_p, "practice").status == Section.Status.COMPLETE


def response_ok(response) -> bool:
    return response.status_code == 302


# --- item 16: 生成二维码 only after the teacher's proofs ---------------------------------------


def test_qr_code_waits_for_the_teachers_proofs(client, app_a):
    from core.models import AuditLogEntry
    from exam import recommender_services as rs
    from exam.models import Recommender
    from tests.exam.recommendation_helpers import add, upload_all
    from tests.factories import PhysicianFactory

    teacher = add(app_a, PhysicianFactory(), role="recommender")
    url = section_url(app_a, "recommendation")
    page = client.get(url).content.decode()
    assert f'disabled aria-describedby="qr-needs-{teacher.pk}"' in page
    assert "上传全部证明材料后才能生成二维码。" in page
    response = client.post(url, {"action": "invite", "teacher": teacher.pk}, follow=True)
    assert (
        f"请先上传推荐医师{teacher.name}的证明材料（尚缺：工作证明、医师资格证书、执业医师证书、"
        "副高职称证书或工作年限证明），再生成二维码。"
    ) in response.content.decode()
    teacher.refresh_from_db()
    assert teacher.status == Recommender.Status.LOOKED_UP and not teacher.invitation_nonce
    assert not AuditLogEntry.objects.filter(action__startswith="recommender.invited").exists()
    upload_all(teacher)
    response = client.post(url, {"action": "invite", "teacher": teacher.pk})
    assert response["Location"] == reverse("apply:teacher_qr", args=[app_a.pk, teacher.pk])
    assert Recommender.objects.get(pk=teacher.pk).status == Recommender.Status.INVITED
    assert rs.missing_uploads(teacher, {"work_proof"})  # one proof is not four


# --- item 12: 学历证书 belongs to 新增学习经历 ---------------------------------------------------


def test_diploma_input_is_with_the_study_record(client, app_a):
    html = client.get(section_url(app_a, "study")).content.decode()
    certificate_no = html.index('name="rec_certificate_no"')
    diploma = html.index('name="rec_diploma"')
    continuing = html.index('name="ce_institution"')
    assert certificate_no < diploma < continuing


# --- item 15: 审核进度 and the overview after submission ------------------------------------


def test_county_arrival_is_the_submission_not_the_draft(client, tcm_project, tree):
    import datetime

    from django.utils import timezone

    from exam import services as exam_services
    from exam.models import TierReview
    from tests.builders import add_signed_teachers, complete_sections

    application = new_application(tcm_project, tree[tcm.JIANGAN], track="apprenticeship")
    drafted = timezone.now() - datetime.timedelta(days=5)
    TierReview.objects.filter(application=application).update(created_at=drafted)
    complete_sections(application)
    add_signed_teachers(application)
    exam_services.application_submit(actor=application.candidate.user, application=application)
    application.refresh_from_db()
    client.force_login(application.candidate.user)
    response = client.get(reverse("apply:progress", args=[application.pk]))
    county = response.context["steps"][0]
    assert county.institution == tree[tcm.JIANGAN].name
    assert county.arrived_at == application.submitted_at != drafted
    local = timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert f"到达时间：{local}" in response.content.decode()


def test_submitted_overview_offers_view_not_edit(client, tcm_project, tree):
    from tests.builders import submitted

    application = submitted(tcm_project, tree[tcm.JIANGAN], track="apprenticeship")
    client.force_login(application.candidate.user)
    html = client.get(reverse("apply:overview", args=[application.pk])).content.decode()
    detail = reverse("apply:detail", args=[application.pk])
    assert f'href="{detail}#section-basic" title="申报已提交，只能查看">查看</a>' in html
    assert ">编辑</a>" not in html and ">去完善</a>" not in html


def test_county_arrival_after_resubmission_is_the_resubmission(
    client, tcm_project, tree, reviewers
):
    """到达时间 at the entry tier is the latest submission: a returned application that is
    submitted again arrives again (it kept the first submission's time before)."""
    import datetime

    from django.utils import timezone

    from exam import services as exam_services
    from exam.models import Application
    from review import services as review_services
    from tests.builders import submitted

    application = submitted(tcm_project, tree[tcm.JIANGAN], track="apprenticeship")
    first = timezone.now() - datetime.timedelta(days=3)
    Application.objects.filter(pk=application.pk).update(submitted_at=first)
    application.refresh_from_db()
    from tests.builders import review_at

    review_services.tier_review_decide(
        actor=reviewers["county_jiangan"],
        tier_review=review_at(application),
        decision="return",
        remark="请补充跟师材料",
    )
    application.refresh_from_db()
    exam_services.application_resubmit(actor=application.candidate.user, application=application)
    application.refresh_from_db()
    assert application.submitted_at > first
    client.force_login(application.candidate.user)
    response = client.get(reverse("apply:progress", args=[application.pk]))
    assert response.context["steps"][0].arrived_at == application.submitted_at
