"""Excel import and export for unfold ModelAdmins: `PlatformImportMixin`.

How to add an import
--------------------

1. Write a resource in your app (e.g. `exam/imports.py`), subclassing
   `core.imports.base.PlatformResource`::

       class PaymentResource(PlatformResource):
           importer_key = "payments"            # ImportLog.importer
           importer_label = "缴费状态"           # titles, file names
           text_columns = ("证件号码",)          # text cells in template and export
           example_row = {"证件号码": "420102199001011234", "缴费状态": "已缴费"}
           column_notes = {"缴费状态": "待缴费、已缴费或已退费。"}

           id_number = Field("id_number", "证件号码", widget=IdNumberWidget())
           ...

           class Meta(PlatformResource.Meta):   # keep the base Meta (transactions,
               model = Application              # skip_unchanged, report_skipped)
               fields = ("id_number", ...)
               import_id_fields = ("id_number",)

   Every `Field` needs its Chinese `column_name`: errors, templates and exports use it.
   Cell widgets with Chinese errors are in `core.imports.widgets` (IdNumberWidget,
   DateWidget, YearWidget, YesNoWidget, ChoiceLabelWidget,
   CodeLookupWidget, TextWidget). A widget's `clean` raises ValueError with a Chinese
   sentence; the base class reports it as “第 N 行“列”：reason”.
   Hooks on the resource: `row_errors(instance, row, new)` → {column: [reason]} for
   cross-column and scope checks (they run before 未变化 is decided);
   `do_instance_save(instance, is_create)` to write through a service (a ServiceError or
   `CellError(message, column)` refuses the row); `prepare_dataset` to reorder rows;
   `extra_columns()` for more allowed headers; `key_value(column, value)` to normalise a
   key cell for the duplicate check; `private_columns` (e.g. passwords) are kept out of
   the preview. `self.actor`, `self.institution` (the actor's own institution) and
   `self.options` (cleaned extra form fields) are set. After a run, `result.problems` is
   the list of `ImportProblem(row, column, message)` (Excel row numbers, header = 1).
   Tests: `tests/review/import_helpers.py` (xlsx/csv files, preview → confirm).

2. Register it (people/importers.py) at the end of that module, under the admin's model
   label (the background job finds it there, without the admin)::

       register(Importer(
           identifier="review.paymentapplication",
           resource_class=PaymentResource,
           options_form_class=ProjectChoiceForm,   # optional extra form fields
           perm=Perm.MANAGE, province_only=True,   # default: provincial staff
       ))

3. Put the mixin in front of your admin (the importer gives it the resource, the option
   fields, the permission and the ImportLog row)::

       @admin.register(PaymentStatusProxy)
       class PaymentAdmin(PlatformImportMixin, ModelAdmin):
           resource_classes = [PaymentResource]    # what its 导出 writes

   That gives, under the model's admin URL: `import/` (upload → preview with counts
   新增/更新/未变化/错误 and every problem in Chinese; 确认导入 only when there is none),
   `process_import/` (applies in one transaction: all or nothing), `import-template/`
   (xlsx with the headers, one example row, text-formatted ID columns; query string =
   option values), `export/` (xlsx of the filtered, scoped list; needs
   `has_export_permission`). Every refused preview and every applied import writes an
   `ImportLog` row (sha256 of the uploaded bytes, counts); passwords never reach it.
   Import formats: xlsx and csv (UTF-8 or GB18030, detected from the bytes), read within
   `import_read_limits()` (core.imports.limits: upload size, rows, the import's own
   columns + settings.IMPORT_EXTRA_COLUMNS, cells; an xlsx is checked by
   core.imports.xlsx_guard before python-calamine reads it).

4. Optional: `get_template_links(request)` → [(label, url)] for several templates (e.g.
   one per 对比库); `import_help` (a Chinese paragraph shown above the form).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.results import Result
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from core.access_log import access_origin
from core.imports.base import (
    ImportFileError,
    PlatformXLSX,
    ReadLimits,
    result_counts,
    result_problems,
)
from core.xlsx import Exporter, RowsExporter, write_workbook
from people.access import has_perm_somewhere, is_provincial_staff, own_institution
from people.admin.export_form import export_response
from people.importers import IMPORT_FORMATS, Importer, importer_get
from people.models import ImportLog
from people.permissions import Perm

IMPORT_TEMPLATE = "people/admin/imports/import.html"

#: (model_admin, request) → the background job's page, or None to preview in the request.
ImportOffload = Callable[[Any, HttpRequest], HttpResponse | None]
_import_offload: ImportOffload | None = None


def import_offload_set(offload: ImportOffload) -> None:
    """The job queue (review.jobs, above this layer) says how a large upload becomes a job,
    when the apps are ready; until then every upload is previewed in the request."""
    global _import_offload
    _import_offload = offload


class PlatformImportForm(ImportForm):
    """Upload form: the format follows the file's extension when none is chosen."""

    EXTENSIONS = {".xlsx": "xlsx", ".csv": "csv"}

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self._format_titles = {str(i): f().get_title() for i, f in enumerate(formats)}
        self.fields["format"].required = False
        self.fields["format"].label = "文件格式"
        self.fields["format"].help_text = "不选时按文件扩展名判断。"
        self.fields["import_file"].label = "导入文件"
        limits = ReadLimits.from_settings()
        self.fields["import_file"].help_text = (
            f"Excel 工作簿（.xlsx）或 CSV 文件（.csv），不超过 {limits.max_bytes // 2**20} MB、"
            f"{limits.max_rows:,} 行数据。"
        )
        self.fields["resource"].label = "导入类型"

    def clean(self):
        data = super().clean()
        upload = data.get("import_file")
        if upload is None:
            return data
        limits = ReadLimits.from_settings()
        if upload.size is not None and upload.size > limits.max_bytes:
            self.add_error("import_file", limits.size_message(upload.size))
            return data
        extension = os.path.splitext(upload.name or "")[1].lower()
        if extension == ".xls":
            self.add_error(
                "import_file", "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后上传。"
            )
            return data
        wanted = self.EXTENSIONS.get(extension)
        if wanted is None:
            self.add_error("import_file", "只能导入 .xlsx 或 .csv 文件。")
            return data
        chosen = data.get("format") or ""
        if not chosen:
            for index, title in self._format_titles.items():
                if title == wanted:
                    data["format"] = index
                    break
            else:
                self.add_error("format", f"本导入不支持 {extension} 文件。")
        elif self._format_titles.get(str(chosen)) != wanted:
            self.add_error("format", f"所选格式与文件扩展名 {extension} 不一致。")
        return data


def file_sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _upload_sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


class PlatformImportMixin(ImportExportMixin):
    """Import (preview → confirm), template download, scoped xlsx export and ImportLog for
    an unfold ModelAdmin. See the module docstring."""

    import_template_name = IMPORT_TEMPLATE
    import_form_class = PlatformImportForm
    export_form_class = ExportForm
    import_formats = list(IMPORT_FORMATS)
    export_formats = [PlatformXLSX]
    skip_export_form = True
    skip_admin_log = True  # ImportLog (and the services' own logs) record what happened
    import_error_display = ("message",)
    #: A Chinese paragraph shown above the upload form.
    import_help: str = ""

    def importer(self) -> Importer:
        """This admin's import in the registry (people/importers.py), by its model label."""
        return importer_get(self.opts.label_lower)

    @property
    def import_options_form_class(self) -> type[forms.Form] | None:
        """The importer's option fields: added to the upload form, carried to the confirm
        step and passed to the resource as `options` (e.g. which 对比库)."""
        return self.importer().options_form_class

    # --- permissions: our institution permissions, never Django's global ones ------------

    def has_import_permission(self, request: HttpRequest) -> bool:
        # The importer's rule, asked through the request's cached permission checks.
        importer = self.importer()
        if importer.province_only:
            return is_provincial_staff(request)
        return has_perm_somewhere(request, importer.perm)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request) and (
            is_provincial_staff(request) or has_perm_somewhere(request, Perm.EXPORT)
        )

    # --- URLs ------------------------------------------------------------------------

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import-template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def _url(self, name: str) -> str:
        return reverse(
            "admin:{}_{}_{}".format(*self.get_model_info(), name),
            current_app=self.admin_site.name,
        )

    # --- resources -------------------------------------------------------------------

    def import_read_limits(self) -> ReadLimits:
        """What this admin's import formats read: at most the import's own columns (plus
        a margin) and settings.IMPORT_MAX_* (core.imports.limits)."""
        return self.importer().read_limits()

    def get_import_formats(self):
        # Every reader of an upload (preview, 确认导入, the row count, the background job)
        # gets its formats from the importer.
        return self.importer().formats()

    def get_import_resource_classes(self, request: HttpRequest | None):
        return [self.importer().resource_class]

    def import_resource_class(self, request: HttpRequest):
        return self.importer().resource_class

    def get_import_label(self, request: HttpRequest) -> str:
        cls = self.import_resource_class(request)
        return cls.importer_label or str(self.opts.verbose_name_plural)

    def get_import_resource_kwargs(self, request, **kwargs):
        return self.importer().resource_kwargs(
            user=request.user, options=self._options_from(kwargs.get("form"))
        )

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"actor": request.user, "institution": own_institution(request), "options": {}}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs.update(self.importer().import_data_kwargs())
        return kwargs

    # --- option fields ---------------------------------------------------------------

    def get_import_options_form_kwargs(self, request: HttpRequest) -> dict:
        return {}

    def _option_fields(self, request: HttpRequest) -> dict[str, forms.Field]:
        if self.import_options_form_class is None:
            return {}
        form = self.import_options_form_class(**self.get_import_options_form_kwargs(request))
        return dict(form.fields)

    def _options_from(self, form) -> dict[str, Any]:
        if form is None:
            return {}
        return self.importer().options_from_cleaned(getattr(form, "cleaned_data", None))

    def create_import_form(self, request):
        form = super().create_import_form(request)
        options = self._option_fields(request)
        if options:
            form.fields = {**options, **form.fields}
        return form

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form=import_form)
        for name, field in self._option_fields(request).items():
            multiple = isinstance(field, forms.MultipleChoiceField)
            field.widget = forms.MultipleHiddenInput() if multiple else forms.HiddenInput()
            form.fields[name] = field
            if import_form is not None:
                key = import_form.add_prefix(name)
                raw = import_form.data.getlist(key) if multiple else import_form.data.get(key)
                form.initial[name] = raw
        return form

    # --- the upload and preview --------------------------------------------------------

    def get_template_links(self, request: HttpRequest) -> list[tuple[str, str]]:
        return [(f"下载{self.get_import_label(request)}导入模板", self._url("import_template"))]

    def _decorate(self, request: HttpRequest, context: dict) -> None:
        resource_class = self.import_resource_class(request)
        form = context.get("form")
        if not (form is not None and form.is_bound and hasattr(form, "cleaned_data")):
            form = None
        resource = resource_class(**self.get_import_resource_kwargs(request, form=form))
        required = set(resource.get_required_columns())
        context["import_label"] = self.get_import_label(request)
        context["import_help"] = self.import_help
        context["template_links"] = self.get_template_links(request)
        context["import_columns"] = [(c, c in required) for c in resource.template_columns()]
        context["changelist_url"] = self._url("changelist")
        context["import_url"] = self._url("import")
        context["title"] = f"导入{context['import_label']}"
        result = context.get("result")
        if result is not None:
            context["counts"] = result_counts(result)
            context["problems"] = result_problems(result)
            context["has_problems"] = bool(
                context["problems"] or result.has_errors() or result.has_validation_errors()
            )

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        if request.method == "POST" and self.has_import_permission(request):
            # A file over settings.JOB_THRESHOLD_ROWS rows: validated and imported by a
            # background job (我的任务) instead of a preview in the request.
            job = _import_offload(self, request) if _import_offload else None
            if job is not None:
                return job
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        self._decorate(request, context)
        result = context.get("result")
        form = context.get("form")
        if result is not None and context.get("has_problems") and form is not None:
            upload = form.cleaned_data.get("import_file")
            self._remove_upload(upload)
            self.write_import_log(
                request,
                result,
                outcome=ImportLog.Outcome.REFUSED,
                file_name=upload.name if upload else "",
                sha256=_upload_sha256(upload) if upload else "",
            )
        return response

    def _remove_upload(self, upload) -> None:
        """A refused file is not kept in the temporary folder (it may hold passwords)."""
        name = getattr(upload, "tmp_storage_name", None)
        if not name:
            return
        storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
        with contextlib.suppress(OSError):
            storage.remove()

    def _remove_tmp(self, name: str) -> None:
        storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
        with contextlib.suppress(OSError):
            storage.remove()

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                "无法读取该文件，请确认它是 .xlsx 或 .csv 文件，且所选格式与文件一致。",
            )

    # --- the confirmed import ----------------------------------------------------------

    @method_decorator(require_POST)
    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            messages.error(request, "导入确认信息无效，请重新上传文件。")
            return HttpResponseRedirect(self._url("import"))
        if request.POST.get("cancel"):
            # 取消导入: the previewed upload is removed now, not left in the temp folder.
            self._remove_tmp(confirm_form.cleaned_data["import_file_name"])
            messages.info(request, "已取消导入，上传的文件已删除，没有写入任何数据。")
            return HttpResponseRedirect(self._url("changelist"))
        import_formats = self.get_import_formats()
        try:
            input_format = import_formats[int(confirm_form.cleaned_data["format"])]()
        except (ValueError, IndexError):
            messages.error(request, "文件格式无效，请重新上传文件。")
            return HttpResponseRedirect(self._url("import"))
        tmp_storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        try:
            data = tmp_storage.read()
        except (OSError, TypeError):
            messages.error(request, "上传的文件已失效，请重新上传。")
            return HttpResponseRedirect(self._url("import"))
        if data is None:
            messages.error(request, "上传的文件已失效，请重新上传。")
            return HttpResponseRedirect(self._url("import"))
        file_name = confirm_form.cleaned_data["original_file_name"]
        sha256 = file_sha256(data)
        try:
            dataset = input_format.create_dataset(data)
        except ImportFileError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self._url("import"))
        try:
            result = self.process_dataset(dataset, confirm_form, request, **kwargs)
        finally:
            with contextlib.suppress(OSError):
                tmp_storage.remove()
        counts = result_counts(result)
        problems = result_problems(result)
        if problems or result.has_errors() or result.has_validation_errors():
            self.write_import_log(
                request,
                result,
                outcome=ImportLog.Outcome.REFUSED,
                file_name=file_name,
                sha256=sha256,
            )
            return self._refused_page(request, result)
        self.write_import_log(
            request,
            result,
            outcome=ImportLog.Outcome.APPLIED,
            file_name=file_name,
            sha256=sha256,
        )
        messages.success(
            request,
            f"导入完成：新增 {counts['new']} 条，更新 {counts['update']} 条，"
            f"未变化 {counts['skip']} 条。",
        )
        return HttpResponseRedirect(self._url("changelist"))

    def _blank_import_form(self, request: HttpRequest):
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        options = self._option_fields(request)
        if options:
            form.fields = {**options, **form.fields}
        return form

    def _refused_page(self, request: HttpRequest, result: Result) -> TemplateResponse:
        form = self._blank_import_form(request)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "result": result,
            "applied_refused": True,
            "media": self.media + form.media,
        }
        self._decorate(request, context)
        messages.error(request, "导入时发现错误，已全部撤销，没有写入任何数据。")
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def write_import_log(
        self, request: HttpRequest, result: Result, *, outcome: str, file_name: str, sha256: str
    ) -> ImportLog:
        return self.importer().log(
            user=request.user,
            result=result,
            outcome=outcome,
            file_name=file_name,
            sha256=sha256,
            origin=access_origin(request),
        )

    # --- template ------------------------------------------------------------------------

    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        options: dict[str, Any] = {}
        if self.import_options_form_class is not None:
            form = self.import_options_form_class(
                request.GET or None, **self.get_import_options_form_kwargs(request)
            )
            if form.is_bound and form.is_valid():
                options = form.cleaned_data
        resource = self.importer().resource(user=request.user, options=options)
        headers = resource.template_columns()
        example = resource.template_example()
        content = write_workbook(
            headers,
            [[example.get(h, "") for h in headers]],
            text_columns=tuple(resource.text_columns),
            title="导入数据",
            notes=resource.template_notes(),
        )
        label = self.get_import_label(request)
        suffix = "".join(f"_{v}" for v in options.values() if v)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = content_disposition_header(
            True, f"{label}导入模板{suffix}.xlsx"
        )
        return response

    def template_url(self, **options) -> str:
        url = self._url("import_template")
        return f"{url}?{urlencode(options)}" if options else url

    # --- export --------------------------------------------------------------------------

    def get_export_filename(self, request, queryset, file_format) -> str:
        label = self.get_import_label(request)
        return f"{label}_{timezone.localdate():%Y%m%d}.{file_format.get_extension()}"

    def export_action(self, request: HttpRequest) -> HttpResponse:
        """The filtered, scoped list through the resource's columns, after the 导出用途 form
        (people.admin.export_form): the resource's `masked_columns` masked unless full
        values were allowed and asked for, stamped, recorded."""
        if not self.has_export_permission(request):
            raise PermissionDenied

        def build() -> Exporter:
            resource_class = self.get_export_resource_classes(request)[0]
            queryset = self.get_export_queryset(request)
            dataset = self.get_data_for_export(request, queryset, force_native_type=True)
            return RowsExporter(
                dataset.headers or [],
                list(dataset),
                text_columns=tuple(resource_class.text_columns),
                masked_columns=resource_class.masked_columns,
                title=self.get_import_label(request)[:31],
            )

        return export_response(
            request,
            export_name=self.get_import_label(request),
            build=build,
            filename=lambda: self.get_export_filename(request, None, PlatformXLSX()),
            back_url=self._url("changelist"),
        )
