"""The platform's one xlsx writer (xlsxwriter, constant memory) and the exporter interface.

An exporter knows its `headers`, which of them are `text_columns` (ID numbers, codes: written
as text so Excel never turns them into 4.2E+17), `count()` and `rows()`. `write_xlsx` writes
any exporter with rows going to disk as they come, so memory stays flat however large the
export; the django-import-export exports (PlatformXLSX) and the import templates
(`write_workbook`) go through it too. A string is always stored as a text cell, never as a
formula: a candidate named `=HYPERLINK("http://evil.example/","点我")` stays that text.
"""

from __future__ import annotations

import datetime
import io
import math
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

PROGRESS_EVERY = 1000

Progress = Callable[[int, int], None]


class Exporter:
    """The interface `write_xlsx` (and the background jobs) rely on."""

    headers: list[str]
    text_columns: tuple[str, ...] = ()
    sheet_title: str = "Sheet1"
    # (column, explanation) rows of a second sheet, 填写说明 (the import templates).
    notes: Sequence[tuple[str, str]] = ()

    def __init__(self, source: QuerySet) -> None:
        # The rows' query, already scoped (`source`: exporters in a registry also have a
        # `queryset(...)` classmethod that builds it).
        self.source = source

    def count(self) -> int:
        return self.source.count()

    def rows(self) -> Iterator[Sequence[Any]]:
        raise NotImplementedError


class RowsExporter(Exporter):
    """Rows already in memory (an import template, a django-import-export dataset)."""

    def __init__(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        text_columns: tuple[str, ...] = (),
        title: str = "Sheet1",
        notes: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.headers = [str(h) for h in headers]
        self._rows = rows
        self.text_columns = tuple(text_columns)
        self.sheet_title = title
        self.notes = notes

    def count(self) -> int:
        return len(self._rows)

    def rows(self) -> Iterator[Sequence[Any]]:
        return iter(self._rows)


def write_xlsx(
    exporter: Exporter,
    target: str | os.PathLike | IO[bytes],
    *,
    progress: Progress | None = None,
    tmpdir: str | os.PathLike | None = None,
) -> int:
    """Write `exporter` to `target` (a path or a binary file object) as xlsx; returns the
    number of rows. Bold header, frozen first row; every string is written as a text cell
    (never a formula, never converted to a number or a link) with the text format "@", and
    the text columns carry "@" so that a value typed there later stays text too.
    `progress(done, total)` is called every PROGRESS_EVERY rows and once at the end.

    The rows wait in xlsxwriter's temporary files: in `tmpdir` (the caller removes it), by
    default in a private folder of their own removed here (never the system /tmp)."""
    import xlsxwriter

    from core.tmpfiles import make_tmpdir, remove_tmpdir

    total = exporter.count() if progress is not None else 0
    workdir = make_tmpdir() if tmpdir is None else tmpdir
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "strings_to_formulas": False,
            "tmpdir": str(workdir),
        },
    )
    try:
        sheet = book.add_worksheet(exporter.sheet_title)
        bold = book.add_format({"bold": True})
        text = book.add_format({"num_format": "@"})
        formats = {
            datetime.datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            datetime.date: book.add_format({"num_format": "yyyy-mm-dd"}),
        }
        headers = list(exporter.headers)
        text_indexes = {i for i, h in enumerate(headers) if h in exporter.text_columns}
        for index, header in enumerate(headers):
            width = max(12, min(40, len(str(header)) * 2 + 6))
            sheet.set_column(index, index, width, text if index in text_indexes else None)
        sheet.freeze_panes(1, 0)
        for index, header in enumerate(headers):
            sheet.write_string(0, index, str(header), bold)
        write_string = sheet.write_string
        done = 0
        for done, row in enumerate(exporter.rows(), start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    write_string(done, col, value, text)
                elif col in text_indexes:
                    write_string(done, col, _text(value), text)
                else:
                    _write_value(sheet, done, col, value, text, formats)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done, max(total, done))
        if progress is not None:
            progress(done, max(total, done))
        if exporter.notes:
            _write_notes(book, exporter.notes, bold, text)
    finally:
        try:
            book.close()
        finally:
            if tmpdir is None:
                remove_tmpdir(Path(workdir))
    return done


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _write_value(sheet, row: int, col: int, value: Any, text, formats) -> None:
    """A value that is not a string: numbers, booleans and dates as such, anything else
    as its text."""
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float, Decimal)) and math.isfinite(value):
        sheet.write_number(row, col, value)
    elif isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        sheet.write_datetime(row, col, value, formats[datetime.datetime])
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, formats[datetime.date])
    else:
        sheet.write_string(row, col, str(value), text)


def _write_notes(book, notes: Sequence[tuple[str, str]], bold, text) -> None:
    sheet = book.add_worksheet("填写说明")
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 80)
    sheet.write_string(0, 0, "列", bold)
    sheet.write_string(0, 1, "说明", bold)
    for row, (column, note) in enumerate(notes, start=1):
        sheet.write_string(row, 0, str(column), text)
        sheet.write_string(row, 1, str(note), text)


def write_workbook(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    text_columns: tuple[str, ...] = (),
    title: str = "Sheet1",
    notes: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """An xlsx of rows in memory (an import template, a django-import-export export)
    through `write_xlsx`. `notes` adds a 填写说明 sheet."""
    buffer = io.BytesIO()
    exporter = RowsExporter(
        headers, rows, text_columns=text_columns, title=title, notes=notes or ()
    )
    write_xlsx(exporter, buffer)
    return buffer.getvalue()


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(exporter: Exporter, filename: str) -> HttpResponse:
    """An admin download. The rows go through a temporary file, never a table in memory;
    only the compressed result is held for the response (its `row_count`: rows written)."""
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        rows = write_xlsx(exporter, handle)
        handle.seek(0)
        response = HttpResponse(handle.read(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response.row_count = rows  # type: ignore[attr-defined]
    return response


def xlsx_export_response(
    request: HttpRequest,
    exporter: Exporter,
    filename: str,
    *,
    purpose: str = "",
    full_id: bool = False,
) -> HttpResponse:
    """`xlsx_response` of an export of personal data, recorded in the access log (which
    export, the request's filters, the rows written, its purpose and full-ID flag)."""
    from core.access_log import access_record_export

    response = xlsx_response(exporter, filename)
    access_record_export(
        request,
        what=export_label(exporter),
        params=request.GET,
        row_count=response.row_count,  # type: ignore[attr-defined]
        purpose=purpose,
        full_id=full_id,
    )
    return response


def export_label(exporter: Exporter) -> str:
    """How the access log names an export: its Chinese name, else its registry identifier."""
    return str(
        getattr(exporter, "verbose_name", "")
        or getattr(exporter, "identifier", "")
        or type(exporter).__name__
    )
