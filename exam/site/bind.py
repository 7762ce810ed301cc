"""/apply/bind/: a candidate binds a health-exam application to their unit with its
本单位确认码 (seed 003 §2.6), choosing 申报级别 and 类别(专业).

Reached from 我的报名 (`?project=<pk>`) or from the QR code on the reviewers' 本单位确认码
page (`?code=<确认码>`, see exam.urls_public.bind_path). A visitor who is not logged in or not
yet verified is sent to log in / 实名认证 and comes back here with the code afterwards.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.errors import ServiceError
from exam import services
from exam.models import Application, ExamKind, ExamProject, Level, Specialty
from people.models import Institution
from people.site_views import (
    candidate_of,
    candidate_verified_required,
    pop_resume,
    remember_resume,
)
from people.tiers import Tier

CODE_MAX_LENGTH = 32


class SpecialtySelect(forms.Select):
    """Every specialty is rendered with its level in `data-level`: static/site/bind.js hides
    the other levels' options; without JavaScript the server's check still applies."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-level"] = instance.level_id
        return option


class SpecialtyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Specialty) -> str:
        return f"{obj.code} {obj.name}"


class BindForm(forms.Form):
    project = forms.ModelChoiceField(
        label="考试项目",
        queryset=ExamProject.objects.none(),
        empty_label="请选择",
        error_messages={
            "required": "请选择考试项目。",
            "invalid_choice": "该考试项目不可报名。",
        },
    )
    code = forms.CharField(
        label="本单位确认码",
        max_length=CODE_MAX_LENGTH,
        help_text="向所在单位（医院人事部门）索取，或扫描单位提供的二维码。",
        error_messages={
            "required": "请输入本单位确认码。",
            "max_length": "确认码过长，请核对后重新输入。",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    level = forms.ModelChoiceField(
        label="申报级别",
        queryset=Level.objects.all(),
        empty_label="请选择",
        error_messages={
            "required": "请选择申报级别。",
            "invalid_choice": "请选择有效的申报级别。",
        },
    )
    specialty = SpecialtyChoiceField(
        label="类别(专业)",
        queryset=Specialty.objects.filter(is_active=True).select_related("level"),
        empty_label="请选择",
        widget=SpecialtySelect(attrs={"data-filter-by": "id_level"}),
        error_messages={
            "required": "请选择类别(专业)。",
            "invalid_choice": "请选择有效的类别(专业)。",
        },
    )

    def __init__(self, *args, projects, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        level, specialty = cleaned.get("level"), cleaned.get("specialty")
        if level and specialty and specialty.level_id != level.pk:
            self.add_error("specialty", "所选类别(专业)不属于该申报级别，请重新选择。")
        return cleaned


def _health_projects():
    return ExamProject.objects.filter(is_active=True, kind=ExamKind.HEALTH_QUALIFICATION)


def _unit_for_code(code: str) -> Institution | None:
    code = (code or "").strip().upper()
    if not code or len(code) > CODE_MAX_LENGTH:
        return None
    return Institution.objects.filter(
        confirmation_code=code, tier=Tier.UNIT, is_active=True
    ).first()


def _field_for(message: str) -> str | None:
    if "确认码" in message or "机构" in message:
        return "code"
    if "类别" in message or "申报级别" in message:
        return "specialty"
    return None


def bind(request: HttpRequest) -> HttpResponse:
    """Keep the page (with its code) for later when the visitor must first log in or verify."""
    if request.method == "GET":
        candidate = candidate_of(request.user)
        if not request.user.is_authenticated or (candidate and not candidate.is_verified):
            remember_resume(request, request.get_full_path())
            messages.info(request, "完成登录和实名认证后，将自动回到报名页面，确认码已为您保留。")
    return _bind_page(request)


@candidate_verified_required
def _bind_page(request: HttpRequest) -> HttpResponse:
    candidate = request.candidate
    open_projects = [p for p in _health_projects() if p.is_registration_open()]
    project = None
    raw_project = request.POST.get("project") or request.GET.get("project")
    if raw_project:
        try:
            project = _health_projects().get(pk=int(raw_project))
        except (ValueError, ExamProject.DoesNotExist) as exc:
            raise Http404("没有这个考试项目。") from exc
        if not project.is_registration_open():
            return render(
                request,
                "exam/site/bind_closed.html",
                {"title": "报名", "project": project},
            )
    elif len(open_projects) == 1:
        project = open_projects[0]
    elif not open_projects:
        return render(request, "exam/site/bind_closed.html", {"title": "报名", "project": None})

    if project is not None:
        existing = Application.objects.filter(project=project, candidate=candidate).first()
        if existing is not None:
            messages.info(request, f"您已报名“{project.name}”，每个项目只能申报一次。")
            return redirect("apply:overview", pk=existing.pk)

    projects = _health_projects().filter(pk__in=[p.pk for p in open_projects])
    code = request.GET.get("code", "")
    initial = {"code": code.strip().upper()[:CODE_MAX_LENGTH], "project": project}
    form = BindForm(request.POST or None, initial=initial, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_bind_by_code(
                actor=request.user,
                candidate=candidate,
                project=data["project"],
                confirmation_code=data["code"],
                level=data["level"],
                specialty=data["specialty"],
            )
        except ServiceError as exc:
            form.add_error(_field_for(exc.message), exc.message)
        else:
            pop_resume(request)
            messages.success(
                request,
                f"已绑定“{application.entry_institution.name}”，请逐项填写申报信息。",
            )
            return redirect("apply:overview", pk=application.pk)
    typed_code = form["code"].value() or ""
    context = {
        "title": "绑定单位 · 报名",
        "form": form,
        "project": project,
        "unit": _unit_for_code(typed_code) if typed_code else None,
    }
    return render(request, "exam/site/bind.html", context)
