"""How much of an uploaded spreadsheet the platform will read, and the Chinese messages that
name those limits. Every reader (xlsx, csv) and every entry point (preview, 确认导入, the
background job, the row count that decides between them) uses the same `ReadLimits`.

The defaults keep the read of any file that passes under ~300 MB and a few seconds (see
tests/review/test_hostile_files.py); settings override them (`IMPORT_MAX_*`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from openpyxl.utils.cell import get_column_letter


class ImportFileError(ValueError):
    """A problem with the whole file (encoding, headers, size …). The message is Chinese."""


XLSX_UNREADABLE_MESSAGE = "无法读取该 xlsx 文件。请确认它是 Excel 工作簿(*.xlsx)；旧版 .xls 文件请在 Excel 中另存为 .xlsx。"

MB = 1024 * 1024

# Defaults of the settings below (config/settings.py sets them too).
DEFAULTS = {
    "IMPORT_MAX_UPLOAD_MB": 20,  # the uploaded file, xlsx or csv
    "IMPORT_MAX_ROWS": 100_000,  # data rows below the header
    "IMPORT_EXTRA_COLUMNS": 10,  # columns allowed beyond the import's own (then: 无法识别的列)
    "IMPORT_MAX_COLUMNS": 30,  # never more, whatever the import
    "IMPORT_MAX_CELLS": 1_100_000,  # cells with a value (and shared strings) in a sheet
    "IMPORT_XLSX_MAX_UNPACKED_MB": 96,  # all parts of an xlsx, as they really decompress
    "IMPORT_XLSX_MAX_SHARED_TEXT_MB": 48,  # text the cells copy from the shared strings
}


def _setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_cells: int
    max_unpacked: int
    max_shared_text: int

    @classmethod
    def from_settings(cls, *, columns: int | None = None) -> ReadLimits:
        """`columns`: the most headers the import knows; the limit is that plus
        IMPORT_EXTRA_COLUMNS, never above IMPORT_MAX_COLUMNS."""
        ceiling = _setting("IMPORT_MAX_COLUMNS")
        if columns is not None:
            ceiling = min(ceiling, columns + _setting("IMPORT_EXTRA_COLUMNS"))
        return cls(
            max_bytes=_setting("IMPORT_MAX_UPLOAD_MB") * MB,
            max_rows=_setting("IMPORT_MAX_ROWS"),
            max_columns=ceiling,
            max_cells=_setting("IMPORT_MAX_CELLS"),
            max_unpacked=_setting("IMPORT_XLSX_MAX_UNPACKED_MB") * MB,
            max_shared_text=_setting("IMPORT_XLSX_MAX_SHARED_TEXT_MB") * MB,
        )

    # --- the messages ---------------------------------------------------------------------

    def size_message(self, size: int) -> str:
        return (
            f"文件大小为 {_mb(size)}，超过了导入文件的上限 {_mb(self.max_bytes)}。"
            "请拆分为多个文件后分批导入。"
        )

    def column_message(self, column: int) -> str:
        """`column`: the 1-based column of a cell with a value."""
        return (
            f"文件第 {get_column_letter(column) if column <= 16384 else column} 列有内容，"
            f"超过了本导入允许的 {self.max_columns} 列（A–{get_column_letter(self.max_columns)}"
            " 列）。请删除多余的列，只保留导入模板中的列后重新上传。"
        )

    def row_message(self, row: int) -> str:
        """`row`: the 1-based Excel row (or CSV line) of a cell with a value."""
        return (
            f"文件第 {row} 行有内容，超过了导入文件的上限：表头加 {self.max_rows:,} 行数据"
            f"（共 {self.max_rows + 1:,} 行）。请删除多余的行，或拆分为多个文件后分批导入。"
        )

    def lines_message(self, lines: int) -> str:
        return (
            f"文件超过 {lines:,} 行，超出了导入文件的上限：表头加 {self.max_rows:,} 行数据。"
            "请删除多余的空行，或拆分为多个文件后分批导入。"
        )

    def cells_message(self) -> str:
        return (
            f"文件中有内容的单元格（或文字条目）超过 {self.max_cells:,} 个，超出了导入的上限。"
            "请删除不需要的行列，或拆分为多个文件后分批导入。"
        )

    def unpacked_message(self) -> str:
        return (
            f"该 xlsx 文件解压后超过 {_mb(self.max_unpacked)}，超出了导入的上限（可能是异常文件）。"
            "请只保留要导入的数据（删除其他工作表和图片），或拆分为多个文件后分批导入。"
        )

    def shared_text_message(self) -> str:
        return (
            f"工作表中的文字合计超过 {_mb(self.max_shared_text)}，超出了导入的上限（可能是异常文件）。"
            "请检查文件内容，或拆分为多个文件后分批导入。"
        )


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB" if size % MB else f"{size // MB} MB"
