"""/apply/…: the candidate's applications (我的报名), the overview with its section cards,
submit / withdraw / resubmit, 查看详情, the progress page, and the candidate's own files.

Views read through exam.selectors and write through exam.services; a section's own page
lives in exam.site.sections and is found through exam.site.registry.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.files import file_response
from exam import selectors, services
from exam.eligibility.precheck import eligibility_precheck
from exam.files import find_file
from exam.models import Application, ExamKind, Section
from exam.recommendation import teacher_problems
from exam.sections import section_label
from exam.site import detail
from exam.site.registry import overview_url, page_for
from exam.uploads import staged_from_token
from people.site_views import candidate_verified_required


def _own(request: HttpRequest, pk: int) -> Application:
    try:
        return selectors.candidate_application_get(candidate=request.candidate, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404("申报不存在。") from exc


@candidate_verified_required
def home(request: HttpRequest) -> HttpResponse:
    """我的报名: the candidate's applications, and the projects open for a new one."""
    applications = list(selectors.candidate_applications(candidate=request.candidate))
    applied = {a.project_id for a in applications}
    projects = [p for p in selectors.open_projects() if p.pk not in applied]
    return render(
        request,
        "exam/site/home.html",
        {"title": "我的报名", "applications": applications, "projects": projects},
    )


@candidate_verified_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: its section cards (去完善 / 编辑 / 已锁定) and what can be done next."""
    application = _own(request, pk)
    cards = selectors.section_cards(application=application)
    status = application.status
    S = Application.Status
    missing = [c.label for c in cards if c.definition.required and not c.is_complete]
    teachers = teacher_problems(application) if application.is_editable_by_candidate else []
    # 报考条件 before 提交 (only while the candidate can still change something).
    precheck = (
        eligibility_precheck(application=application)
        if application.is_editable_by_candidate
        else None
    )
    blocked = bool(missing or teachers or (precheck and precheck.blocks))
    context = {
        "title": application.project.name,
        "application": application,
        "cards": cards,
        "editable": application.is_editable_by_candidate,
        "missing": missing,
        "teacher_problems": teachers,
        "eligibility": precheck,
        "can_submit": status in {S.DRAFT, S.WITHDRAWN} and not blocked,
        "can_resubmit": status == S.RETURNED and not blocked,
        "can_withdraw": status == S.SUBMITTED,
        "returned_remark": _returned_remark(application) if status == S.RETURNED else "",
        "is_tcm": application.project.kind == ExamKind.TCM_EXPERTISE,
    }
    return render(request, "exam/site/overview.html", context)


def _returned_remark(application: Application) -> str:
    steps = selectors.application_progress(application=application)
    return next((s.remark for s in steps if s.is_current), "")


@candidate_verified_required
def section_edit(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Dispatch to the section's own page, after the checks every section shares."""
    application = _own(request, pk)
    section = application.sections.filter(code=code).first()
    if section is None:
        raise Http404("没有这一项。")
    label = section_label(application.project.kind, code)
    if section.status == Section.Status.LOCKED:
        messages.info(request, f"“{label}”已被审核机构锁定，无需修改。")
        return redirect("apply:detail", pk=application.pk)
    if not application.is_editable_by_candidate:
        messages.info(request, "申报已提交，不能修改。如需修改，请在审核前撤回。")
        return redirect("apply:detail", pk=application.pk)
    page = page_for(application.project.kind, code)
    if page is None:
        raise Http404("没有这一项。")
    return page(request, application, section)


def _act(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:
    application = _own(request, pk)
    try:
        service(actor=request.user, application=application)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(overview_url(application))


@require_POST
@candidate_verified_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.application_submit, "已提交，请等待审核。")


@require_POST
@candidate_verified_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.application_withdraw, "已撤回。修改后请重新提交。")


@require_POST
@candidate_verified_required
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.application_resubmit, "已重新提交，申报回到退回的审核机构。")


@candidate_verified_required
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """查看详情: everything the candidate entered, read-only."""
    application = _own(request, pk)
    context = {"title": "查看详情", "application": application} | detail.build(application)
    return render(request, "exam/site/detail.html", context)


@candidate_verified_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """审核进度: the chain of tiers with each tier's status, time and remark."""
    application = _own(request, pk)
    steps = selectors.application_progress(application=application)
    return render(
        request,
        "exam/site/progress.html",
        {"title": "审核进度", "application": application, "steps": steps},
    )


@candidate_verified_required
def file_view(request: HttpRequest, pk: int, kind: str, obj_id: int) -> FileResponse:
    """The candidate's own saved files; anyone else's application is a 404. Not in the
    access log (个人信息访问记录): the candidate is the person the file is about."""
    application = _own(request, pk)
    file_field = find_file(application, kind, obj_id)
    if not file_field:
        raise Http404("文件不存在。")
    return file_response(file_field)


@candidate_verified_required
def staged_file(request: HttpRequest, token: str) -> FileResponse:
    """A file uploaded on a form not yet saved; only its uploader can open it."""
    staged = staged_from_token(token, request.candidate)
    if staged is None:
        raise Http404("文件不存在。")
    return file_response(staged.file)
