"""Error pages with DEBUG off (the test settings): Chinese, in the site's look on the candidate
site and in the admin's under /admin/; 500 renders without context processors or database."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import CandidateFactory

SITE_HEADER = "湖北卫生人才网 · 考试报名与审核"
ADMIN_LOOK = "unfold/css/styles.css"
ENGLISH = ("Not Found", "Forbidden", "Server Error", "CSRF verification failed", "Bad Request")


def page(response) -> str:
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html or 'lang="zh-hans"' in html
    for text in ENGLISH:
        assert text not in html
    return html


@pytest.mark.django_db
def test_site_404_is_chinese_in_the_site_look(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "页面不存在（404）" in html
    assert SITE_HEADER in html
    assert "site/site.css" in html
    assert ADMIN_LOOK not in html


@pytest.mark.django_db
def test_site_404_from_a_view_is_the_same_page(client, reference_data):
    # apply:overview of an application that does not exist raises Http404 inside the view.
    client.force_login(CandidateFactory().user)
    response = client.get("/apply/999999/")
    assert response.status_code == 404
    assert "页面不存在（404）" in page(response)


@pytest.mark.django_db
def test_admin_404_is_chinese_in_the_admin_look(client, reviewers):
    client.force_login(reviewers["unit_a"])
    response = client.get("/admin/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "页面不存在" in html and "404" in html
    assert ADMIN_LOOK in html
    assert "返回工作台" in html
    assert f'href="{reverse("admin:index")}"' in html


@pytest.mark.django_db
def test_admin_403_is_chinese_in_the_admin_look(client, reviewers):
    # A unit reviewer has no permission on user accounts: Django's admin raises PermissionDenied.
    client.force_login(reviewers["unit_a"])
    response = client.get(reverse("admin:auth_group_changelist"))
    assert response.status_code == 403
    html = page(response)
    assert "无权访问" in html
    assert "您没有访问此页面或执行此操作的权限（403）" in html
    assert ADMIN_LOOK in html


@pytest.mark.django_db
def test_site_403_is_chinese_in_the_site_look():
    # No candidate-site view raises PermissionDenied today; the handler Django calls is tested.
    request = RequestFactory().get("/apply/")
    request.user = AnonymousUser()
    from config import errors  # imported here so that each test fails on its own without it

    response = errors.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = page(response)
    assert "无权访问（403）" in html
    assert SITE_HEADER in html
    assert reverse("account:login") in html


def test_the_handlers_are_the_chinese_ones():
    from config import urls

    assert urls.handler400 == "config.errors.bad_request"
    assert urls.handler403 == "config.errors.permission_denied"
    assert urls.handler404 == "config.errors.page_not_found"
    assert urls.handler500 == "config.errors.server_error"


@pytest.mark.django_db
def test_site_csrf_failure_is_chinese_and_changes_nothing(reference_data):
    from django.contrib.auth import get_user_model

    client = Client(enforce_csrf_checks=True)
    users = get_user_model().objects.count()
    response = client.post(
        reverse("account:register"), {"username": "13800000000", "password1": "x"}
    )
    assert response.status_code == 403
    html = page(response)
    assert "页面已过期，提交未成功（403）" in html
    assert SITE_HEADER in html
    assert get_user_model().objects.count() == users


@pytest.mark.django_db
def test_admin_csrf_failure_is_chinese_in_the_admin_look(reviewers):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "unit_a", "password": "demo12345"})
    assert response.status_code == 403
    html = page(response)
    assert "提交未通过安全校验（403），本次操作没有保存。" in html
    assert ADMIN_LOOK in html
    assert "_auth_user_id" not in client.session


def _failing_context_processor(request):
    raise AssertionError("the 500 page must not run context processors")


@pytest.fixture
def context_processors_fail(settings):
    templates = [dict(t, OPTIONS=dict(t["OPTIONS"])) for t in settings.TEMPLATES]
    templates[0]["OPTIONS"]["context_processors"] = [
        *templates[0]["OPTIONS"]["context_processors"],
        f"{__name__}._failing_context_processor",
    ]
    settings.TEMPLATES = templates


# No django_db mark: any database query in the 500 path fails the test.
def test_site_500_is_chinese_without_context_processors_or_database(
    monkeypatch, context_processors_fail
):
    import exam.views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(exam.views, "render", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/")
    assert response.status_code == 500
    html = page(response)
    assert "服务器错误（500）" in html
    assert SITE_HEADER in html
    assert "boom" not in html


def test_admin_500_is_chinese_in_the_admin_look_without_database(context_processors_fail):
    request = RequestFactory().get("/admin/review/reviewapplication/")
    from config import errors  # imported here so that each test fails on its own without it

    response = errors.server_error(request)
    assert response.status_code == 500
    html = page(response)
    assert "系统暂时出现问题（500）" in html
    assert ADMIN_LOOK in html
    assert f'href="{reverse("admin:index")}"' in html


@pytest.mark.django_db
def test_admin_500_through_the_real_stack(client, reviewers, monkeypatch):
    import review.admin.dashboard

    def broken(request, context):
        raise RuntimeError("boom")

    monkeypatch.setattr(review.admin.dashboard, "dashboard_callback", broken)
    client.force_login(reviewers["unit_a"])
    client.raise_request_exception = False
    response = client.get(reverse("admin:index"))
    assert response.status_code == 500
    html = page(response)
    assert "系统暂时出现问题（500）" in html
    assert ADMIN_LOOK in html


def test_500_falls_back_to_plain_chinese_when_its_template_fails(monkeypatch):
    from django.template import loader

    def missing(name):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(loader, "get_template", missing)
    from config import errors  # imported here so that each test fails on its own without it

    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "服务器错误（500）" in response.content.decode()


def test_400_for_a_bad_host_is_chinese(client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    html = page(response)
    assert "请求无效（400）" in html
