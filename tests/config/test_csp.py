"""The Content-Security-Policy header, enforced in the test settings as in production: strict
on the candidate site, with the admin's additions (Alpine.js needs eval, unfold inline styles)
only under /admin/. The browser tests check that the pages work under it."""

import re

import pytest
from django.urls import reverse

from core.jobs.models import Job

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response  # enforced, not reported
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_candidate_site_policy_allows_nothing_inline(client, health_project):
    csp = policy(client.get("/"))
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no nonce was asked for on this page
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]


@pytest.mark.parametrize("path", ["/account/login/", "/account/register/", "/no-such-page/"])
def test_every_site_page_has_the_strict_policy(client, reference_data, path):
    csp = policy(client.get(path))
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"] + csp["style-src"]


def test_admin_adds_eval_for_alpine_and_inline_styles(client):
    csp = policy(client.get(reverse("admin:login")))
    assert csp["script-src"] == ["'self'", "'unsafe-eval'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_admin_error_pages_get_the_admin_policy_too(client, reviewers):
    client.force_login(reviewers["unit_a"])
    response = client.get("/admin/no-such-page/")
    assert response.status_code == 404
    assert "'unsafe-eval'" in policy(response)["script-src"]


def test_the_job_page_inline_script_carries_the_nonce_of_the_header(client, reviewers):
    owner = reviewers["province"]
    job = Job.objects.create(
        owner=owner,
        kind="import",
        subject="review.referencerecord",
        label="导入对比库记录",
        status=Job.Status.RUNNING,
        progress_total=10,
    )
    client.force_login(owner)
    response = client.get(reverse("admin:jobs_job_change", args=[job.pk]))
    nonces = re.findall(r'<script nonce="([^"]+)">', response.content.decode())
    assert len(nonces) == 1
    assert f"'nonce-{nonces[0]}'" in policy(response)["script-src"]


def test_csrf_and_session_cookies_are_http_only(client, reviewers):
    response = client.get(reverse("admin:login"))
    assert response.cookies["csrftoken"]["httponly"] is True
    response = client.post(reverse("admin:login"), {"username": "unit_a", "password": "demo12345"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"] is True
