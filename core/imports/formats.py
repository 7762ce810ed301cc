"""The import and export formats of every PlatformImportMixin admin: django-import-export
format classes over the platform's own reader (core.imports.files: within ReadLimits)
and writer (core.xlsx.write_xlsx: text is always stored as text, never as a
formula)."""

from __future__ import annotations

from typing import Any, ClassVar

import tablib
from import_export.formats.base_formats import CSV, XLSX

from core.imports.files import (
    count_csv_rows,
    count_xlsx_rows,
    header_text,
    read_csv_rows,
    read_xlsx_rows,
)
from core.imports.gc_pause import gc_paused
from core.imports.limits import ReadLimits


class _Limited:
    """`limits` None: ReadLimits.from_settings() (no import's own column count)."""

    limits: ClassVar[ReadLimits | None] = None

    @classmethod
    def with_limits(cls, limits: ReadLimits) -> type:
        """This format reading within `limits` (an import's column count)."""
        return type(cls.__name__, (cls,), {"limits": limits, "__module__": cls.__module__})

    def read_limits(self) -> ReadLimits:
        return self.limits or ReadLimits.from_settings()


class PlatformCSV(_Limited, CSV):
    """CSV read as bytes and decoded by `decode_csv` (import-export would read it as UTF-8
    text and fail on GB18030)."""

    def get_title(self):
        return "csv"

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def count_rows(self, data: bytes) -> int:
        return count_csv_rows(data, self.read_limits())

    def create_dataset(self, in_stream, **kwargs) -> tablib.Dataset:
        rows = read_csv_rows(in_stream, self.read_limits())
        dataset = tablib.Dataset()
        if not rows:
            return dataset
        headers = [header_text(h) for h in rows[0]]
        width = len(headers)
        for row in rows[1:]:
            cells = [cell.strip() if isinstance(cell, str) else cell for cell in row]
            if len(cells) > width:
                if any(cell for cell in cells[width:]):
                    headers += [""] * (len(cells) - width)
                    width = len(headers)
                    for old in dataset._data:
                        old.extend([""] * (width - len(old)))
                else:
                    cells = cells[:width]
            dataset.append(cells + [""] * (width - len(cells)))
        dataset.headers = headers
        return dataset


class PlatformXLSX(_Limited, XLSX):
    """xlsx: the first sheet, headers as trimmed text. Exports go through the platform's one
    writer: strings are text cells (never formulas), ID numbers never 4.2E+17."""

    def get_title(self):
        return "xlsx"

    def count_rows(self, data: bytes) -> int:
        return count_xlsx_rows(data, self.read_limits())

    def create_dataset(self, in_stream) -> tablib.Dataset:
        with gc_paused():
            return self._dataset(in_stream)

    def _dataset(self, in_stream) -> tablib.Dataset:
        rows = iter(read_xlsx_rows(in_stream, self.read_limits()))
        try:
            headers = [header_text(h) for h in next(rows)]
        except StopIteration:
            return tablib.Dataset()
        width = len(headers)
        data: list[list[Any]] = []
        for values in rows:  # fresh lists from the reader
            if len(values) > width:
                if any(v not in (None, "") for v in values[width:]):
                    headers += [""] * (len(values) - width)
                    width = len(headers)
                    for old in data:
                        old.extend([None] * (width - len(old)))
                else:
                    values = values[:width]
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            data.append(values)
        # One constructor call: Dataset.append would check each row's width again.
        return tablib.Dataset(*data, headers=headers)

    def export_data(self, dataset, **kwargs) -> bytes:
        from core.xlsx import write_workbook

        return write_workbook(dataset.headers or [], list(dataset))
