"""报考条件: provincial staff edit a project's eligibility rules. Saving always goes through
a preview: 预览 shows how the submitted applications would move between 符合 / 不符合 /
需人工核实, and its 确认保存 sends the same input again (hidden), checked again, to
exam.eligibility.rule_changes.rule_set_update, which saves a new version and starts the
background job that re-evaluates the project (the page then opens the job). Nobody adds or
deletes a rule set by hand: each exam project has one."""

from __future__ import annotations

import contextlib
import datetime
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from unfold.widgets import (
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
    UnfoldBooleanSwitchWidget,
)

from core.errors import ServiceError
from core.imports.limits import ReadLimits
from core.xlsx import XLSX_CONTENT_TYPE
from exam.eligibility.outcomes import Outcome
from exam.eligibility.rule_changes import (
    MOVED_LISTED,
    rule_set_preview,
    rule_set_rules_check,
    rule_set_update,
)
from exam.eligibility.rule_xlsx import (
    rule_set_xlsx_export,
    rule_set_xlsx_filename,
    rule_set_xlsx_read,
)
from exam.models import EligibilityRuleSet
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
        if "_edit" in request.POST:  # 返回修改: the previewed input, in the editable form
            return self._form_page(request, rule_set, _editable(form, rule_set))
        if not form.is_valid():
            return self._form_page(request, rule_set, form)
        data = form.cleaned_data
        if "_save" in request.POST:
            return self._save(request, rule_set, form)
        return self._preview_page(request, rule_set, data, form=form)

    def _preview_page(
        self,
        request: HttpRequest,
        rule_set: EligibilityRuleSet,
        data: dict[str, Any],
        *,
        form: RuleSetForm | None = None,
    ) -> HttpResponse:
        """预览 of `data` (the form's cleaned input, or an imported sheet's); its 确认保存
        posts to the change page. A refusal goes back to the form (`form`: the input)."""
        try:
            preview = rule_set_preview(
                rule_set=rule_set, rules=data["rules"], cutoff_date=data["cutoff_date"]
            )
        except ValidationError as exc:
            if form is None:
                form = RuleSetForm(initial=_initial(rule_set), rule_set=rule_set)
                messages.error(request, "导入失败：" + "；".join(exc.messages))
            else:
                form.add_error("rules", exc)
            return self._form_page(request, rule_set, form)
        context = self._context(
            request,
            rule_set,
            preview=preview,
            moved_listed=MOVED_LISTED,
            outcome_labels=[outcome.label for outcome in Outcome],
            changes=_changes(rule_set, data),
            hidden={
                "cutoff_date": data["cutoff_date"].isoformat(),
                "blocks_submission": "true" if data["blocks_submission"] else "false",
                "rules": json.dumps(data["rules"], ensure_ascii=False),
                "base_version": data["base_version"],
            },
            confirm_url=reverse("admin:exam_eligibilityruleset_change", args=[rule_set.pk]),
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
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """导出 Excel: the rule set as a sheet a clerk edits (exam/eligibility/rule_xlsx.py)."""
        rule_set = self._rule_set(request, object_id)
        response = HttpResponse(
            rule_set_xlsx_export(rule_set=rule_set), content_type=XLSX_CONTENT_TYPE
        )
        filename = rule_set_xlsx_filename(rule_set=rule_set)
        response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
        return response

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """导入 Excel: the sheet read back and shown on the same 预览 as the form's input;
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
            proposed = rule_set_xlsx_read(rule_set=rule_set, data=upload.read())
        except ValidationError as exc:
            messages.error(request, "导入失败：" + "；".join(exc.messages))
            return HttpResponseRedirect(change_url)
        data = {
            "rules": proposed.rules,
            "cutoff_date": proposed.cutoff_date,
            "blocks_submission": proposed.blocks_submission,
            "base_version": rule_set.version,
        }
        return self._preview_page(request, rule_set, data)

    def _form_page(
        self, request: HttpRequest, rule_set: EligibilityRuleSet, form: RuleSetForm
    ) -> TemplateResponse:
        return TemplateResponse(request, FORM_TEMPLATE, self._context(request, rule_set, form=form))

    def _save(
        self, request: HttpRequest, rule_set: EligibilityRuleSet, form: RuleSetForm
    ) -> HttpResponse:
        data = form.cleaned_data
        try:
            job = rule_set_update(
                actor=request.user,
                rule_set=rule_set,
                rules=data["rules"],
                cutoff_date=data["cutoff_date"],
                blocks_submission=data["blocks_submission"],
                base_version=data["base_version"],
            )
        except ValidationError as exc:
            form.add_error("rules", exc)
            return self._form_page(request, rule_set, form)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self._form_page(request, rule_set, _editable(form, rule_set))
        messages.success(
            request,
            f"已保存{rule_set.project.name}的报考条件规则（第 {rule_set.version} 版），"
            "正在后台重新判断本项目的全部申报。",
        )
        return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[job.pk]))


def _editable(form: RuleSetForm, rule_set: EligibilityRuleSet) -> RuleSetForm:
    """The posted (valid) input in an unbound form, the rules indented again (the preview
    carries them on one line)."""
    data = form.data
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


def _changes(rule_set: EligibilityRuleSet, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What differs from the saved rule set besides the rules: (what, now, proposed)."""
    changes = []
    cutoff: datetime.date = data["cutoff_date"]
    if cutoff != rule_set.cutoff_date:
        changes.append(("截止日期", f"{rule_set.cutoff_date:%Y-%m-%d}", f"{cutoff:%Y-%m-%d}"))
    if data["blocks_submission"] != rule_set.blocks_submission:
        words = {True: "禁止提交", False: "仅提示"}
        changes.append(
            ("不符合时", words[rule_set.blocks_submission], words[data["blocks_submission"]])
        )
    if data["rules"] != rule_set.rules:
        changes.append(("规则", f"第 {rule_set.version} 版", "已修改"))
    return changes
