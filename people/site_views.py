"""Candidate site (考生端): account (register, login, logout, password) and 实名认证.

Views collect input and call people.services; they write nothing themselves. Only accounts
with a Candidate row use these pages; staff accounts are refused politely.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.views import LogoutView, PasswordChangeView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.errors import ServiceError
from core.masking import mask_id_number
from people.identity_attempts import (
    AUTO_ATTEMPT_LIMIT,
    TOO_MANY_AUTO_FAILURES,
    auto_failures,
    identity_auto_failure_record,
)
from people.models import Candidate, IdentityVerification, IdType
from people.services import (
    candidate_register,
    identity_request_manual,
    identity_verify_auto,
    identity_withdraw,
)
from people.site_forms import AutoIdentityForm, LoginForm, ManualIdentityForm, RegisterForm

User = get_user_model()

IDENTITY_URL = "account:identity"
LOGIN_FAILED = "手机号码或密码错误。"
NOT_A_CANDIDATE = "该账号不是考生账号。机构审核人员请从“机构登录”进入管理后台。"
VERIFY_FIRST = "请先完成实名认证。"


def candidate_of(user) -> Candidate | None:
    if not user.is_authenticated:
        return None
    try:
        return Candidate.objects.get(user_id=user.pk)
    except Candidate.DoesNotExist:
        return None


def _refuse_non_candidate(request: HttpRequest) -> HttpResponse:
    return render(
        request, "people/site/not_candidate.html", {"message": NOT_A_CANDIDATE}, status=403
    )


def candidate_required(view: Callable) -> Callable:
    """Logged in with a candidate account; sets `request.candidate`. Anonymous visitors go to
    the login page, other accounts get a polite 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            login_url = reverse("account:login")
            return HttpResponseRedirect(f"{login_url}?next={request.get_full_path()}")
        candidate = candidate_of(request.user)
        if candidate is None:
            return _refuse_non_candidate(request)
        request.candidate = candidate
        return view(request, *args, **kwargs)

    return wrapper


def candidate_verified_required(view: Callable) -> Callable:
    """As `candidate_required`, and 实名认证 done: otherwise back to the identity page with a
    message. Every candidate page except account and identity pages uses it."""

    @candidate_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.candidate.is_verified:
            messages.warning(request, VERIFY_FIRST)
            return redirect(IDENTITY_URL)
        return view(request, *args, **kwargs)

    return wrapper


# A page a visitor wanted before logging in and completing 实名认证 (the binding page with
# the unit's 确认码 from a QR code): kept in the session, resumed once the candidate is verified.
RESUME_SESSION_KEY = "candidate_resume_url"


def _is_local(request: HttpRequest, target: str) -> bool:
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def remember_resume(request: HttpRequest, url: str) -> None:
    """Come back to `url` (a path on this site) after login, registration and 实名认证."""
    if _is_local(request, url):
        request.session[RESUME_SESSION_KEY] = url


def pop_resume(request: HttpRequest) -> str:
    """The remembered page (once), or ""."""
    url = request.session.pop(RESUME_SESSION_KEY, "")
    return url if _is_local(request, url) else ""


def _safe_next(request: HttpRequest, candidate: Candidate) -> str:
    """Where a login goes: the page asked for, else a remembered page once verified, else
    我的报名 (or 实名认证 until it is done)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if _is_local(request, target):
        return target
    if candidate.is_verified and (resume := pop_resume(request)):
        return resume
    return reverse("apply:home" if candidate.is_verified else IDENTITY_URL)


# --- account -----------------------------------------------------------------------------


def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = candidate_register(
                phone=form.cleaned_data["phone"], password=form.cleaned_data["password1"]
            )
        except ServiceError as exc:
            form.add_error("phone", exc.message)
        else:
            login(request, candidate.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功。请完成实名认证。")
            return redirect(IDENTITY_URL)
    return render(request, "people/site/register.html", {"form": form, "title": "考生注册"})


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"].strip()
        candidate = Candidate.objects.select_related("user").filter(phone=phone).first()
        # django-axes counts and locks by the username given to authenticate() (settings):
        # the account's own, so the phone page and the admin page share one count.
        username = candidate.user.get_username() if candidate else phone
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            # A locked account gets axes' lock page instead (people.throttle.lockout_response).
            form.add_error(None, LOGIN_FAILED)
        elif (account := candidate_of(user)) is None:
            form.add_error(None, NOT_A_CANDIDATE)
        else:
            login(request, user)
            return HttpResponseRedirect(_safe_next(request, account))
    context = {"form": form, "title": "考生登录", "next": request.GET.get("next", "")}
    return render(request, "people/site/login.html", context)


class CandidateLogoutView(LogoutView):
    next_page = reverse_lazy("landing")


class CandidatePasswordChangeView(PasswordChangeView):
    template_name = "people/site/password_change.html"
    success_url = reverse_lazy(IDENTITY_URL)
    extra_context = {"title": "修改密码"}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改。")
        return response


password_change = candidate_required(CandidatePasswordChangeView.as_view())


# --- 实名认证 ------------------------------------------------------------------------------


@candidate_required
def identity(request: HttpRequest) -> HttpResponse:
    candidate = request.candidate
    verifications = candidate.verifications.all()
    pending = verifications.filter(status=IdentityVerification.Status.PENDING).first()
    latest = verifications.first()
    context = {
        "title": "实名认证",
        "candidate": candidate,
        "masked_number": mask_id_number(candidate.id_number) if candidate.id_number else "",
        "pending": pending,
        "pending_masked": mask_id_number(pending.id_number) if pending else "",
        "rejected": latest
        if latest and latest.status == IdentityVerification.Status.REJECTED
        else None,
    } | _auto_attempts(candidate)
    return render(request, "people/site/identity.html", context)


def _auto_attempts(candidate: Candidate) -> dict:
    failures = auto_failures(candidate)
    return {
        "auto_failures": failures,
        "auto_limit": AUTO_ATTEMPT_LIMIT,
        "auto_left": max(0, AUTO_ATTEMPT_LIMIT - failures),
        "too_many_auto": TOO_MANY_AUTO_FAILURES if failures >= AUTO_ATTEMPT_LIMIT else "",
    }


def _record_auto_failure(request: HttpRequest, form: AutoIdentityForm) -> None:
    """A resident ID that does not verify is a failed recognition (missing fields are not)."""
    errors = form.errors.as_data().get("id_number", [])
    if any(error.code != "required" for error in errors):
        identity_auto_failure_record(
            actor=request.user,
            candidate=request.candidate,
            name=form.data.get("name", ""),
            id_number=form.data.get("id_number", ""),
            reason="自动核验未通过：" + "；".join(form.errors["id_number"]),
        )


def _identity_form_page(request: HttpRequest, form_class, service, template: str, title: str):
    candidate = request.candidate
    if candidate.is_verified:
        messages.info(request, "您已完成实名认证。")
        return redirect(IDENTITY_URL)
    auto = form_class is AutoIdentityForm
    attempts = _auto_attempts(candidate) if auto else {}
    if attempts.get("too_many_auto"):
        # Too many failed recognitions: no form, the way to 人工审核 instead (C04).
        return render(request, template, {"form": None, "title": title} | attempts)
    # 身份证（人工审核） offered after failed automatic attempts comes with its type chosen.
    wanted = request.GET.get("id_type", "")
    initial = {"id_type": wanted} if wanted in IdType.values else {}
    form = form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and auto and not form.is_valid():
        _record_auto_failure(request, form)
        attempts = _auto_attempts(candidate)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        extra = {"id_type": data["id_type"]} if "id_type" in data else {}
        try:
            service(
                actor=request.user,
                candidate=candidate,
                name=data["name"],
                id_number=data["id_number"],
                front_image=data["front_image"],
                back_image=data["back_image"],
                **extra,
            )
        except ServiceError as exc:
            field = "id_number" if "证件号码" in exc.message else None
            form.add_error(field, exc.message)
        else:
            candidate.refresh_from_db()
            if candidate.is_verified:
                messages.success(request, "实名认证成功。")
                if resume := pop_resume(request):
                    return redirect(resume)
            else:
                messages.success(request, "已提交人工审核，请等待工作人员审核。")
            return redirect(IDENTITY_URL)
    return render(request, template, {"form": form, "title": title} | attempts)


@candidate_required
def identity_auto(request: HttpRequest) -> HttpResponse:
    return _identity_form_page(
        request,
        AutoIdentityForm,
        identity_verify_auto,
        "people/site/identity_form.html",
        "身份证（自动核验）",
    )


@candidate_required
def identity_manual(request: HttpRequest) -> HttpResponse:
    return _identity_form_page(
        request,
        ManualIdentityForm,
        identity_request_manual,
        "people/site/identity_form.html",
        "人工审核（其他证件）",
    )


@require_POST
@candidate_required
def identity_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the candidate's own requests are found: someone else's is a 404, not a hint.
    verification = get_object_or_404(
        IdentityVerification, pk=pk, candidate__user_id=request.user.pk
    )
    try:
        identity_withdraw(actor=request.user, verification=verification)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤回认证申请。您可以改用身份证自动核验。")
    return redirect(IDENTITY_URL)
