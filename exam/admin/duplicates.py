"""查重设置 (基础数据): provincial staff set each project's text threshold. Saving goes through
exam.duplicates.settings_services (range check, audit log, re-matching in the background)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from core.errors import ServiceError
from exam.duplicates.models import DuplicateSettings
from exam.duplicates.settings_services import duplicate_settings_update, threshold_problem
from exam.models import ExamKind, ExamProject
from people.admin.policy import PROVINCIAL
from people.admin.provincial import ProvincialReadOnlyAdmin


class DuplicateSettingsForm(forms.ModelForm):
    class Meta:
        model = DuplicateSettings
        fields = ["project", "text_threshold"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "project" in self.fields:  # adding: the TCM projects without settings yet
            self.fields["project"].queryset = ExamProject.objects.filter(
                kind=ExamKind.TCM_EXPERTISE, duplicate_settings__isnull=True
            )

    def clean_text_threshold(self) -> int:
        value = self.cleaned_data["text_threshold"]
        problem = threshold_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


@admin.register(DuplicateSettings)
class DuplicateSettingsAdmin(ProvincialReadOnlyAdmin):
    form = DuplicateSettingsForm
    list_display = ["project", "text_threshold"]
    add = change = PROVINCIAL

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ("project",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: DuplicateSettings, form, change: bool) -> None:
        try:
            saved = duplicate_settings_update(
                actor=request.user,
                project=obj.project,
                text_threshold=form.cleaned_data["text_threshold"],
            )
        except ServiceError as exc:  # the permission was lost since the page opened
            raise PermissionDenied(exc.message) from exc
        obj.pk = saved.pk
