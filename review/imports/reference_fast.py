"""The 对比库 import's fast reading of a row in its common form.

A 100,000-row file is nearly all rows like "18-digit resident ID as text, a name, a year,
plain text": for those, `FastRows` gives the record's written values straight from the
cells, without a model instance, the widgets' per-cell calls or stdnum's per-number date
parsing. It only ever answers "this row is fine, here are its values" or "ask the full
path" (None): any row it does not vouch for — another ID type, a number not in canonical
form, a bad cell, a duplicate, an existing record — goes through the resource's full
per-row checks, so every verdict and every Chinese message comes from there.
"""

from __future__ import annotations

import datetime
import json
from operator import itemgetter
from typing import Any, NamedTuple

from people.id_documents import ResidentIdBatch
from people.models.candidates import IdType


class NewRecord(NamedTuple):
    """A new record's values as COPY writes them (WRITTEN_FIELDS, after library_id)."""

    id_number: str
    name: str
    year: int
    source: str
    detail: str
    extra: str  # JSON text


class FastRows:
    def __init__(
        self,
        *,
        headers: list[str],
        library,
        library_columns,
        id_type_column: str,
        max_lengths: dict[str, int],
    ) -> None:
        at = {h: i for i, h in enumerate(headers)}
        self.i_id, self.i_name, self.i_year = at["证件号码"], at["姓名"], at["年度"]
        self.i_source, self.i_detail = at.get("来源"), at.get("说明")
        self.i_library, self.i_type = at.get("对比库"), at.get(id_type_column)
        self.extras = [(at[c.column], c.key, c.kind) for c in library_columns if c.column in at]
        indexes = [index for index, _key, _kind in self.extras]
        # The extra cells of a row as a tuple, in one call.
        self._cells = (
            itemgetter(*indexes)
            if len(indexes) > 1
            else lambda v, i=indexes[:1]: tuple(v[j] for j in i)
        )
        # What the 对比库 and 证件类型 cells may say for a row to stay on this path.
        self.library_names = {"", library.name, library.code}
        self.resident_labels = {"", str(IdType.RESIDENT_ID), str(IdType.RESIDENT_ID.label)}
        self.max_name = max_lengths["name"]
        self.max_source = max_lengths["source"]
        self.max_detail = max_lengths["detail"]
        self.last_year = datetime.date.today().year + 1  # YearWidget's range
        self.resident_id = ResidentIdBatch()
        self._json: dict[tuple, str] = {}

    def _text(self, values: list[Any], index: int | None, limit: int) -> str | None:
        if index is None:
            return ""
        cell = values[index]
        if cell is None:
            return ""
        if type(cell) is not str:
            return None
        text = cell.strip()
        return text if len(text) <= limit else None

    def __call__(self, values: list[Any]) -> NewRecord | None:
        """The row's values, or None: take the full path."""
        number, year = values[self.i_id], values[self.i_year]
        if type(year) is not int or not 1949 <= year <= self.last_year:
            return None
        if not self.resident_id(number):
            return None
        for index, allowed in (
            (self.i_library, self.library_names),
            (self.i_type, self.resident_labels),
        ):
            if index is not None:
                cell = values[index]
                if cell is not None and (type(cell) is not str or cell.strip() not in allowed):
                    return None
        name = values[self.i_name]
        if type(name) is not str:
            return None
        name = name.strip()
        if not name or len(name) > self.max_name:
            return None
        source = self._text(values, self.i_source, self.max_source)
        detail = self._text(values, self.i_detail, self.max_detail)
        extra = self._extra(values)
        if source is None or detail is None or extra is None:
            return None
        return NewRecord(number, name, year, source, detail, extra)

    def _extra(self, values: list[Any]) -> str | None:
        """`extra` as JSON text, None when a cell is not plain text. Most rows repeat a few
        combinations of cells: each is read and serialised once."""
        if not self.extras:
            return "{}"
        cells = self._cells(values)
        text = self._json.get(cells, "")
        if text == "":
            text = self._json[cells] = self._serialise(cells)
        return text

    def _serialise(self, cells: tuple) -> str | None:
        items = {}
        for cell, (_index, key, kind) in zip(cells, self.extras, strict=True):
            if cell is None:
                continue
            if kind == "date" or type(cell) is not str:  # dates: the full path reads them
                return None
            text = cell.strip()
            if text:
                items[key] = text
        return json.dumps(items, ensure_ascii=False)
