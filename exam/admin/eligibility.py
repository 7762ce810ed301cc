"""报考条件: provincial staff edit a project's eligibility rules. Saving always goes through
a preview: 预览 checks the input at once (errors in the form, nothing started), then starts a
background job (exam/eligibility/rule_previews.py) and opens its page, which shows the job's
progress and, once it is done, how the submitted applications would move between 符合 /
不符合 / 需人工核实. Its 确认保存 saves exactly the input that job previewed
(rule_set_preview_save → rule_set_update: a new version and the background job that
re-evaluates the project, whose page opens next). Nobody adds or deletes a rule set by hand:
each exam project has one."""

from __future__ import annotations

import contextlib
import datetime
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from unfold.widgets import (
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from core.errors import ServiceError
from core.imports.limits import ReadLimits
from core.jobs.models import Job
from core.jobs.selectors import job_status
from core.jobs.services import jobs_fail_dead
from exam.eligibility.outcomes import Outcome
from exam.eligibility.rule_changes import MOVED_LISTED, rule_set_rules_check
from exam.eligibility.rule_previews import (
    PreviewInput,
    rule_set_preview_job,
    rule_set_preview_result,
    rule_set_preview_save,
    rule_set_preview_start,
)
from exam.eligibility.rule_xlsx import (
    rule_set_xlsx_exporter,
    rule_set_xlsx_filename,
    rule_set_xlsx_read,
)
from exam.models import EligibilityRuleSet
from people.admin.export_form import export_response
from people.admin.policy import PROVINCIAL, PolicyAdmin

FORM_TEMPLATE = "exam/admin/eligibility_form.html"
PREVIEW_TEMPLATE = "exam/admin/eligibility_preview.html"

RULES_HELP = (
    "规则按考试类型的格式填写（JSON）：键名（英文）是系统识别规则用的，请保持原样，只修改数值、"
    "列表等内容；每条规则旁的 source 说明其依据。保存前须先预览，预览会列出已提交的申报中"
    "报考条件结果会改变的申报。"
)


def rules_pretty(rules: Any) -> str:
    """The rules as the textarea shows them: indented, Chinese as it is, keys in their order."""
    return json.dumps(rules, ensure_ascii=False, indent=2)


class DateInput(UnfoldAdminTextInputWidget):
    input_type = "date"


class RuleSetForm(forms.Form):
    """Collects and reads the input (a date, a switch, JSON the project's kind accepts);
    whether it may be saved is the service's decision."""

    cutoff_date = forms.DateField(
        label="截止日期",
        input_formats=["%Y-%m-%d"],
        widget=DateInput,
        help_text="年限计算至此日期，如 2026-12-31。",
    )
    blocks_submission = forms.BooleanField(
        label="不符合时禁止提交",
        required=False,
        widget=UnfoldBooleanSwitchWidget,
        help_text="打开：考生的报考条件为“不符合”时不能提交；关闭：只提示。",
    )
    rules = forms.CharField(
        label="规则",
        strip=False,
        widget=UnfoldAdminTextareaWidget(
            attrs={"rows": 28, "spellcheck": "false", "class": "font-mono text-xs"}
        ),
        help_text=RULES_HELP,
    )
    # The version the input was read from: saving refuses if another change came first.
    base_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, rule_set: EligibilityRuleSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule_set = rule_set

    def clean_rules(self) -> dict[str, Any]:
        text = self.cleaned_data["rules"]
        try:
            rules = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"规则不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有错误"
                "（请检查引号、逗号和括号是否成对）。"
            ) from exc
        rule_set_rules_check(rule_set=self.rule_set, rules=rules)
        return rules


def _initial(rule_set: EligibilityRuleSet) -> dict[str, Any]:
    return {
        "cutoff_date": rule_set.cutoff_date,
        "blocks_submission": rule_set.blocks_submission,
        "rules": rules_pretty(rule_set.rules),
        "base_version": rule_set.version,
    }


@admin.register(EligibilityRuleSet)
class EligibilityRuleSetAdmin(PolicyAdmin):
    list_display = [
        "project",
        "version",
        "cutoff_date",
        "blocks_submission",
        "updated_by",
        "updated_at",
    ]
    list_select_related = ["project", "updated_by"]
    list_filter = ["project__kind", "project__year"]
    ordering = ["-project__year", "project__name"]
    show_full_result_count = False
    # Changed only through the preview pages below (change_view), never the model form.
    view = change = PROVINCIAL

    def _rule_set(self, request: HttpRequest, object_id: str) -> EligibilityRuleSet:
        if not self.has_change_permission(request):
            raise PermissionDenied
        if not str(object_id).isdigit():
            raise Http404("没有找到该报考条件规则。")
        try:
            return EligibilityRuleSet.objects.select_related("project", "updated_by").get(
                pk=int(object_id)
            )
        except EligibilityRuleSet.DoesNotExist as exc:
            raise Http404("没有找到该报考条件规则。") from exc

    @staticmethod
    def _facts(rule_set: EligibilityRuleSet) -> list[tuple[str, str]]:
        updated_by = rule_set.updated_by
        return [
            ("考试项目", rule_set.project.name),
            ("当前版本", f"第 {rule_set.version} 版"),
            (
                "更新人",
                (updated_by.get_full_name() or updated_by.get_username()) if updated_by else "—",
            ),
            ("更新时间", f"{timezone.localtime(rule_set.updated_at):%Y-%m-%d %H:%M}"),
        ]

    def _context(self, request: HttpRequest, rule_set: EligibilityRuleSet, **extra: Any) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": rule_set,
            "title": f"报考条件：{rule_set.project.name}",
            "facts": self._facts(rule_set),
            "cancel_url": reverse("admin:exam_eligibilityruleset_changelist"),
            "export_url": reverse("admin:exam_eligibilityruleset_export", args=[rule_set.pk]),
            "import_url": reverse("admin:exam_eligibilityruleset_import", args=[rule_set.pk]),
            **extra,
        }

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        rule_set = self._rule_set(request, object_id)
        if request.method != "POST":
            form = RuleSetForm(initial=_initial(rule_set), rule_set=rule_set)
            return self._form_page(request, rule_set, form)
        form = RuleSetForm(request.POST, rule_set=rule_set)
        if "_edit" in request.POST:  # 返回修改: the posted input, in the editable form
            return self._form_page(request, rule_set, _editable(form.data, rule_set))
        if not form.is_valid():
            return self._form_page(request, rule_set, form)
        data = form.cleaned_data
        proposed = PreviewInput(
            rules=data["rules"],
            cutoff_date=data["cutoff_date"],
            blocks_submission=data["blocks_submission"],
            base_version=data["base_version"],
        )
        return self._start_preview(request, rule_set, proposed, form=form)

    def _start_preview(
        self,
        request: HttpRequest,
        rule_set: EligibilityRuleSet,
        proposed: PreviewInput,
        *,
        form: RuleSetForm | None = None,
    ) -> HttpResponse:
        """预览: the input checked at once, then the preview job started and its page
        opened. A refusal goes back to the form (`form`: the input; None: an imported
        sheet, whose refusal is a message over the saved rules)."""
        try:
            job = rule_set_preview_start(actor=request.user, rule_set=rule_set, proposed=proposed)
        except ValidationError as exc:
            if form is None:
                messages.error(request, "导入失败：" + "；".join(exc.messages))
                form = RuleSetForm(initial=_initial(rule_set), rule_set=rule_set)
            else:
                form.add_error("rules", exc)
            return self._form_page(request, rule_set, form)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self._form_page(request, rule_set, _editable(_as_data(proposed), rule_set))
        return HttpResponseRedirect(_preview_url(rule_set, job.pk))

    def preview_view(self, request: HttpRequest, object_id: str, job_id: int) -> HttpResponse:
        """The preview job's page: its progress while it runs (polling the job's status),
        then the moves and 确认保存 (POST _save), 返回修改 (_edit) and, after a failure,
        重新预览 (_again: a new job with the same input)."""
        rule_set = self._rule_set(request, object_id)
        if request.method == "POST" and "_save" in request.POST:
            return self._save(request, rule_set, job_id)
        # A dead worker's preview shows as failed; SQLite busy just now: the poll tries again.
        with contextlib.suppress(OperationalError):
            jobs_fail_dead(owner=request.user)
        try:
            job = rule_set_preview_job(actor=request.user, rule_set=rule_set, job_id=job_id)
        except ServiceError as exc:
            raise Http404(exc.message) from exc
        proposed = PreviewInput.from_job(job)
        if request.method == "POST":
            if "_edit" in request.POST:
                return self._form_page(request, rule_set, _editable(_as_data(proposed), rule_set))
            if "_again" in request.POST:
                return self._start_preview(request, rule_set, proposed)
            return HttpResponseRedirect(_preview_url(rule_set, job.pk))
        done = job.status == Job.Status.DONE
        context = self._context(
            request,
            rule_set,
            job=job,
            status=job_status(job),
            status_url=reverse("admin:jobs_job_status", args=[job.pk]),
            preview=rule_set_preview_result(job=job) if done else None,
            moved_listed=MOVED_LISTED,
            outcome_labels=[outcome.label for outcome in Outcome],
            changes=_changes(rule_set, proposed),
            stale=rule_set.version != proposed.base_version,
            base_version=proposed.base_version,
            confirm_url=_preview_url(rule_set, job.pk),
        )
        return TemplateResponse(request, PREVIEW_TEMPLATE, context)

    def get_urls(self) -> list[URLPattern]:
        app, model = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name=f"{app}_{model}_export",
            ),
            path(
                "<path:object_id>/import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{app}_{model}_import",
            ),
            path(
                "<path:object_id>/preview/<int:job_id>/",
                self.admin_site.admin_view(self.preview_view),
                name=f"{app}_{model}_preview",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """导出 Excel: the rule set as a sheet a clerk edits (exam/eligibility/rule_xlsx.py)."""
        rule_set = self._rule_set(request, object_id)
        return export_response(
            request,
            export_name=f"报考条件（{rule_set.project.name}）",
            build=lambda: rule_set_xlsx_exporter(rule_set=rule_set),
            filename=lambda: rule_set_xlsx_filename(rule_set=rule_set),
            back_url=reverse("admin:exam_eligibilityruleset_change", args=[rule_set.pk]),
        )

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """导入 Excel: the sheet read back and previewed by the same job as the form's input;
        nothing is saved before its 确认保存."""
        rule_set = self._rule_set(request, object_id)
        change_url = reverse("admin:exam_eligibilityruleset_change", args=[rule_set.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要导入的 Excel 文件（.xlsx）。")
            return HttpResponseRedirect(change_url)
        limits = ReadLimits.from_settings()
        if upload.size is not None and upload.size > limits.max_bytes:
            messages.error(request, limits.size_message(upload.size))
            return HttpResponseRedirect(change_url)
        try:
            sheet = rule_set_xlsx_read(rule_set=rule_set, data=upload.read())
        except ValidationError as exc:
            messages.error(request, "导入失败：" + "；".join(exc.messages))
            return HttpResponseRedirect(change_url)
        proposed = PreviewInput(
            rules=sheet.rules,
            cutoff_date=sheet.cutoff_date,
            blocks_submission=sheet.blocks_submission,
            base_version=rule_set.version,
        )
        return self._start_preview(request, rule_set, proposed)

    def _form_page(
        self, request: HttpRequest, rule_set: EligibilityRuleSet, form: RuleSetForm
    ) -> TemplateResponse:
        return TemplateResponse(request, FORM_TEMPLATE, self._context(request, rule_set, form=form))

    def _save(
        self, request: HttpRequest, rule_set: EligibilityRuleSet, job_id: int
    ) -> HttpResponse:
        """确认保存: exactly what the preview job previewed. A refusal (the rules saved by
        someone else since, the preview not finished or not this rule set's) is said on the
        preview's page, or on the form when the preview is not this rule set's."""
        try:
            saved = rule_set_preview_save(actor=request.user, rule_set=rule_set, job_id=job_id)
        except (ValidationError, ServiceError) as exc:
            text = exc.message if isinstance(exc, ServiceError) else "；".join(exc.messages)
            messages.error(request, text)
            try:
                rule_set_preview_job(actor=request.user, rule_set=rule_set, job_id=job_id)
            except ServiceError:
                return HttpResponseRedirect(
                    reverse("admin:exam_eligibilityruleset_change", args=[rule_set.pk])
                )
            return HttpResponseRedirect(_preview_url(rule_set, job_id))
        rule_set.refresh_from_db()
        messages.success(
            request,
            f"已保存{rule_set.project.name}的报考条件规则（第 {rule_set.version} 版），"
            "正在后台重新判断本项目的全部申报。",
        )
        return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[saved.pk]))


def _preview_url(rule_set: EligibilityRuleSet, job_id: int) -> str:
    return reverse("admin:exam_eligibilityruleset_preview", args=[rule_set.pk, job_id])


def _as_data(proposed: PreviewInput) -> dict[str, Any]:
    """A previewed input as the form posts it (the rules on one line)."""
    return {
        "cutoff_date": proposed.cutoff_date.isoformat(),
        "blocks_submission": "true" if proposed.blocks_submission else "false",
        "rules": json.dumps(proposed.rules, ensure_ascii=False),
        "base_version": proposed.base_version,
    }


def _editable(data: Any, rule_set: EligibilityRuleSet) -> RuleSetForm:
    """Posted (or previewed) input in an unbound form, the rules indented again."""
    rules = data.get("rules", "")
    with contextlib.suppress(TypeError, ValueError):
        rules = rules_pretty(json.loads(rules))
    blocks = forms.CheckboxInput().value_from_datadict(data, {}, "blocks_submission")
    return RuleSetForm(
        initial={
            "cutoff_date": data.get("cutoff_date", ""),
            "blocks_submission": blocks,
            "rules": rules,
            "base_version": data.get("base_version", rule_set.version),
        },
        rule_set=rule_set,
    )


def _changes(rule_set: EligibilityRuleSet, data: PreviewInput) -> list[tuple[str, str, str]]:
    """What differs from the saved rule set: (what, now, proposed)."""
    changes = []
    cutoff: datetime.date = data.cutoff_date
    if cutoff != rule_set.cutoff_date:
        changes.append(("截止日期", f"{rule_set.cutoff_date:%Y-%m-%d}", f"{cutoff:%Y-%m-%d}"))
    if data.blocks_submission != rule_set.blocks_submission:
        words = {True: "禁止提交", False: "仅提示"}
        changes.append(
            ("不符合时", words[rule_set.blocks_submission], words[data.blocks_submission])
        )
    if data.rules != rule_set.rules:
        changes.append(("规则", f"第 {rule_set.version} 版", "已修改"))
    return changes
