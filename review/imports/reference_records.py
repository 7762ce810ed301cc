"""对比库 import: the records of one comparison library, chosen on the import page.

Keyed by (对比库, 证件号码, 年度). A file can hold 100,000 records, so the rows do not go
through django-import-export's one-row-at-a-time loop (a SELECT, a savepoint, a full_clean
with three queries and an INSERT per row): `import_rows` loads every record the file can
touch up front, runs the same hooks and widgets on each row (same Chinese messages), checks
the model's limits and the unique key in memory and writes with bulk_create / bulk_update in
batches, inside import_data's one transaction. The columns every library has are 证件号码, 姓名, 年度, 来源,
说明 (e.g. the violation and its year); each library adds its own columns, kept in
`ReferenceRecord.extra` under stable English keys. An optional 对比库 column (as the export
writes it) must name the chosen library, so an exported file can be imported again.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from import_export.fields import Field
from import_export.results import Result, RowResult
from import_export.utils import atomic_if_using_transaction
from unfold.widgets import UnfoldAdminSelectWidget

from core.copy_insert import can_copy, copy_insert
from core.imports.base import CellError, PlatformResource
from core.imports.widgets import (
    ChoiceLabelWidget,
    DateWidget,
    IdNumberWidget,
    TextWidget,
    YearWidget,
)
from people.importers import Importer, register
from people.models.candidates import IdType, validate_id_document
from review.imports.reference_columns import EXAMPLE_DETAIL, LIBRARY_COLUMNS, ExtraColumn
from review.imports.reference_fast import FastRows, NewRecord
from review.models import ReferenceLibrary, ReferenceRecord


def lookup_chunk_size(using: str) -> int:
    """ID numbers per lookup query: LOOKUP_CHUNK, or fewer where the database limits the
    parameters of a query (one parameter is the library); PostgreSQL takes them as one
    array parameter, ARRAY_LOOKUP_CHUNK at a time."""
    if can_copy(using):
        return ARRAY_LOOKUP_CHUNK
    limit = connections[using].features.max_query_params
    return min(LOOKUP_CHUNK, limit - 1) if limit else LOOKUP_CHUNK


ID_TYPE_COLUMN = "证件类型"


class ReferenceLibraryForm(forms.Form):
    """The import page's extra field: which 对比库 the file fills."""

    library = forms.ModelChoiceField(
        label="对比库",
        queryset=ReferenceLibrary.objects.order_by("sort_order"),
        to_field_name="code",
        empty_label="请选择对比库",
        widget=UnfoldAdminSelectWidget,
        help_text="文件中的记录全部导入到这个对比库。",
    )


_TEXT = TextWidget()
_DATE = DateWidget()
_ID_TYPES = ChoiceLabelWidget(IdType.choices)


def _extra_text(value: Any, kind: str) -> str:
    if kind == "date":
        date = _DATE.clean(value)
        return date.isoformat() if date else ""
    return _TEXT.clean(value)


# Rows per bulk INSERT / UPDATE, and ID numbers per lookup query where the database takes
# them as parameters (SQLite: 999 per query, so 998; PostgreSQL: ARRAY_LOOKUP_CHUNK).
BATCH_SIZE = 5000
LOOKUP_CHUNK = 10000
ARRAY_LOOKUP_CHUNK = 100_000
# The columns a row writes (bulk_update sets exactly these), and those COPY fills.
WRITTEN_FIELDS = ("id_number", "name", "year", "source", "detail", "extra")
COPY_COLUMNS = ("library_id", *WRITTEN_FIELDS, "imported_at")
# Model limits checked in memory; a value over one is reported by Django's own clean_fields.
_MAX_LENGTHS = {
    name: ReferenceRecord._meta.get_field(name).max_length
    for name in ("id_number", "name", "source", "detail")
}
_UNIQUE_FIELDS = ("library", "id_number", "year")
# A resident ID number that IdNumberWidget and validate_id_document return unchanged.
_CANONICAL_ID = re.compile(r"[0-9]{17}[0-9X]")


class LazyDiffRowResult(RowResult):
    """A row result whose preview cells (`diff`, the html the preview table shows) are
    made only when read: a background job or the confirm step never shows them, and making
    them costs more than importing the row."""

    _diff_source: tuple | None = None

    @property
    def diff(self):
        if self._diff_source is not None:
            resource, original, instance, new = self._diff_source
            self._diff_source = None
            if original is None:  # a new row: compared with a blank instance, as before
                original = resource.init_instance()
            if isinstance(instance, tuple):  # a row read by FastRows: its record, made now
                instance = resource.record_from(instance)
            diff = resource.get_diff_class()(resource, original, new)
            diff.compare_with(resource, instance)
            self._diff = diff.as_html()
        return self._diff

    @diff.setter
    def diff(self, value) -> None:
        self._diff = value


class ReferenceRecordResource(PlatformResource):
    importer_key = "reference_records"
    importer_label = "对比库记录"
    required_columns = ("证件号码", "姓名", "年度")
    text_columns = ("证件号码", "证书编号")
    duplicate_key_columns = ("证件号码", "年度")
    column_notes = {
        "对比库": "可不填；填写时必须与导入页面所选的对比库一致。",
        "证件号码": "必须是“文本”格式的单元格；居民身份证号码会校验校验位、出生日期和地区码。",
        ID_TYPE_COLUMN: "可不填，默认居民身份证；也可填港澳居民来往内地通行证、护照等。",
        "年度": "四位数字，如 2024。",
        "来源": "数据来源，如“考试违纪违规人员处理名单”。",
        "说明": "如违纪情况及年度、考试结果等。",
    }

    library_name = Field(column_name="对比库", widget=TextWidget())
    id_number = Field("id_number", "证件号码", widget=IdNumberWidget())
    id_type = Field(column_name=ID_TYPE_COLUMN, widget=TextWidget())
    name = Field("name", "姓名", widget=TextWidget(required=True, label="姓名"))
    year = Field("year", "年度", widget=YearWidget())
    source = Field("source", "来源", widget=TextWidget())
    detail = Field("detail", "说明", widget=TextWidget())

    class Meta(PlatformResource.Meta):
        model = ReferenceRecord
        fields = ("library_name", "id_number", "id_type", "name", "year", "source", "detail")
        import_id_fields = ("id_number", "year")
        # save_instance collects the rows; import_rows writes them in batches.
        use_bulk = True
        batch_size = BATCH_SIZE

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.library: ReferenceLibrary | None = self.options.get("library")
        self._plan: list[tuple[str, str, Any]] | None = None
        for extra in self.library_columns():
            self.fields[f"extra_{extra.key}"] = Field(
                column_name=extra.column,
                widget=DateWidget() if extra.kind == "date" else TextWidget(),
                dehydrate_method=lambda obj, key=extra.key: (obj.extra or {}).get(key, ""),
            )

    @classmethod
    def column_count(cls) -> int:
        # Without a library: the common columns; the widest library adds its own.
        return super().column_count() + max(len(c) for c in LIBRARY_COLUMNS.values())

    def library_columns(self) -> tuple[ExtraColumn, ...]:
        if self.library is None:
            return ()
        return LIBRARY_COLUMNS.get(self.library.code, ())

    # --- template -----------------------------------------------------------------------

    def template_example(self) -> dict[str, Any]:
        library = self.library
        example = {
            "对比库": library.name if library else "",
            "证件号码": "420102199001011236",
            ID_TYPE_COLUMN: "居民身份证",
            "姓名": "张三",
            "年度": 2024,
            "来源": "",
            "说明": EXAMPLE_DETAIL.get(library.code if library else "", ""),
        }
        for extra in self.library_columns():
            example[extra.column] = extra.example
        return example

    def template_notes(self) -> list[tuple[str, str]]:
        notes = super().template_notes()
        by_column = {e.column: e for e in self.library_columns()}
        return [
            (c, f"{n}{by_column[c].note}" if c in by_column and by_column[c].note else n)
            for c, n in notes
        ]

    # --- import -------------------------------------------------------------------------

    def get_queryset(self):
        queryset = ReferenceRecord.objects.all()
        if self.library is not None:
            queryset = queryset.filter(library=self.library)
        return queryset

    def init_instance(self, row=None) -> ReferenceRecord:
        return ReferenceRecord(library=self.library)

    def get_row_result_class(self):
        return LazyDiffRowResult

    # --- the bulk path ------------------------------------------------------------------

    def import_rows(
        self,
        rows,
        headers,
        dry_run,
        raise_errors,
        using_transactions,
        collect_failed_rows,
        **kwargs,
    ) -> Result:
        """django-import-export's row loop (import_data_inner + import_row) with the
        per-row queries taken out: the same hooks in the same order, so the same messages,
        counts and 未变化 decisions. A new record in the common form (FastRows) skips the
        per-row machinery; every other row takes `_import_row`. Nothing is written on a dry
        run (import_data rolls it back anyway); the real run writes in batches and stops
        writing at the first bad row (import_data then rolls everything back)."""
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(rows)
        try:
            self.before_import(rows, **kwargs)
            existing = self._existing_records(rows, headers)
        except Exception as exc:  # noqa: BLE001 - reported like import-export does
            self.handle_import_error(result, exc, raise_errors)
            return result
        if collect_failed_rows:
            result.add_dataset_headers(headers)
        fast = self._fast_rows(headers)
        self.create_instances = []
        self.update_instances = []
        self._pending: list[NewRecord] = []  # new records' values, in file order
        written: set[tuple] = set()  # keys of earlier rows of this file (not yet in the db)
        writing = not dry_run
        state = {
            "headers": headers,
            "keys": self._keys,
            "existing": existing,
            "written": written,
            "dry_run": dry_run,
            "using_transactions": using_transactions,
            "raise_errors": raise_errors,
            "collect_failed_rows": collect_failed_rows,
        }
        duplicates, on_row, totals = self._row_extra, self.on_row, result.totals
        new_type, row_result_class = RowResult.IMPORT_TYPE_NEW, self.get_row_result_class()
        for number, values in enumerate(rows, 1):
            record = fast(values) if fast is not None and number not in duplicates else None
            key = (record[0], record[2]) if record is not None else None
            if record is not None and key not in existing and key not in written:
                written.add(key)
                self._pending.append(record)
                row_result = row_result_class()
                row_result.import_type = new_type
                row_result._diff_source = (self, None, record, True)
                totals[new_type] += 1
                result.rows.append(row_result)
                if on_row is not None:
                    on_row()
                if writing and len(self._pending) >= BATCH_SIZE:
                    writing = self._flush(result, using_transactions, raise_errors)
                continue
            state["writing"] = writing
            writing = self._full_row(result, number, values, state, **kwargs)
            if writing and len(self._pending) + len(self.update_instances) >= BATCH_SIZE:
                writing = self._flush(result, using_transactions, raise_errors)
        if writing:
            self._flush(result, using_transactions, raise_errors)
        self.create_instances = []
        self.update_instances = []
        self._pending = []
        try:
            self.after_import(rows, result, **kwargs)
        except Exception as exc:  # noqa: BLE001
            self.handle_import_error(result, exc, raise_errors)
        return result

    def _fast_rows(self, headers: list[str]) -> FastRows | None:
        """The fast reader, when the per-row hooks are the ones it stands for (a subclass or
        a patch that changes one gets the full path for every row)."""
        hooks = type(self)
        if self.library is None or any(getattr(hooks, n) is not f for n, f in _ROW_HOOKS.items()):
            return None
        return FastRows(
            headers=headers,
            library=self.library,
            library_columns=self.library_columns(),
            id_type_column=ID_TYPE_COLUMN,
            max_lengths=_MAX_LENGTHS,
        )

    def _full_row(self, result: Result, number: int, values, state: dict, **kwargs) -> bool:
        """One row through `_import_row`, its result recorded as import-export's loop
        does; returns whether writing goes on (False after a bad row). `state` holds the
        run's headers, keys, existing records, written keys and flags."""
        row = dict(zip(state["headers"], values, strict=False))
        kwargs.update(
            {
                "dry_run": state["dry_run"],
                "using_transactions": state["using_transactions"],
                "row_number": number,
            }
        )
        key = state["keys"][number - 1]
        row_result = self._import_row(row, key, state["existing"], state["written"], **kwargs)
        # save_instance queued a new record: it joins the pending ones, in file order.
        self._pending.extend(self.copy_values(r) for r in self.create_instances)
        self.create_instances = []
        result.increment_row_result_total(row_result)
        writing = state["writing"]
        if row_result.errors:
            writing = False
            result.append_error_row(number, row, row_result.errors)
            if state["collect_failed_rows"]:
                result.append_failed_row(row, row_result.errors[0])
            if state["raise_errors"]:
                from import_export.exceptions import ImportError as RowImportError

                raise RowImportError(row_result.errors[-1].error, number=number, row=row)
        elif row_result.validation_error:
            writing = False
            result.append_invalid_row(number, row, row_result.validation_error)
            if state["collect_failed_rows"]:
                result.append_failed_row(row, row_result.validation_error)
            if state["raise_errors"]:
                from import_export.exceptions import ImportError as RowImportError

                raise RowImportError(row_result.validation_error, number=number, row=row)
        if row_result.import_type != RowResult.IMPORT_TYPE_SKIP or self._meta.report_skipped:
            result.append_row_result(row_result)
        return writing

    def _lookup_key(self, row: dict[str, Any]) -> tuple[str, int] | None:
        """(证件号码, 年度) as import-export's instance loader cleans them; None when a key
        cell does not clean (its own error is reported with its column)."""
        try:
            number = self.fields["id_number"].clean(row)
            year = self.fields["year"].clean(row)
        except (KeyError, ValueError):
            return None
        if not number or year is None:
            return None
        return number, year

    def _row_keys(self, rows, headers: list[str]) -> list[tuple[str, int] | None]:
        """Each row's `_lookup_key`; a canonical resident ID number and a year in range
        (what the widgets return unchanged) are taken as they are."""
        i_id, i_year = headers.index("证件号码"), headers.index("年度")
        canonical, last_year = _CANONICAL_ID.fullmatch, timezone.localdate().year + 1
        return [
            (values[i_id], values[i_year])
            if type(values[i_id]) is str
            and canonical(values[i_id])
            and type(values[i_year]) is int
            and 1949 <= values[i_year] < last_year
            else self._lookup_key(dict(zip(headers, values, strict=False)))
            for values in rows
        ]

    def _existing_records(self, rows, headers: list[str]) -> dict[tuple, ReferenceRecord]:
        """Every record of the library the file can update, in one query per chunk of ID
        numbers (LOOKUP_CHUNK, or what the database takes). Each row's cleaned key is kept
        in `self._keys` for the row loop, so it is cleaned once."""
        self._keys = self._row_keys(rows, headers)
        if self.library is None:
            return {}
        numbers = sorted({key[0] for key in self._keys if key is not None})
        chunk_size = lookup_chunk_size(self.get_db_connection_name())
        found: dict[tuple, ReferenceRecord] = {}
        for start in range(0, len(numbers), chunk_size):
            chunk = numbers[start : start + chunk_size]
            for record in self._records_numbered(chunk):
                record.library = self.library  # no query per row for record.library
                found[(record.id_number, record.year)] = record
        return found

    def _records_numbered(self, numbers: list[str]):
        """The library's records with these ID numbers. PostgreSQL gets them as one array
        parameter: 10,000 placeholders cost more to bind and plan than the lookup itself."""
        queryset = self.get_queryset().order_by()
        if can_copy(self.get_db_connection_name()):
            return queryset.filter(RawSQL("id_number = ANY(%s)", (numbers,), BooleanField()))
        return queryset.filter(id_number__in=numbers)

    def _import_row(
        self, row, key: tuple[str, int] | None, existing, written: set[tuple], **kwargs
    ) -> RowResult:
        """import-export's import_row for one row, with the instance from `existing` and
        the model checked by `_validate` instead of full_clean."""
        row_result = self.get_row_result_class()()
        try:
            self.before_import_row(row, **kwargs)
            instance = existing.get(key) if key is not None else None
            new = instance is None
            if new:
                instance = self.init_instance(row)
            self.after_init_instance(instance, new, row, **kwargs)
            row_result.import_type = (
                RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            )
            original = None if new else copy.copy(instance)
            import_validation_errors: dict = {}
            try:
                self.import_instance(instance, row, **kwargs)
            except ValidationError as exc:
                import_validation_errors = exc.update_error_dict(import_validation_errors)
            if not new and self.skip_row(instance, original, row, import_validation_errors):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                self._validate(instance, import_validation_errors, key, written)
                self.save_instance(instance, new, row, **kwargs)
            row_result._diff_source = (self, original, instance, new)
            self.after_import_row(row, row_result, **kwargs)
        except ValidationError as exc:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = exc
        except Exception as exc:  # noqa: BLE001 - reported on the row, as import-export does
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                self.get_error_result_class()(exc, row=row, number=kwargs["row_number"])
            )
        return row_result

    def _validate(self, instance, import_validation_errors, key, written: set[tuple]) -> None:
        """PlatformResource.validate_instance with full_clean's three queries done in
        memory: the library is the chosen one (no FK query) and the unique key is checked
        against the records loaded up front and the earlier rows of this file. A row the
        fast checks cannot vouch for goes through Django's own clean_fields (and, when its
        key changed on validation, validate_constraints), so the messages are Django's."""
        duplicate = self._row_number in self._row_extra
        own_key = (instance.id_number, instance.year)
        fast = (
            not import_validation_errors
            and instance.id_number
            and instance.name
            and (instance.year is None or 0 <= instance.year <= 32767)
            and all(
                len(getattr(instance, name) or "") <= limit for name, limit in _MAX_LENGTHS.items()
            )
        )
        checks_key = not duplicate and instance.year is not None
        if fast and not (checks_key and (own_key in written or own_key != key)):
            written.add(own_key)
            return
        errors, failed = self.errors_by_column(import_validation_errors)
        exclude = {a.split("__")[0] for a in failed}
        try:
            instance.full_clean(
                exclude=[*exclude, "library"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[self.column_for(name)].extend(messages)
        if checks_key and not exclude & {"id_number", "year"}:
            try:
                if own_key in written:
                    raise instance.unique_error_message(ReferenceRecord, _UNIQUE_FIELDS)
                if own_key != key:  # normalised to another key: ask the database
                    instance.validate_constraints(exclude=exclude)
            except ValidationError as exc:
                errors[""].extend(exc.messages)
        if errors:
            raise ValidationError({(c or NON_FIELD_ERRORS): m for c, m in errors.items()})
        written.add(own_key)

    def _flush(self, result: Result, using_transactions: bool, raise_errors: bool) -> bool:
        """Write the pending rows; False (stop writing) when the database refused them."""
        using = self.get_db_connection_name()
        try:
            with atomic_if_using_transaction(using_transactions, using=using):
                if self._pending:
                    self._insert(self._pending, using)
                if self.update_instances:
                    ReferenceRecord.objects.bulk_update(
                        self.update_instances, WRITTEN_FIELDS, batch_size=BATCH_SIZE
                    )
        except Exception as exc:  # noqa: BLE001 - e.g. IntegrityError: the file is refused
            self.handle_import_error(result, exc, raise_errors)
            return False
        finally:
            self._pending = []
            self.update_instances = []
        return True

    def copy_values(self, record: ReferenceRecord) -> NewRecord:
        """A new record's values as FastRows gives them (`extra` as JSON text)."""
        extra = json.dumps(record.extra, ensure_ascii=False)
        return NewRecord(
            record.id_number, record.name, record.year, record.source, record.detail, extra
        )

    def record_from(self, values: NewRecord) -> ReferenceRecord:
        number, name, year, source, detail, extra = values
        record = self.init_instance()
        record.id_number, record.name, record.year = number, name, year
        record.source, record.detail, record.extra = source, detail, json.loads(extra)
        return record

    def _insert(self, records: list[NewRecord], using: str) -> None:
        """New records: COPY on PostgreSQL (twice bulk_create's speed
        there), else bulk_create. Nothing reads their primary keys afterwards."""
        if not can_copy(using):
            ReferenceRecord.objects.bulk_create(
                [self.record_from(r) for r in records], batch_size=BATCH_SIZE
            )
            return
        now = timezone.now()  # imported_at (auto_now_add), as bulk_create would set it
        library_id = self.library.pk
        copy_insert(
            ReferenceRecord,
            COPY_COLUMNS,
            ((library_id, *r, now) for r in records),
            using=using,
            json_text=True,
        )

    def check_columns(self, headers: list[str]) -> list[str]:
        if self.library is None:
            return ["请选择要导入的对比库。"]
        return super().check_columns(headers)

    def _field_plan(self) -> list[tuple[str, str, Any]]:
        """(attribute, column, widget) of the fields a row sets, as import-export's
        import_instance walks them (fields without an attribute only feed row_errors)."""
        if self._plan is None:
            self._plan = [
                (f.attribute, f.column_name, f.widget)
                for f in self.get_import_fields()
                if f.attribute and not f.readonly
            ]
        return self._plan

    def import_instance(self, instance: ReferenceRecord, row, **kwargs) -> None:
        """import-export's import_instance + PlatformResource.import_instance in one loop
        (this runs 100,000 times): each cell through its widget, then the duplicate-key and
        row_errors messages, then the library's own columns; a cell that failed to read gets
        no second message from row_errors."""
        errors: dict[str, list[str]] = defaultdict(list)
        for attribute, column, widget in self._field_plan():
            if column not in row:
                continue
            try:
                value = widget.clean(row[column], row=row)
            except ValueError as exc:
                errors[column].append(str(exc))
                continue
            setattr(instance, attribute, value)
        number = kwargs.get("row_number", self._row_number)
        duplicates = self._row_extra.get(number, {})
        for column, messages in duplicates.items():
            errors[column].extend(messages)
        failed_columns = set(errors)
        try:
            checks = self.row_errors(instance, row, self._new)
        except CellError as exc:
            checks = {exc.column: [exc.message]}
        for column, messages in checks.items():
            if column and column in failed_columns and column not in duplicates:
                continue
            errors[column].extend(messages)
        extra = dict(instance.extra or {})
        for column in self.library_columns():
            if column.column not in row:
                continue
            try:
                value = _extra_text(row[column.column], column.kind)
            except ValueError as exc:
                errors[column.column].append(str(exc))
                continue
            if value:
                extra[column.key] = value
            else:
                extra.pop(column.key, None)
        instance.extra = extra
        if errors:
            raise ValidationError({(c or NON_FIELD_ERRORS): m for c, m in errors.items()})

    def row_errors(self, instance, row, new) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        named = _TEXT.clean(row.get("对比库"))
        if (
            named
            and self.library is not None
            and named not in (self.library.name, self.library.code)
        ):
            errors["对比库"] = [f"“{named}”与所选对比库“{self.library.name}”不一致。"]
        id_type = IdType.RESIDENT_ID
        label = _TEXT.clean(row.get(ID_TYPE_COLUMN))
        if label:
            try:
                id_type = _ID_TYPES.clean(label)
            except ValueError as exc:
                errors[ID_TYPE_COLUMN] = [str(exc)]
        if instance.id_number and ID_TYPE_COLUMN not in errors:
            try:
                instance.id_number = validate_id_document(id_type, instance.id_number).number
            except ValidationError as exc:
                errors["证件号码"] = [
                    f"证件号码“{instance.id_number}”无效：{'；'.join(exc.messages)}"
                ]
        if instance.year is None and "年度" in row:
            errors["年度"] = ["年度不能为空。"]
        return errors

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        return (instance.extra or {}) == (original.extra or {})

    # --- export -------------------------------------------------------------------------

    def dehydrate_library_name(self, obj: ReferenceRecord) -> str:
        return obj.library.name

    def dehydrate_id_type(self, obj: ReferenceRecord) -> str:
        return ""


# What FastRows stands for: a new row through these, with no message and no side effect.
_ROW_HOOKS = {
    name: getattr(ReferenceRecordResource, name)
    for name in (
        "before_import_row",
        "init_instance",
        "after_init_instance",
        "import_instance",
        "row_errors",
        "validate_instance",
        "_validate",
        "save_instance",
        "do_instance_save",
        "after_import_row",
        "_import_row",
    )
}

register(
    Importer(
        identifier="review.referencerecord",
        resource_class=ReferenceRecordResource,
        options_form_class=ReferenceLibraryForm,
    )
)
