"""推荐信息 (seed 000 §4.3.8): 获取老师 by type, name and ID number (获取成功 / 获取失败),
the proofs of each teacher, 删除, and 生成二维码 for the teacher's phone pages
(exam.site.teacher). Every write goes through exam.recommender_services, which keeps
Section.data in step with the Recommender rows; the 保存 button saves through the registry.

The section is complete when the required teachers are present with their proofs; that
they have signed is checked at submission (exam.recommendation.teacher_problems).
"""

import datetime
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.errors import ServiceError
from exam import recommender_services as rs
from exam import selectors
from exam.models import (
    Application,
    Attachment,
    ExamKind,
    Recommender,
    Section,
    StagedUpload,
    Track,
)
from exam.recommendation import practice_needs_supervisor, teachers_required
from exam.site.registry import (
    after_save,
    file_url,
    render_section,
    save_section,
    section_page,
    section_url,
)
from exam.uploads import StagedUploadsMixin, UploadField
from people.site_views import candidate_verified_required

Role = Recommender.Role
Status = Recommender.Status
TEMPLATE = "exam/site/recommendation.html"


class LookupForm(forms.Form):
    """获取老师."""

    role = forms.ChoiceField(label="医师的类型", choices=Role.choices)
    name = forms.CharField(label="姓名", max_length=64)
    id_number = forms.CharField(label="身份证号码", max_length=32)

    def __init__(self, *args, needed: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r, n in needed.items() if n > 0]
        self.fields["role"].error_messages["required"] = "请选择医师的类型。"
        self.fields["name"].error_messages["required"] = "请填写老师的姓名。"
        self.fields["id_number"].error_messages["required"] = "请填写老师的身份证号码。"


class TeacherUploadForm(StagedUploadsMixin, forms.Form):
    """The proofs of one teacher (rs.TEACHER_UPLOADS), each optional on its own: the
    section tells what is still missing."""

    def __init__(self, *args, teacher: Recommender, **kwargs) -> None:
        self.teacher = teacher
        super().__init__(*args, prefix=f"t{teacher.pk}", **kwargs)

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and not self.errors and not self.new_files():
            self.add_error(None, "请选择要上传的文件。")

    def new_files(self) -> dict[str, StagedUpload]:
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if isinstance(v, StagedUpload)}


def _upload_form_class(teacher: Recommender) -> type[TeacherUploadForm]:
    fields = {
        kind: UploadField(label=label, required=False)
        for kind, label in rs.TEACHER_UPLOADS[teacher.role]
    }
    return type("TeacherUploadForm", (TeacherUploadForm,), fields)


def _attachments_of(application: Application) -> dict[int, dict[str, Attachment]]:
    by_teacher: dict[int, dict[str, Attachment]] = {}
    for attachment in Attachment.objects.filter(
        application=application, section_code=rs.SECTION_CODE, recommender__isnull=False
    ):
        by_teacher.setdefault(attachment.recommender_id, {})[attachment.kind] = attachment
    return by_teacher


def _upload_form(
    request: HttpRequest, teacher: Recommender, attachments: dict[str, Attachment], bound: bool
) -> TeacherUploadForm:
    current = {
        kind: (a.label, file_url(teacher.application, "attachment", a.pk))
        for kind, a in attachments.items()
    }
    form_class = _upload_form_class(teacher)
    args = (request.POST, request.FILES) if bound else ()
    return form_class(*args, teacher=teacher, candidate=request.candidate, current_files=current)


def _supervisor_note(application: Application, needed: dict[str, int]) -> str:
    """Why a 多年实践 candidate does or does not need a 指导老师."""
    if application.track != Track.PRACTICE:
        return ""
    cutoff = application.project.practice_supervisor_cutoff
    rule = (
        f"经多年中医医术实践的考生，从事中医医术实践活动的时间全部或部分在《中华人民共和国"
        f"中医药法》施行（{cutoff.year}年{cutoff.month}月{cutoff.day}日）后的，需要添加一名指导老师。"
    )
    practice = application.sections.filter(code="practice").first()
    data = practice.data if practice else {}
    if not data.get("started_on"):
        return rule + "您尚未填写实践经历，请先填写，系统会据此判断是否需要指导老师。"
    ended = data.get("ended_on") or "今"  # "2012-03-01至今", not "至至今"
    period = f"您填写的实践经历为{data['started_on']}至{ended}，"
    if practice_needs_supervisor(application, data):
        return rule + period + "因此需要添加一名指导老师。"
    return rule + period + "全部在此之前，因此无需添加指导老师。"


def _teacher_rows(
    request: HttpRequest,
    application: Application,
    teachers: list[Recommender],
    bound_form: TeacherUploadForm | None = None,
) -> list[dict[str, Any]]:
    by_teacher = _attachments_of(application)
    rows = []
    for teacher in teachers:
        attachments = by_teacher.get(teacher.pk, {})
        if bound_form is not None and bound_form.teacher.pk == teacher.pk:
            form = bound_form
        else:
            form = _upload_form(request, teacher, attachments, bound=False)
        link_revoked = teacher.status in {Status.INVITED, Status.CONFIRMED} and not rs.link_is_live(
            teacher
        )
        rows.append(
            {
                "obj": teacher,
                "describe": rs.describe(teacher),
                "status_label": "二维码已失效" if link_revoked else teacher.get_status_display(),
                "link_revoked": link_revoked,
                "form": form,
                "missing": rs.missing_uploads(teacher, set(attachments)),
                # No phone on the registry record: the teacher cannot receive the code.
                "phone_missing": ""
                if teacher.physician.phone or teacher.status == Status.SIGNED
                else rs.phone_missing_for_candidate(teacher),
                "signature_url": file_url(application, "signature", teacher.pk)
                if teacher.signature
                else "",
                "qr_url": reverse("apply:teacher_qr", args=[application.pk, teacher.pk]),
            }
        )
    return rows


def _teacher(application: Application, request: HttpRequest) -> Recommender:
    teacher = (
        application.recommenders.select_related("physician", "application")
        .filter(pk=request.POST.get("teacher") or 0)
        .first()
    )
    if teacher is None:
        raise Http404("该老师不存在。")
    return teacher


@section_page(ExamKind.TCM_EXPERTISE, "recommendation")
def recommendation_page(
    request: HttpRequest, application: Application, section: Section
) -> HttpResponse:
    needed = teachers_required(application)
    here = section_url(application, section.code)
    lookup = LookupForm(needed=needed)
    bound_upload: TeacherUploadForm | None = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "lookup":
                lookup = LookupForm(request.POST, needed=needed)
                if lookup.is_valid():
                    teacher = rs.recommender_add(
                        actor=request.user,
                        application=application,
                        role=lookup.cleaned_data["role"],
                        name=lookup.cleaned_data["name"],
                        id_number=lookup.cleaned_data["id_number"],
                    )
                    messages.success(
                        request,
                        f"获取成功：已添加{teacher.get_role_display()}{rs.describe(teacher)}。"
                        "请上传证明材料，并生成二维码发送给老师。",
                    )
                    return redirect(here)
                status = 400
            elif action == "upload":
                teacher = _teacher(application, request)
                current = _attachments_of(application).get(teacher.pk, {})
                bound_upload = _upload_form(request, teacher, current, bound=True)
                if bound_upload.is_valid():
                    rs.recommender_attachments_save(
                        actor=request.user, recommender=teacher, files=bound_upload.new_files()
                    )
                    messages.success(request, f"{teacher.name}的证明材料已上传。")
                    return redirect(here)
                status = 400
            elif action == "remove":
                teacher = _teacher(application, request)
                rs.recommender_remove(actor=request.user, recommender=teacher)
                messages.success(request, f"已删除{teacher.get_role_display()}{teacher.name}。")
                return redirect(here)
            elif action == "invite":
                teacher = _teacher(application, request)
                rs.recommender_invite(actor=request.user, recommender=teacher)
                return redirect("apply:teacher_qr", pk=application.pk, teacher_pk=teacher.pk)
            elif action == "save":
                teachers = list(application.recommenders.select_related("physician"))
                data = rs.section_data(application, teachers)
                if save_section(request, application, section, data=data):
                    return after_save(application)
                return redirect(here)
        except ServiceError as exc:
            if action == "lookup":
                lookup.add_error(None, exc.message)
                status = 400
            else:
                messages.error(request, exc.message)
                return redirect(here)

    teachers = list(application.recommenders.select_related("physician", "application"))
    context = {
        # Only the roles still to add: a trailing "、" came from skipping a zero in the template.
        "needed": [(Role(r).label, n) for r, n in needed.items() if n > 0],
        "supervisor_note": _supervisor_note(application, needed),
        "lookup": lookup,
        "teachers": _teacher_rows(request, application, teachers, bound_upload),
        "problems": rs.section_problems(application, teachers),
        "unsigned": [t for t in teachers if t.status != Status.SIGNED],
        "can_add": sum(needed.values()) > len(teachers),
    }
    return render_section(request, application, section, TEMPLATE, context, status=status)


def _qr_svg(url: str) -> str:
    image = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    return image.to_string(encoding="unicode")


@candidate_verified_required
def teacher_qr(request: HttpRequest, pk: int, teacher_pk: int) -> HttpResponse:
    """The QR code (and link) of one teacher: 生成二维码 / 重新生成二维码."""
    try:
        application = selectors.candidate_application_get(candidate=request.candidate, pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404("申报不存在。") from exc
    teacher = (
        application.recommenders.select_related("physician", "application")
        .filter(pk=teacher_pk)
        .first()
    )
    if teacher is None:
        raise Http404("该老师不存在。")
    if request.method == "POST":
        try:
            rs.recommender_invite(actor=request.user, recommender=teacher)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已生成新的二维码，之前的二维码已失效。")
        return redirect("apply:teacher_qr", pk=application.pk, teacher_pk=teacher.pk)
    link = svg = ""
    live = teacher.status in {Status.INVITED, Status.CONFIRMED} and rs.link_is_live(teacher)
    if live:
        link = request.build_absolute_uri(
            reverse("recommend:start", args=[rs.recommender_token(teacher)])
        )
        svg = mark_safe(_qr_svg(link))  # noqa: S308 (generated by qrcode, no user input)
    context = {
        "title": f"{teacher.get_role_display()}{teacher.name}的二维码",
        "application": application,
        "teacher": teacher,
        "live": live,
        "link": link,
        "svg": svg,
        "expires_at": teacher.invited_at + datetime.timedelta(seconds=rs.LINK_MAX_AGE)
        if live
        else None,
        "editable": application.is_editable_by_candidate
        and not application.sections.filter(
            code=rs.SECTION_CODE, status=Section.Status.LOCKED
        ).exists(),
        "section_url": section_url(application, rs.SECTION_CODE),
    }
    return render(request, "exam/site/teacher_qr.html", context)
