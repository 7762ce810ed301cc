"""对比库 import: the records of one comparison library, chosen on the import page.

Keyed by (对比库, 证件号码, 年度). A file can hold 100,000 records, so the rows do not go
through django-import-export's one-row-at-a-time loop: the row loop is in reference_bulk
(records loaded up front, the common new row read by reference_fast.FastRows, every other
row through the hooks below), and `_flush` writes in batches (COPY on PostgreSQL), inside
import_data's one transaction. The columns every library has are 证件号码, 姓名, 年度, 来源,
说明 (e.g. the violation and its year); each library adds its own columns, kept in
`ReferenceRecord.extra` under stable English keys. An optional 对比库 column (as the export
writes it) must name the chosen library, so an exported file can be imported again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from import_export.fields import Field
from import_export.results import Result
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
from core.masking import MASK_ID, MaskKind
from people.importers import Importer, register
from people.models.candidates import IdType, validate_id_document
from review.imports.reference_bulk import (
    LazyDiffRowResult,
    ReferenceBulkImport,
    lookup_chunk_size,
)
from review.imports.reference_columns import (
    EXAMPLE_DETAIL,
    ID_TYPE_COLUMN,
    LIBRARY_COLUMNS,
    ExtraColumn,
)
from review.imports.reference_fast import NewRecord
from review.models import ReferenceLibrary, ReferenceRecord

__all__ = ["ReferenceLibraryForm", "ReferenceRecordResource", "lookup_chunk_size"]


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


# Rows per bulk INSERT / UPDATE.
BATCH_SIZE = 5000
# The columns a row writes (bulk_update sets exactly these), and those COPY fills.
WRITTEN_FIELDS = ("id_number", "name", "year", "source", "detail", "extra")
COPY_COLUMNS = ("library_id", *WRITTEN_FIELDS, "imported_at")

_TEXT = TextWidget()
_DATE = DateWidget()
_ID_TYPES = ChoiceLabelWidget(IdType.choices)


def _extra_text(value: Any, kind: str) -> str:
    if kind == "date":
        date = _DATE.clean(value)
        return date.isoformat() if date else ""
    return _TEXT.clean(value)


class ReferenceRecordResource(ReferenceBulkImport, PlatformResource):
    importer_key = "reference_records"
    importer_label = "对比库记录"
    required_columns = ("证件号码", "姓名", "年度")
    text_columns = ("证件号码", "证书编号")
    masked_columns: ClassVar[dict[str, MaskKind]] = {"证件号码": MASK_ID}
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

    # --- the bulk path (the row loop: reference_bulk.ReferenceBulkImport) -----------------

    def batch_size(self) -> int:
        return BATCH_SIZE

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


register(
    Importer(
        identifier="review.referencerecord",
        resource_class=ReferenceRecordResource,
        options_form_class=ReferenceLibraryForm,
    )
)
