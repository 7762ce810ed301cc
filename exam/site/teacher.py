"""/recommend/<token>/…: the pages a 推荐医师 / 指导老师 opens from the candidate's QR code
(seed 000 §4.3.8.4; DESIGN.md stand-in for face recognition). Public, no login, mobile first.

核验须知 → 身份核验 (a code sent by SMS to the phone on the registry record) → 推荐承诺书,
评价, 意见 and a hand-drawn signature → 完成. Where the teacher is comes from Recommender.status, so
reloading resumes at the right step; an expired, revoked or used link gets a clear page.
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from core.errors import ServiceError
from core.masking import mask_phone
from exam import recommender_services as rs
from exam import teacher_identity as ti
from exam.models import Recommender
from people.models import SmsMessage

Status = Recommender.Status

PLEDGE = [
    "本人自愿作为被推荐人参加中医医术确有专长人员医师资格考核的{role}，"
    "对被推荐人的中医医术专长及实践情况知情、了解。",
    "本人对被推荐人所作的评价和意见客观、真实，未收受被推荐人任何财物或其他利益。",
    "被推荐人的中医医术专长确有疗效、安全可靠，本人愿意为其推荐。",
    "如有虚假推荐，本人愿承担相应的法律责任，并接受卫生健康行政部门依法依规作出的处理。",
]


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳明日 → 欧***: enough for the teacher to recognise the record."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


class CodeForm(forms.Form):
    code = forms.CharField(
        label="短信验证码",
        max_length=32,
        error_messages={"required": "请输入短信验证码。"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "maxlength": ti.CODE_DIGITS,
                "pattern": "[0-9]*",
            }
        ),
    )


class SignForm(forms.Form):
    pledge = forms.BooleanField(
        label="本人已阅读并同意以上推荐承诺书",
        error_messages={"required": "请阅读并勾选推荐承诺书。"},
    )
    evaluation = forms.CharField(
        label="对被推荐人的评价",
        max_length=rs.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写对被推荐人的评价。"},
    )
    opinion = forms.CharField(
        label="推荐意见",
        max_length=rs.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写推荐意见。"},
    )
    signature = forms.CharField(
        label="手写签名",
        required=False,
        widget=forms.HiddenInput(attrs={"id": "signature-data"}),
    )

    def clean_signature(self) -> bytes:
        png = rs.decode_data_url(self.cleaned_data.get("signature", ""))
        problem = rs.signature_problem(png)
        if problem:
            raise forms.ValidationError(problem)
        return png


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, f"exam/recommend/{template}", context, status=status)


def _closed(request: HttpRequest, link: rs.TeacherLink) -> HttpResponse:
    if link.state == "signed":
        return _page(request, "done.html", {"title": "已完成", "teacher": link.recommender})
    return _page(
        request,
        "invalid.html",
        {"title": "二维码已失效", "message": rs.LINK_INVALID, "state": link.state},
        status=404 if link.state == "invalid" else 410,
    )


def _context(link: rs.TeacherLink, token: str, **extra) -> dict:
    teacher = link.recommender
    application = teacher.application
    return {
        "token": token,
        "teacher": teacher,
        "role": teacher.get_role_display(),
        "candidate_name": application.candidate.name,
        "project": application.project,
        "track": application.get_track_display(),
        "masked_name": mask_name(teacher.physician.name),
        "masked_phone": mask_phone(teacher.physician.phone),
        "code_minutes": ti.CODE_VALIDITY.seconds // 60,
        "max_code_attempts": ti.MAX_CODE_ATTEMPTS,
    } | extra


@never_cache
def start(request: HttpRequest, token: str) -> HttpResponse:
    """核验须知."""
    link = rs.recommender_from_token(token)
    if not link.is_valid:
        return _closed(request, link)
    if link.recommender.status == Status.CONFIRMED:
        return redirect("recommend:sign", token=token)
    return _page(request, "start.html", _context(link, token, title="核验须知"))


@never_cache
def identity(request: HttpRequest, token: str) -> HttpResponse:
    """身份核验: 获取验证码 (sent to the phone on the registry record), then type it."""
    link = rs.recommender_from_token(token)
    if not link.is_valid:
        return _closed(request, link)
    if link.recommender.status == Status.CONFIRMED:
        return redirect("recommend:sign", token=token)
    posted = request.method == "POST"
    sending = posted and request.POST.get("action") == "send"
    form = CodeForm(request.POST if posted and not sending else None)
    status, send_error = 200, ""
    if sending:
        try:
            message = ti.recommender_code_send(recommender=link.recommender, nonce=link.nonce)
        except ServiceError as exc:
            send_error = exc.message
        else:
            if message.status != SmsMessage.Status.FAILED:
                return redirect("recommend:identity", token=token)
            send_error = "短信发送失败，请1分钟后重新获取验证码。"
        status = 400
    elif posted:
        if form.is_valid():
            try:
                ti.recommender_confirm_identity(
                    recommender=link.recommender, nonce=link.nonce, code=form.cleaned_data["code"]
                )
            except ServiceError as exc:
                form.add_error("code", exc.message)
            else:
                return redirect("recommend:sign", token=token)
        status = 400
    if posted:
        # Read the row again (a fresh instance: django-fsm's refresh_from_db flips the
        # protected flag on the shared status field, which races with other threads).
        link = rs.recommender_from_token(token)
        if not link.is_valid:
            return _closed(request, link)
    context = _context(
        link, token, title="身份核验", form=form, code=ti.code_state(link.recommender)
    )
    return _page(request, "identity.html", context | {"send_error": send_error}, status)


@never_cache
def sign(request: HttpRequest, token: str) -> HttpResponse:
    """推荐承诺书, 评价, 意见 and the hand-drawn signature."""
    link = rs.recommender_from_token(token)
    if not link.is_valid:
        return _closed(request, link)
    if link.recommender.status != Status.CONFIRMED:
        return redirect("recommend:identity", token=token)
    form = SignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rs.recommender_sign(
                    recommender=link.recommender,
                    nonce=link.nonce,
                    pledge_accepted=form.cleaned_data["pledge"],
                    evaluation=form.cleaned_data["evaluation"],
                    opinion=form.cleaned_data["opinion"],
                    signature_png_bytes=form.cleaned_data["signature"],
                )
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("recommend:done")
        status = 400
    role = link.recommender.get_role_display()
    pledge = [line.format(role=role) for line in PLEDGE]
    context = _context(link, token, title="推荐评价", form=form, pledge=pledge)
    return _page(request, "sign.html", context, status)


def done(request: HttpRequest) -> HttpResponse:
    """完成."""
    return _page(request, "done.html", {"title": "已完成"})
