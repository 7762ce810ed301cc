"""Fast bulk inserts for the benchmark data set.

Rows are plain tuples in column order with primary keys assigned here, so no model
instances are built. On PostgreSQL they go through COPY (core.copy_insert); on other
databases through one executemany per batch, each value prepared by its model field.
"""

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

from core.copy_insert import can_copy, copy_insert, model_field

BATCH = 5000


@dataclass
class TableStat:
    table: str
    rows: int = 0
    seconds: float = 0.0


@dataclass
class BulkWriter:
    """Inserts rows table by table and keeps counts and elapsed time per table."""

    stats: dict[str, TableStat] = field(default_factory=dict)
    _next_ids: dict[type[Model], int] = field(default_factory=dict)
    _touched: set[type[Model]] = field(default_factory=set)

    @property
    def uses_copy(self) -> bool:
        return can_copy()

    def next_ids(self, model: type[Model], count: int) -> range:
        """`count` fresh primary keys for `model` (above everything already in the table)."""
        if model not in self._next_ids:
            top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
            self._next_ids[model] = top + 1
        start = self._next_ids[model]
        self._next_ids[model] = start + count
        return range(start, start + count)

    def insert(self, model: type[Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Insert `rows` (tuples of Python values, in `columns` order: field attnames)."""
        started = time.perf_counter()
        fields = [model_field(model, c) for c in columns]
        count = (
            copy_insert(model, columns, rows)
            if self.uses_copy
            else self._executemany(model, columns, fields, rows)
        )
        self._touched.add(model)
        stat = self.stats.setdefault(model._meta.db_table, TableStat(model._meta.db_table))
        stat.rows += count
        stat.seconds += time.perf_counter() - started
        return count

    def _executemany(self, model, columns, fields, rows) -> int:
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({names}) VALUES ({marks})"
        count = 0
        batch: list[list[Any]] = []
        with connection.cursor() as cursor:
            for row in rows:
                batch.append(
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                )
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def reset_sequences(self) -> None:
        """Explicit keys bypass PostgreSQL's sequences: move them past the new rows."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._touched))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
