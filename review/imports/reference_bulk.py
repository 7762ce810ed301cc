"""The 对比库 import's row loop (ReferenceRecordResource.import_rows and its helpers).

django-import-export's one-row-at-a-time loop costs a SELECT, a savepoint, a full_clean with
three queries and an INSERT per row. Here every record the file can touch is loaded up
front, a new record in the common form is read by FastRows, any other row goes through the
same hooks and widgets as import-export's import_row (same Chinese messages), the model's
limits and the unique key are checked in memory, and the resource writes in batches
(`_flush`), inside import_data's one transaction.
"""

from __future__ import annotations

import copy
import datetime
import re
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections
from django.db.models.expressions import RawSQL
from import_export.results import Result, RowResult

from core.copy_insert import can_copy
from review.imports.reference_columns import ID_TYPE_COLUMN
from review.imports.reference_fast import FastRows, NewRecord
from review.models import ReferenceRecord

# ID numbers per lookup query where the database takes them as parameters (SQLite: 999 per query, so 998; PostgreSQL: ARRAY_LOOKUP_CHUNK).
LOOKUP_CHUNK = 10000
ARRAY_LOOKUP_CHUNK = 100_000
# Model limits checked in memory; a value over one is reported by Django's own clean_fields.
_MAX_LENGTHS = {
    name: ReferenceRecord._meta.get_field(name).max_length
    for name in ("id_number", "name", "source", "detail")
}
_UNIQUE_FIELDS = ("library", "id_number", "year")
# A resident ID number that IdNumberWidget and validate_id_document return unchanged.
_CANONICAL_ID = re.compile(r"[0-9]{17}[0-9X]")


def lookup_chunk_size(using: str) -> int:
    """ID numbers per lookup query: LOOKUP_CHUNK, or fewer where the database limits the
    parameters of a query (one parameter is the library); PostgreSQL takes them as one
    array parameter, ARRAY_LOOKUP_CHUNK at a time."""
    if can_copy(using):
        return ARRAY_LOOKUP_CHUNK
    limit = connections[using].features.max_query_params
    return min(LOOKUP_CHUNK, limit - 1) if limit else LOOKUP_CHUNK


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


class ReferenceBulkImport:
    """The row loop of ReferenceRecordResource (a PlatformResource); the resource keeps
    the hooks, `_flush` (the writes) and `batch_size()`."""

    # The hooks FastRows stands for (a new row through them gives no message and has no
    # side effect), as the first class using this loop defines them.
    ROW_HOOKS = (
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
    _row_hooks: dict[str, Any]

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not hasattr(cls, "_row_hooks"):
            cls._row_hooks = {name: getattr(cls, name) for name in cls.ROW_HOOKS}

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
                if writing and len(self._pending) >= self.batch_size():
                    writing = self._flush(result, using_transactions, raise_errors)
                continue
            state["writing"] = writing
            writing = self._full_row(result, number, values, state, **kwargs)
            if writing and len(self._pending) + len(self.update_instances) >= self.batch_size():
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
        if self.library is None or any(
            getattr(hooks, n) is not f for n, f in self._row_hooks.items()
        ):
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
        canonical = _CANONICAL_ID.fullmatch
        last_year = datetime.date.today().year + 1  # YearWidget's range
        return [
            (values[i_id], values[i_year])
            if type(values[i_id]) is str
            and canonical(values[i_id])
            and type(values[i_year]) is int
            and 1949 <= values[i_year] <= last_year
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
        """The library's records with these ID numbers. PostgreSQL gets them as one text
        parameter split on the server (a hash join): 10,000 placeholders, or an array
        parameter, cost several times the lookup itself to bind and plan. A cleaned ID
        number holds no whitespace, so a line break separates them."""
        queryset = self.get_queryset().order_by()
        if can_copy(self.get_db_connection_name()):
            numbered = RawSQL("SELECT unnest(string_to_array(%s, E'\\n'))", ("\n".join(numbers),))
            return queryset.filter(id_number__in=numbered)
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
