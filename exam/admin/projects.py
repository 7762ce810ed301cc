"""考试项目: provincial staff set each project's registration window and rules; the
project's identity (kind, year, name) stays as created. Saving goes through
exam.project_services.exam_project_update (the audit log, and the re-evaluation of 报考条件
when a number the rules read changed)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from core.errors import ServiceError
from exam.models import ExamKind, ExamProject
from exam.project_services import RETENTION_FIELDS, ProjectChange, exam_project_update
from people.admin.policy import PROVINCIAL
from people.admin.provincial import ProvincialReadOnlyAdmin

IDENTITY_FIELDS = ("name", "kind", "year")
WINDOW_FIELDS = ("registration_opens_at", "registration_closes_at", "is_active")
TCM_RULE_FIELDS = (
    "case_record_count",
    "apprenticeship_recommenders",
    "apprenticeship_supervisors",
    "practice_recommenders",
    "practice_supervisor_cutoff",
)


@admin.register(ExamProject)
class ExamProjectAdmin(ProvincialReadOnlyAdmin):
    list_display = [
        "name",
        "kind",
        "year",
        "registration_opens_at",
        "registration_closes_at",
        "is_active",
        "closed_at",
    ]
    list_filter = ["kind", "year", "is_active"]
    search_fields = ["name"]
    readonly_fields = IDENTITY_FIELDS
    warn_unsaved_form = True
    change = PROVINCIAL  # the window and the rules; IDENTITY_FIELDS stay read-only

    def get_fieldsets(self, request: HttpRequest, obj: ExamProject | None = None):
        fieldsets = [
            ("考试项目", {"fields": IDENTITY_FIELDS}),
            ("报名时间", {"fields": WINDOW_FIELDS}),
        ]
        if obj is None or obj.kind == ExamKind.TCM_EXPERTISE:
            fieldsets.append(("中医医术确有专长考核规则", {"fields": TCM_RULE_FIELDS}))
        fieldsets.append(
            (
                "项目结束与个人信息保存期限",
                {
                    "fields": RETENTION_FIELDS,
                    "description": "项目结束后，到期的申报资料、证件照和签名由定期任务删除文件并匿名化，"
                    "统计数据和审核日志保留。未结束的项目不会被清除。",
                },
            )
        )
        return fieldsets

    def save_model(self, request: HttpRequest, obj: ExamProject, form, change: bool) -> None:
        if not change:  # nobody adds a project here (add is NOBODY): Django's own save
            super().save_model(request, obj, form, change)
            return
        try:
            done = exam_project_update(
                actor=request.user,
                project=obj,
                changes={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except ServiceError as exc:  # only if the permission was lost since the page opened
            raise PermissionDenied(exc.message) from exc
        # The admin keeps one instance for every request: what response_change reports
        # travels with the request.
        request.exam_project_change = done  # type: ignore[attr-defined]

    def response_change(self, request: HttpRequest, obj: ExamProject) -> HttpResponse:
        response = super().response_change(request, obj)
        done: ProjectChange | None = getattr(request, "exam_project_change", None)
        if done is not None and done.job is not None:
            self.message_user(
                request,
                format_html(
                    "报考条件读取的设置有变化，已开始在后台重新判断本项目全部申报的报考条件"
                    '（<a href="{}">查看进度</a>）。',
                    reverse("admin:jobs_job_change", args=[done.job.pk]),
                ),
                messages.SUCCESS,
            )
        return response
