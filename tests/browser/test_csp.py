"""The Content-Security-Policy in Chromium. The test settings enforce the policy production
sends; a tour of the main candidate-site and admin pages checks that each answers with it and
that the browser reports no violation, console error or script error, and that what runs
scripts still works under it: Alpine.js in the admin (tabs, the material dialog), the job
page's inline script (nonce), the confirm questions (data-confirm, no inline onsubmit), the
signature canvas, the QR codes (inline SVG, data: image). The other browser tests are watched
the same way (conftest.watch), so this tour covers the pages they do not open."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from core.jobs.models import Job
from exam import recommender_services as rs
from exam.models import Application, Recommender
from tests.browser.conftest import watch
from tests.browser.steps import click_and_wait
from tests.builders import new_application, submitted, teacher_proofs
from tests.factories import CandidateFactory, PhysicianFactory
from tests.review.materials import education
from tests.teacher_codes import outbox_code

pytestmark = pytest.mark.django_db(transaction=True)

UNIT_A = "U420102001"
JIANGAN = "420102"


@pytest.fixture
def watched(browser):
    """A page of its own context and the list of problems the browser reports for it."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    problems = watch(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page, problems
    context.close()


def visit(page, url: str, status: int = 200) -> str:
    """Open url, check its status and enforced policy; the policy."""
    response = page.goto(url)
    assert response is not None and response.status == status, f"{url}: {response.status}"
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, f"{url} has no enforced policy: {response.headers}"
    assert "content-security-policy-report-only" not in response.headers
    page.wait_for_load_state("networkidle")
    return policy


def log_in_admin(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/$"))


def test_candidate_site_pages_work_under_the_policy(
    live_server, watched, reference_data, reviewers, tree, health_project, tcm_project, artifact
):
    page, problems = watched
    base = live_server.url
    candidate = CandidateFactory()
    health = submitted(health_project, tree[UNIT_A], candidate=candidate)
    education(health, image=False)
    tcm = new_application(tcm_project, tree[JIANGAN], candidate=candidate)
    physician = PhysicianFactory()
    teacher = rs.recommender_add(
        actor=candidate.user,
        application=tcm,
        role=Recommender.Role.RECOMMENDER,
        name=physician.name,
        id_number=physician.id_number,
    )
    teacher_proofs(teacher)
    token = rs.recommender_invite(actor=candidate.user, recommender=teacher)

    for url in ["/", "/account/login/", "/account/register/"]:
        policy = visit(page, base + url)
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy
    page.goto(base + "/account/login/")
    page.fill("input[name=phone]", candidate.phone)
    page.fill("input[name=password]", "demo12345")
    click_and_wait(page.locator("form button[type=submit]").first)

    for url in [
        "/apply/",
        "/apply/bind/",
        f"/apply/{health.pk}/",
        f"/apply/{health.pk}/detail/",
        f"/apply/{health.pk}/progress/",
        f"/apply/{tcm.pk}/",
        f"/apply/{tcm.pk}/section/basic/",
        f"/apply/{tcm.pk}/section/recommendation/",
        "/account/identity/",
        "/account/password/",
    ]:
        visit(page, base + url)

    # The QR code is inline SVG; its link selects itself for copying (data-select-on-focus).
    visit(page, base + f"/apply/{tcm.pk}/teacher/{teacher.pk}/qr/")
    expect(page.locator("#qr svg")).to_be_visible()
    page.focus("#qr-link")
    selected = page.evaluate(
        "() => { const i = document.getElementById('qr-link');"
        " return i.selectionEnd - i.selectionStart === i.value.length && i.value.length > 0; }"
    )
    assert selected

    # 撤回 asks first (data-confirm): dismissed, nothing happens; accepted, it is withdrawn.
    visit(page, base + f"/apply/{health.pk}/")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="撤回").click()
    page.wait_for_timeout(300)
    assert questions == ["确定撤回申报？撤回后可修改再提交。"]
    health.refresh_from_db()
    assert health.status == Application.Status.SUBMITTED
    page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(page.get_by_role("button", name="撤回"))
    health.refresh_from_db()
    assert health.status == Application.Status.WITHDRAWN

    # The teacher's pages, and the signature canvas draws.
    visit(page, base + reverse("recommend:start", args=[token]))
    page.get_by_role("link", name="我已阅读，开始核验").click()
    click_and_wait(page.get_by_role("button", name="获取验证码"))
    page.fill("input[name=code]", outbox_code(physician.phone))
    page.get_by_role("button", name="核验身份").click()
    canvas = page.locator("canvas.signature-pad")
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 40, steps=8)
    page.mouse.up()
    ink = page.evaluate(
        """() => { const c = document.querySelector("canvas.signature-pad");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert ink > 50

    # Error pages.
    visit(page, base + "/no-such-page/", status=404)
    expect(page.locator("#error-page h2")).to_have_text("页面不存在（404）")
    page.screenshot(path=artifact("error-404-site.png"), full_page=True)

    assert problems == []


def test_admin_pages_work_under_the_policy(
    live_server, watched, reference_data, reviewers, tree, health_project, artifact, monkeypatch
):
    page, problems = watched
    base = live_server.url
    application = submitted(health_project, tree[UNIT_A])
    education(application, image=False)
    log_in_admin(page, base, "unit_a")

    for name in [
        "admin:index",
        "admin:review_reviewapplication_changelist",
        "admin:review_verifyeducation_changelist",
        "admin:core_auditlogentry_changelist",
        "admin:jobs_job_changelist",
        "admin:password_change",
    ]:
        policy = visit(page, base + reverse(name))
        assert "'unsafe-eval'" in policy  # Alpine.js, under /admin/ only

    # Alpine.js: the detail page's tabs switch.
    visit(page, base + reverse("admin:review_reviewapplication_change", args=[application.pk]))
    page.get_by_role("button", name="审核进度").click()
    expect(page.locator("#tab-progress")).to_be_visible()
    page.get_by_role("button", name="基础信息").click()
    expect(page.locator("#tab-progress")).to_be_hidden()

    # The QR code of the 确认码 page is a data: image; the copy button is Alpine.
    visit(page, base + reverse("admin:confirmation_code"))
    expect(page.get_by_test_id("qr-code")).to_be_visible()
    assert page.get_by_test_id("qr-code").evaluate("img => img.naturalWidth") > 0

    # The job page's inline script (nonce) polls the status and moves the bar.
    job = Job.objects.create(
        owner=reviewers["unit_a"],
        kind="export",
        subject="review.reviewapplication",
        label="导出报名材料",
        status=Job.Status.RUNNING,
        progress_done=0,
        progress_total=10,
    )
    visit(page, base + reverse("admin:jobs_job_change", args=[job.pk]))
    Job.objects.filter(pk=job.pk).update(progress_done=5)
    expect(page.locator("#job-percent")).to_have_text("50%", timeout=10_000)

    # Error pages in the admin's look.
    visit(page, base + "/admin/no-such-page/", status=404)
    expect(page.locator("#error-page")).to_contain_text("您访问的页面不存在（404）")
    page.screenshot(path=artifact("error-404-admin.png"), full_page=True)
    visit(page, base + reverse("admin:auth_group_changelist"), status=403)
    expect(page.locator("#error-page")).to_contain_text("没有访问此页面或执行此操作的权限")
    page.screenshot(path=artifact("error-403-admin.png"), full_page=True)
    import review.admin.dashboard

    def broken(request, context):
        raise RuntimeError("boom")

    monkeypatch.setattr(review.admin.dashboard, "dashboard_callback", broken)
    visit(page, base + reverse("admin:index"), status=500)
    expect(page.locator("#error-page")).to_contain_text("系统暂时出现问题（500）")
    assert page.locator("link[rel=stylesheet]").count() == 2  # the page stands alone
    page.screenshot(path=artifact("error-500-admin.png"), full_page=True)

    assert problems == []


def test_a_violation_is_caught(live_server, watched, reference_data):
    """The watch itself: an inline script the policy forbids is reported (else the tours
    above could pass by not listening)."""
    page, problems = watched
    visit(page, live_server.url + "/account/login/")
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.ran = true"; document.body.append(s); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.ran") is None
    assert any("CSP violation: script-src-elem blocked inline" in p for p in problems), problems
