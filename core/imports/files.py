"""Reading an uploaded import file (xlsx or csv) into rows, within `ReadLimits`.

Every entry point reads through here: the admin preview and 确认导入 and the background
job (through PlatformXLSX / PlatformCSV), and the row count that decides between the
preview and a job (`count_rows`). A file outside the limits is refused with a Chinese
message (ImportFileError) before anything large is built.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import ctypes.util
import datetime
import functools
import io
from collections.abc import Iterator
from typing import Any

from core.imports.gc_pause import gc_paused
from core.imports.limits import XLSX_UNREADABLE_MESSAGE, ImportFileError, ReadLimits
from core.imports.xlsx_guard import check_xlsx
from core.xlsx import is_export_footer

__all__ = [
    "CSV_ENCODING_MESSAGE",
    "XLSX_UNREADABLE_MESSAGE",
    "ImportFileError",
    "ReadLimits",
    "count_csv_rows",
    "count_xlsx_rows",
    "decode_csv",
    "header_text",
    "read_csv_rows",
    "read_xlsx_rows",
]

# --- csv ------------------------------------------------------------------------------------

CSV_ENCODING_MESSAGE = "无法识别该 CSV 文件的编码。请在 Excel 中选择“文件 → 另存为 → Excel 工作簿(*.xlsx)”后上传 xlsx 文件。"
# One record (a line, or several when a quoted cell holds line breaks): an Excel cell holds
# at most 32,767 characters. The csv module builds a record's whole list of cells before we
# can look at it, so a line of a million commas is stopped here, before the csv module.
MAX_RECORD_CHARS = 1_000_000
# Blank lines tolerated below the last allowed row (Excel leaves a few behind).
BLANK_LINES_AFTER = 1000


def decode_csv(data: bytes | str) -> str:
    """UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GB18030 (what Chinese
    Excel writes for “CSV (逗号分隔)”); anything else is refused with a Chinese message."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(CSV_ENCODING_MESSAGE)


def header_text(value: Any) -> str:
    """A header cell as trimmed text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\ufeff", "").strip()


class _Lines:
    """The text's lines for csv.reader, refusing a record longer than MAX_RECORD_CHARS
    before the csv module splits it (`record_read()` after each record)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pending = 0

    def __iter__(self) -> Iterator[str]:
        for line in io.StringIO(self.text, newline=""):
            self.pending += len(line)
            if self.pending > MAX_RECORD_CHARS:
                raise ImportFileError(
                    f"CSV 文件中有一行超过 {MAX_RECORD_CHARS:,} 个字符，不是正常的导入文件。"
                    "请在 Excel 中另存为 .xlsx 后上传。"
                )
            yield line

    def record_read(self) -> None:
        self.pending = 0


def _csv_records(data: bytes | str, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each record within the limits; blank records past the last
    allowed row are skipped, any other record there is refused."""
    if len(data) > limits.max_bytes:
        raise ImportFileError(limits.size_message(len(data)))
    lines = _Lines(decode_csv(data))
    reader = csv.reader(lines)
    cells = 0
    try:
        for number, record in enumerate(reader, start=1):
            lines.record_read()
            if len(record) > limits.max_columns:
                beyond = [i for i, c in enumerate(record) if i >= limits.max_columns and c.strip()]
                if beyond:
                    raise ImportFileError(limits.column_message(beyond[0] + 1))
                record = record[: limits.max_columns]
            if number > limits.max_rows + 1:
                if any(c.strip() for c in record):
                    raise ImportFileError(limits.row_message(number))
                if number > limits.max_rows + 1 + BLANK_LINES_AFTER:
                    raise ImportFileError(limits.lines_message(number - 1))
                continue
            cells += len(record)
            if cells > limits.max_cells:
                raise ImportFileError(limits.cells_message())
            yield number, record
    except csv.Error as exc:
        raise ImportFileError(
            f"CSV 文件第 {reader.line_num} 行格式有误（{exc}）。请在 Excel 中另存为 .xlsx 后上传。"
        ) from exc


def read_csv_rows(data: bytes | str, limits: ReadLimits | None = None) -> list[list[str]]:
    """The records of a CSV file, from its first line (the header)."""
    return [record for _, record in _csv_records(data, limits or ReadLimits.from_settings())]


def count_csv_rows(data: bytes | str, limits: ReadLimits) -> int:
    """Records below the header with any cell filled, without keeping them."""
    return sum(
        1
        for number, record in _csv_records(data, limits)
        if number > 1 and any(c.strip() for c in record)
    )


# --- xlsx ---------------------------------------------------------------------------------

# Integers a float holds exactly; a larger "integer" (an 18-digit ID number typed as a
# number) stays a float, so the widgets see what Excel made of it and refuse it.
_EXACT_INT = 2**53


def _cell(value: Any) -> Any:
    """A calamine cell as openpyxl (read-only, data_only) gave it, which the widgets and
    the tests were written against: None for an empty cell, whole numbers as int (calamine
    reads every number as float), dates as datetime at midnight."""
    if type(value) is str:  # most cells: settle them first
        return value or None
    if type(value) is float and value.is_integer() and abs(value) < _EXACT_INT:
        return int(value)
    if type(value) is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


# Per process: the C library this process loaded.
@functools.cache
def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _give_back_freed_memory() -> None:
    """glibc keeps what calamine has freed (the shared strings, the parser's buffers) for
    later malloc calls, while Python makes its objects in memory of its own: without this
    the process holds both (345 MB instead of 272 MB for a million distinct strings).
    Nothing where the C library is not glibc."""
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)


@contextlib.contextmanager
def _calamine_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # calamine raises several error types
        raise ImportFileError(XLSX_UNREADABLE_MESSAGE) from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":  # a Rust panic, through pyo3
            raise
        raise ImportFileError(XLSX_UNREADABLE_MESSAGE) from exc


def _first_sheet(data: bytes, limits: ReadLimits):
    """The first worksheet through python-calamine once `check_xlsx` has passed: its grid
    holds the used area (from the first to the last cell with a value)."""
    check_xlsx(data, limits)
    from python_calamine import CalamineWorkbook

    with _calamine_errors():
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            sheet = book.get_sheet_by_index(0)
        finally:
            # The sheet keeps its own grid; closing the book now frees the shared strings
            # before the cells become Python objects (~70 MB at a million strings).
            book.close()
    _give_back_freed_memory()
    # check_xlsx has bounded the grid; calamine's own extent is checked as well.
    if sheet.end is not None:
        row, column = sheet.end
        if column + 1 > limits.max_columns:
            raise ImportFileError(limits.column_message(column + 1))
        if row + 1 > limits.max_rows + 1:
            raise ImportFileError(limits.row_message(row + 1))
    return sheet


def read_xlsx_rows(data: bytes, limits: ReadLimits | None = None) -> list[list[Any]]:
    """The first sheet's rows from A1 to the last column with a value; empty leading rows
    and columns are kept so that row numbers stay Excel's. python-calamine (~10×
    openpyxl's read-only speed) reads only the used area, once `check_xlsx` has passed."""
    with gc_paused():
        return _sheet_rows(_first_sheet(data, limits or ReadLimits.from_settings()))


def _sheet_rows(sheet) -> list[list[Any]]:
    if sheet.start is None:
        return []
    # iter_rows starts at row 1 (empty rows above the used area) but at the used area's
    # first column: the columns to its left are added here.
    pad = [None] * sheet.start[1]
    with _calamine_errors():
        # Most cells are non-empty text, kept as they are without a call per cell.
        rows = [
            pad + [v if type(v) is str and v else _cell(v) for v in row]
            for row in sheet.iter_rows()
        ]
    del sheet  # calamine's grid
    _give_back_freed_memory()
    # An exported file read back: its 导出人 footer row (core.xlsx.ExportStamp) is not data.
    while rows and is_export_footer(rows[-1]):
        rows.pop()
    return rows


def count_xlsx_rows(data: bytes, limits: ReadLimits) -> int:
    """Rows below Excel row 1 (the header) with any cell filled, without keeping them."""
    sheet = _first_sheet(data, limits)
    if sheet.start is None:
        return 0
    with _calamine_errors():
        rows = sheet.iter_rows()  # from Excel row 1
        next(rows, None)  # the header
        return sum(
            1 for row in rows if any(v not in ("", None) for v in row) and not is_export_footer(row)
        )
