"""Candidate-site faults of issue 12 (items 11-16): texts, required marks, the 10 patient
recommendations, the 学历证书 input's place, the county picker, 审核进度 and the teacher's QR code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from exam.models import Attachment, Section
from tests.builders import new_application
from tests.exam import test_site_tcm as tcm
from tests.exam.test_site_tcm import section, section_url
from tests.hostile_files import pdf_bytes

pytestmark = pytest.mark.django_db

# The TCM page tests' fixtures: private media storage (autouse), drafts at 江岸区, logged in.
media, app_a, app_p = tcm.media, tcm.app_a, tcm.app_p


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
    data = tcm.TestPractice().data(tcm.PROOF_PATIENTS, action=action)
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
