"""本单位确认码 (seed 003 §2.6): the admin page, its QR code and 重新生成."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.errors import ServiceError
from core.models import AuditLogEntry
from exam import services as exam_services
from exam.models import Level
from exam.urls_public import BIND_PATH
from people.audit_actions import LOG_INSTITUTION_CODE_REGENERATED
from people.models import Institution
from people.services import reviewer_add
from review.admin.confirmation_code import NO_INSTITUTION_MESSAGE, qr_code_data_uri
from tests.builders import superuser, work_in
from tests.factories import CandidateFactory
from tests.tree import JIANGAN

UNIT_A, UNIT_B = "U420102001", "U420102002"
PAGE = "/admin/confirmation-code/"
REGENERATE = "/admin/confirmation-code/regenerate/"


def client_for(user, **kwargs) -> Client:
    client = Client(HTTP_HOST="127.0.0.1", **kwargs)
    client.force_login(user)
    return client


def bind_url(code: str) -> str:
    return f"http://127.0.0.1{BIND_PATH}?code={code}"


def code_of(tree, code: str) -> str:
    return Institution.objects.get(pk=tree[code].pk).confirmation_code


def regenerate_logs(institution: Institution):
    return AuditLogEntry.objects.filter(
        action=LOG_INSTITUTION_CODE_REGENERATED, data__institution=institution.pk
    )


@pytest.fixture
def plain_reviewer(tree):
    """A reviewer of unit_a with the group's default permissions only (no 管理)."""
    return reviewer_add(institution=tree[UNIT_A], username="unit_a_plain", password="x-12345678")


def test_unit_sees_its_code_project_and_qr_code(tree, reviewers, health_project, tcm_project):
    code = code_of(tree, UNIT_A)
    response = client_for(reviewers["unit_a"]).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert code in html
    assert tree[UNIT_A].name in html
    assert "unit_a" in html  # 当前用户
    # 当前项目 / 项目类型: a unit receives the health exam's candidates, not the TCM ones.
    assert health_project.name in html
    assert "卫生专业技术资格考试" in html
    assert tcm_project.name not in html
    # The QR code is an image of the binding link with the code filled in.
    assert bind_url(code) in html
    assert f'src="{qr_code_data_uri(bind_url(code))}"' in html
    assert 'data-testid="qr-code"' in html
    # unit_a holds 管理 on its unit: the 重新生成 button is there.
    assert REGENERATE in html


def test_qr_code_is_an_svg_image():
    import base64

    uri = qr_code_data_uri("http://127.0.0.1/apply/bind/?code=ABCDEFGH")
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    svg = base64.b64decode(uri.removeprefix(prefix)).decode()
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    assert "<path" in svg


def test_each_unit_sees_only_its_own_code(tree, reviewers, health_project):
    code_a, code_b = code_of(tree, UNIT_A), code_of(tree, UNIT_B)
    html = client_for(reviewers["unit_b"]).get(PAGE).content.decode()
    assert code_b in html
    assert tree[UNIT_B].name in html
    assert code_a not in html
    assert tree[UNIT_A].name not in html


def test_county_page_shows_the_tcm_project(tree, reviewers, health_project, tcm_project):
    county = work_in(reviewers["county_jiangan"], tcm_project)
    html = client_for(county).get(PAGE).content.decode()
    assert code_of(tree, JIANGAN) in html
    assert tcm_project.name in html
    # Health-exam candidates bind to units, never to a county's code.
    assert health_project.name not in html


def test_regenerate_asks_for_confirmation_then_changes_the_code_and_logs(tree, reviewers):
    unit_a = tree[UNIT_A]
    old = code_of(tree, UNIT_A)
    client = client_for(reviewers["unit_a"])

    confirm = client.get(REGENERATE)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "确认重新生成" in html
    assert 'method="post"' in html
    assert "csrfmiddlewaretoken" in html
    assert code_of(tree, UNIT_A) == old  # GET changes nothing

    response = client.post(REGENERATE, follow=True)
    new = code_of(tree, UNIT_A)
    assert new != old
    assert response.redirect_chain[-1][0] == PAGE
    html = response.content.decode()
    assert f"新确认码为 {new}" in html
    assert new in html and bind_url(new) in html
    assert old not in html
    log = regenerate_logs(unit_a).get()
    assert log.actor == reviewers["unit_a"]
    assert (log.from_state, log.to_state) == (old, new)


def test_regenerate_needs_csrf(tree, reviewers):
    old = code_of(tree, UNIT_A)
    client = client_for(reviewers["unit_a"], enforce_csrf_checks=True)
    assert client.post(REGENERATE).status_code == 403
    assert code_of(tree, UNIT_A) == old


def test_old_code_no_longer_binds(tree, reviewers, health_project):
    old = code_of(tree, UNIT_A)
    client_for(reviewers["unit_a"]).post(REGENERATE)
    new = code_of(tree, UNIT_A)
    candidate = CandidateFactory()
    level = Level.objects.get(code="3")
    choice = {"level": level, "specialty": level.specialties.first()}
    with pytest.raises(ServiceError) as refused:
        exam_services.application_bind_by_code(
            actor=candidate.user,
            candidate=candidate,
            project=health_project,
            confirmation_code=old,
            **choice,
        )
    assert "确认码无效" in refused.value.message
    application = exam_services.application_bind_by_code(
        actor=candidate.user,
        candidate=candidate,
        project=health_project,
        confirmation_code=new,
        **choice,
    )
    assert application.entry_institution == tree[UNIT_A]


def test_without_manage_no_button_and_post_is_refused(tree, reviewers, plain_reviewer):
    old = code_of(tree, UNIT_A)
    client = client_for(plain_reviewer)

    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert old in html  # every reviewer of the unit sees the code
    assert REGENERATE not in html
    assert "重新生成" not in html

    response = client.post(REGENERATE, follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    assert "管理权限" in response.content.decode()
    assert code_of(tree, UNIT_A) == old
    assert not regenerate_logs(tree[UNIT_A]).exists()

    confirm = client.get(REGENERATE, follow=True)
    assert confirm.redirect_chain[-1][0] == PAGE
    assert "管理权限" in confirm.content.decode()


def test_superuser_without_institution_gets_a_message(tree):
    client = client_for(superuser())
    html = client.get(PAGE).content.decode()
    assert NO_INSTITUTION_MESSAGE in html
    assert 'data-testid="qr-code"' not in html
    response = client.post(REGENERATE, follow=True)
    assert NO_INSTITUTION_MESSAGE in response.content.decode()


def test_staff_without_institution_is_refused(tree):
    user = get_user_model().objects.create_user(
        username="stray_staff", password="x-12345678", is_staff=True
    )
    assert client_for(user).get(PAGE).status_code == 403
    assert client_for(user).post(REGENERATE).status_code == 403


def test_sidebar_link_for_reviewers(tree, reviewers):
    html = client_for(reviewers["unit_b"]).get("/admin/").content.decode()
    assert PAGE in html
