"""The shared part of every Excel import: the resource base class and the Chinese problem
list. The admin side (preview, confirm, template, log) is in admin.py; the file formats
and readers (within ReadLimits) in formats.py, files.py and xlsx_guard.py.

`PlatformResource` is a django-import-export ModelResource with:

- columns checked before any row: a missing required column or an unknown header is a
  file-level problem and no row is read;
- blank lines dropped, every other row keeps its Excel row number (header = row 1);
- the same key twice in the file reported on both rows;
- every error keyed by its Chinese column header and collected as `result.problems`
  (`ImportProblem`: Excel row, column, reason);
- skip_unchanged / report_skipped, so a re-import shows every row as 未变化;
- transactions on, so one wrong row (or a failure midway) writes nothing.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.db import IntegrityError
from import_export import resources
from import_export.resources import Diff
from import_export.results import Result, RowResult

from core.errors import ServiceError

# The file formats and readers live in their own modules; imported here as before.
from core.imports.files import CSV_ENCODING_MESSAGE, decode_csv, read_xlsx_rows
from core.imports.files import header_text as _header
from core.imports.formats import PlatformCSV, PlatformXLSX
from core.imports.gc_pause import gc_paused
from core.imports.limits import XLSX_UNREADABLE_MESSAGE, ImportFileError, ReadLimits
from core.masking import MaskKind

__all__ = [
    "CSV_ENCODING_MESSAGE",
    "XLSX_UNREADABLE_MESSAGE",
    "CellError",
    "ImportFileError",
    "ImportProblem",
    "PlatformCSV",
    "PlatformResource",
    "PlatformXLSX",
    "ReadLimits",
    "decode_csv",
    "read_xlsx_rows",
    "result_counts",
    "result_problems",
]

# --- errors -----------------------------------------------------------------------------


class CellError(ValueError):
    """A row problem that belongs to one column; raise it from resource hooks and services
    wrappers (`column` is the Chinese header, "" for the whole row)."""

    def __init__(self, message: str, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class ImportProblem:
    """One error as shown to the user: Excel row (None: the whole file), column, reason."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return f"文件：{self.message}"
        where = f"第 {self.row} 行"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}"


# --- the resource base ----------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _key_part(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split()).upper() if value is not None else ""


_PLAIN_KEY = re.compile(r"[0-9A-Z]+")


def _key_parts(column: list[Any]) -> list[str]:
    """`_key_part` of each cell; a cell already in that form (an ID number, a code) as it is."""
    plain = _PLAIN_KEY.fullmatch
    return [
        value
        if type(value) is str and plain(value)
        else str(value)
        if type(value) is int
        else _key_part(value)
        for value in column
    ]


def _filled(values: list[Any]) -> bool:
    """Not a blank line; decided by the first cell on most rows."""
    first = values[0] if values else None
    if first is not None and (not isinstance(first, str) or first.strip()):
        return True
    return not all(_is_blank(v) for v in values)


def _row_lists(dataset: tablib.Dataset) -> list[list[Any]]:
    """The dataset's rows as lists (tablib keeps each in a Row around a list; indexing the
    dataset builds a tuple per row)."""
    data = getattr(dataset, "_data", None)
    if data is not None and all(hasattr(row, "_row") for row in data[:1]):
        return [list(row._row) for row in data]
    return [list(values) for values in dataset]


class PlatformDiff(Diff):
    """The preview's cells as the export writes them (dehydrate methods included), without
    the columns a resource keeps out of the preview (e.g. 初始密码)."""

    def __init__(self, resource, instance, new):
        self.left = self._values(resource, instance)
        self.right = []
        self.new = new

    def compare_with(self, resource, instance):
        self.right = self._values(resource, instance)

    @staticmethod
    def _values(resource, instance):
        if instance is None:
            return ["" for _ in resource.get_diff_fields()]
        return [resource.export_field(f, instance) for f in resource.get_diff_fields()]


# importer key → Chinese label, filled by every PlatformResource subclass (ImportLog list).
IMPORTERS: dict[str, str] = {}


class PlatformResource(resources.ModelResource):
    """Base for every import. Declare fields with Chinese `column_name`s and these:

    - `importer_key` (ImportLog.importer, e.g. "physicians") and `importer_label` (医师库);
    - `required_columns`: headers the file must have (the import id fields are added);
    - `text_columns`: written as text in the template and exports (ID numbers, codes);
    - `example_row`: {column: value} for the template's one example row;
    - `column_notes`: {column: explanation} for the template's 填写说明 sheet;
    - `duplicate_key_columns`: the columns that make a row's key in the file (default: the
      import id fields' columns); the same key twice is an error on both rows;
    - `masked_columns`: {column: core.masking kind} of ID numbers and phones (exports).

    Hooks: `extra_columns()` (more allowed headers, e.g. per 对比库), `prepare_dataset()`
    (reorder rows, e.g. parents first), `row_errors()` (cross-column and scope checks that
    run before 未变化 is decided), `do_instance_save()` (write through a service; raise
    `CellError` or `ServiceError` to refuse the row).

    Constructed with `actor` (the user), `institution` (the actor's own institution, may be
    None) and `options` (cleaned extra fields of the import form).
    """

    importer_key: ClassVar[str] = ""
    importer_label: ClassVar[str] = ""
    required_columns: ClassVar[tuple[str, ...]] = ()
    text_columns: ClassVar[tuple[str, ...]] = ()
    example_row: ClassVar[dict[str, Any]] = {}
    column_notes: ClassVar[dict[str, str]] = {}
    duplicate_key_columns: ClassVar[tuple[str, ...] | None] = None
    # Shown on a ServiceError raised while saving when the service names no column.
    service_error_column: ClassVar[str] = ""
    # Columns never shown in the preview or kept with an invalid row (passwords).
    private_columns: ClassVar[tuple[str, ...]] = ()
    # ID-number and phone columns: masked in the admin's 导出 unless full values are allowed
    # and asked for (core.masking, people.exports).
    masked_columns: ClassVar[dict[str, MaskKind]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.importer_key:
            IMPORTERS[cls.importer_key] = cls.importer_label or cls.importer_key

    class Meta:
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True
        store_instance = False

    def __init__(
        self,
        *,
        actor=None,
        institution=None,
        options=None,
        on_row: Callable[[], None] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        # Called after each row is imported (a background job's progress).
        self.on_row = on_row
        self.actor = actor
        self.institution = institution
        self.options: dict[str, Any] = dict(options or {})
        self.row_map: dict[int, int] = {}
        self._row_extra: dict[int, dict[str, list[str]]] = defaultdict(dict)
        self._row_number: int | None = None
        self._row: dict[str, Any] = {}
        self._new = True

    @classmethod
    def get_diff_class(cls):
        return PlatformDiff

    def get_diff_fields(self) -> list:
        return [f for f in self.get_import_fields() if f.column_name not in self.private_columns]

    def get_diff_headers(self) -> list[str]:
        return [str(f.column_name) for f in self.get_diff_fields()]

    # --- columns ---------------------------------------------------------------------

    def import_columns(self) -> list[str]:
        """The headers this import reads, in template order."""
        columns = [f.column_name for f in self.get_import_fields() if f.column_name]
        for extra in self.extra_columns():
            if extra not in columns:
                columns.append(extra)
        return columns

    def extra_columns(self) -> list[str]:
        return []

    @classmethod
    def column_count(cls) -> int:
        """The most headers a file for this import can have; its reader refuses a file
        with values further right (plus settings.IMPORT_EXTRA_COLUMNS)."""
        return len(cls().import_columns())

    def template_columns(self) -> list[str]:
        return self.import_columns()

    def template_example(self) -> dict[str, Any]:
        return dict(self.example_row)

    def template_notes(self) -> list[tuple[str, str]]:
        required = set(self.get_required_columns())
        notes = []
        for column in self.template_columns():
            note = self.column_notes.get(column, "")
            flag = "必填" if column in required else "选填"
            notes.append((column, f"{flag}。{note}" if note else f"{flag}。"))
        return notes

    def get_required_columns(self) -> list[str]:
        columns = list(self.required_columns)
        for name in self.get_import_id_fields():
            field = self.fields.get(name)
            if field is not None and field.column_name not in columns:
                columns.append(field.column_name)
        return columns

    def column_for(self, key: str) -> str:
        """The Chinese header of an error key (field name, attribute or model field)."""
        if key == NON_FIELD_ERRORS:
            return ""
        if key in self.fields:
            return self.fields[key].column_name
        for field in self.fields.values():
            if field.attribute == key or field.column_name == key:
                return field.column_name
        try:
            return str(self._meta.model._meta.get_field(key).verbose_name)
        except Exception:  # noqa: BLE001 - an unknown key is shown as it is
            return key

    def check_columns(self, headers: list[str]) -> list[str]:
        messages = []
        allowed = set(self.import_columns())
        present = [h for h in headers if h]
        missing = [c for c in self.get_required_columns() if c not in present]
        if missing:
            messages.append(
                f"缺少必需的列：{'、'.join(missing)}。请使用本页提供的导入模板，不要修改表头。"
            )
        unknown = [h for h in present if h not in allowed]
        if unknown:
            messages.append(
                f"无法识别的列：{'、'.join(unknown)}。可用的列：{'、'.join(self.import_columns())}。"
            )
        repeated = sorted({h for h in present if present.count(h) > 1})
        if repeated:
            messages.append(f"表头重复：{'、'.join(repeated)}。每一列只能出现一次。")
        return messages

    # --- the run ----------------------------------------------------------------------

    def prepare_dataset(
        self, rows: list[tuple[int, list[Any]]], headers: list[str]
    ) -> list[tuple[int, list[Any]]]:
        """(Excel row, values) pairs in import order; override to reorder."""
        return rows

    def _file_result(self, messages: list[str], total_rows: int) -> Result:
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = total_rows
        for message in messages:
            result.append_base_error(self.get_error_result_class()(ImportFileError(message)))
        result.problems = [ImportProblem(None, "", m) for m in messages]
        return result

    def import_data_inner(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ):
        with gc_paused():
            return self._import_checked(
                dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
            )

    def _import_checked(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ):
        headers = [_header(h) for h in (dataset.headers or [])]
        rows = [
            (number, values)
            for number, values in enumerate(_row_lists(dataset), start=2)
            if _filled(values)
        ]
        # An empty header is fine on an empty column (Excel leaves such columns behind).
        for index, header in enumerate(headers):
            if not header and any(not _is_blank(values[index]) for _, values in rows):
                headers[index] = f"第{index + 1}列（无表头）"
        messages = self.check_columns(headers)
        if messages:
            return self._file_result(messages, len(rows))
        rows = self.prepare_dataset(rows, headers)
        self.row_map = {i: number for i, (number, _) in enumerate(rows, start=1)}
        values = [v for _, v in rows]
        self._find_duplicates(values, headers)
        result = self.import_rows(
            values,
            headers,
            dry_run,
            raise_errors,
            using_transactions,
            collect_failed_rows,
            **kwargs,
        )
        result.problems = self.collect_problems(result)
        return result

    def import_rows(
        self,
        rows: list[list[Any]],
        headers: list[str],
        dry_run,
        raise_errors,
        using_transactions,
        collect_failed_rows,
        **kwargs,
    ) -> Result:
        """The checked rows (headers valid, duplicates marked; row i is `row_map[i]` in
        Excel) → a Result. Default: django-import-export's row loop over a Dataset of
        them; a resource may replace it with a bulk path (ReferenceRecordResource) as long
        as it calls the same hooks and messages."""
        dataset = tablib.Dataset(*rows, headers=headers)
        return super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
        )

    def excel_row(self, row_number: int | None) -> int | None:
        if row_number is None:
            return None
        return self.row_map.get(row_number, row_number + 1)

    def _duplicate_columns(self) -> list[str]:
        if self.duplicate_key_columns is not None:
            return list(self.duplicate_key_columns)
        return [
            self.fields[name].column_name
            for name in self.get_import_id_fields()
            if name in self.fields
        ]

    def key_value(self, column: str, value: Any) -> str:
        """A key cell as compared for duplicates in the file (override to resolve names)."""
        return _key_part(value)

    def _find_duplicates(self, rows: list[list[Any]], headers: list[str]) -> None:
        columns = [c for c in self._duplicate_columns() if c in headers]
        if not columns:
            return
        # Column by column (a file can hold 100,000 rows); most keys occur once, so only
        # the repeated ones get their row numbers collected.
        if type(self).key_value is PlatformResource.key_value:
            parts = [_key_parts([values[headers.index(c)] for values in rows]) for c in columns]
        else:
            parts = [
                [self.key_value(c, values[headers.index(c)]) for values in rows] for c in columns
            ]
        keys = list(zip(*parts, strict=True))
        repeated = {key for key, n in Counter(keys).items() if n > 1 and all(key)}
        if not repeated:
            return
        seen: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for number, key in enumerate(keys, start=1):
            if key in repeated:
                seen[key].append(number)
        label = "、".join(columns)
        for numbers in seen.values():
            for number in numbers:
                others = "、".join(str(self.excel_row(n)) for n in numbers if n != number)
                self._row_extra[number].setdefault(columns[0], []).append(
                    f"文件中第 {others} 行的{label}与本行相同，同一记录只能出现一次。"
                )

    # --- per row ------------------------------------------------------------------------

    def after_import_row(self, row, row_result, **kwargs) -> None:
        super().after_import_row(row, row_result, **kwargs)
        if self.on_row is not None:
            self.on_row()

    def before_import_row(self, row, **kwargs) -> None:
        self._row_number = kwargs.get("row_number")
        self._row = row
        self._new = True
        super().before_import_row(row, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        self._new = new
        super().after_init_instance(instance, new, row, **kwargs)

    def get_instance(self, instance_loader, row):
        # A key cell that does not clean (e.g. an ID number Excel turned into a number) is
        # reported by import_instance with its column; here it just means "not found".
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ObjectDoesNotExist, ValidationError):
            return None

    def row_errors(self, instance, row, new: bool) -> dict[str, list[str]]:
        """Cross-column and scope checks: {column: [Chinese reason]}."""
        return {}

    def import_instance(self, instance, row, **kwargs) -> None:
        errors: dict[str, list[str]] = defaultdict(list)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[self.column_for(key)].extend(messages)
        number = cast(int, kwargs.get("row_number", self._row_number))
        for column, messages in self._row_extra.get(number, {}).items():
            errors[column].extend(messages)
        failed_columns = set(errors)
        try:
            extra = self.row_errors(instance, row, self._new)
        except CellError as exc:
            extra = {exc.column: [exc.message]}
        for column, messages in extra.items():
            # A cell that already failed to read needs no second message.
            if (
                column
                and column in failed_columns
                and column not in self._row_extra.get(number, {})
            ):
                continue
            errors[column].extend(messages)
        if errors:
            raise ValidationError({(c or NON_FIELD_ERRORS): m for c, m in errors.items()})

    def errors_by_column(
        self, import_validation_errors: dict | None
    ) -> tuple[defaultdict[str, list[str]], set[str]]:
        """The cell errors import_instance collected, keyed by column, and the model
        attributes they concern (full_clean leaves those out: one message per cell)."""
        errors: defaultdict[str, list[str]] = defaultdict(list)
        failed_attributes: set[str] = set()
        for key, value in (import_validation_errors or {}).items():
            column = self.column_for(key)
            messages = value.messages if isinstance(value, ValidationError) else list(value)
            errors[column].extend(messages)
            failed_attributes.update(
                f.attribute for f in self.fields.values() if f.column_name == column and f.attribute
            )
        return errors, failed_attributes

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors, failed_attributes = self.errors_by_column(import_validation_errors)
        duplicate = self._row_number in self._row_extra
        if self._meta.clean_model_instances:
            try:
                instance.full_clean(
                    exclude=[a.split("__")[0] for a in failed_attributes],
                    validate_unique=validate_unique and not duplicate,
                    validate_constraints=not duplicate,
                )
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    errors[self.column_for(key)].extend(messages)
        if errors:
            raise ValidationError({(c or NON_FIELD_ERRORS): m for c, m in errors.items()})

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            return super().save_instance(instance, is_create, row, **kwargs)
        except ServiceError as exc:
            raise CellError(exc.message, self.service_error_column) from exc

    # --- results ----------------------------------------------------------------------

    def collect_problems(self, result: Result) -> list[ImportProblem]:
        problems = [
            ImportProblem(None, "", _error_text(error.error)) for error in result.base_errors
        ]
        for invalid in result.invalid_rows:
            row = self.excel_row(invalid.number)
            for column, messages in invalid.field_specific_errors.items():
                problems.extend(ImportProblem(row, column, m) for m in messages)
            problems.extend(ImportProblem(row, "", m) for m in invalid.non_field_specific_errors)
        for error_row in result.error_rows:
            row = self.excel_row(error_row.number)
            for error in error_row.errors:
                column = getattr(error.error, "column", "")
                problems.append(ImportProblem(row, column, _error_text(error.error)))
        problems.sort(key=lambda p: p.row or 0)
        return problems


def _error_text(error: BaseException) -> str:
    if isinstance(error, (CellError, ImportFileError)):
        return str(error)
    if isinstance(error, ServiceError):
        return error.message
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    if isinstance(error, ValueError):
        return str(error)
    if isinstance(error, IntegrityError):
        # The rows were checked against the data read at the start; another import or an
        # edit wrote a clashing record since. Say so; the database's words follow.
        return (
            "保存失败：数据库中已有与本文件相同的记录（可能是同时进行的另一次导入或修改写入的），"
            f"本次导入未写入任何数据，请稍后重新导入。（{error}）"
        )
    return f"保存失败（{type(error).__name__}：{error}），本次导入未写入任何数据。"


def result_counts(result: Result) -> dict[str, int]:
    """新增 / 更新 / 未变化 / 错误 of a result (错误 counts rows, plus file problems)."""
    totals = result.totals
    errors = totals[RowResult.IMPORT_TYPE_ERROR] + totals[RowResult.IMPORT_TYPE_INVALID]
    if not errors and result.base_errors:
        errors = len(result.base_errors)
    return {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "update": totals[RowResult.IMPORT_TYPE_UPDATE],
        "skip": totals[RowResult.IMPORT_TYPE_SKIP],
        "error": errors,
    }


def result_problems(result: Result) -> list[ImportProblem]:
    """The problems of a result, also for a result not made by a PlatformResource."""
    problems = getattr(result, "problems", None)
    if problems is not None:
        return problems
    fallback = PlatformResource.collect_problems.__get__(_Fallback())
    return fallback(result)


class _Fallback:
    row_map: ClassVar[dict[int, int]] = {}

    def excel_row(self, number):
        return None if number is None else number + 1
