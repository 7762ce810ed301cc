"""PostgreSQL's bulk load (COPY … FROM STDIN through psycopg) for the two places that insert
tens of thousands of rows at once: the 对比库 import and `seed_bench`.

Rows are plain sequences of Python values in `columns` order (field attnames); JSON fields
are serialised here, everything else is adapted by psycopg. COPY runs inside the caller's
transaction, and a constraint it breaks raises at the end like any INSERT would.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, JSONField, Model


def model_field(model: type[Model], attname: str) -> Field:
    for f in model._meta.concrete_fields:
        if f.attname == attname or f.name == attname:
            return f
    raise LookupError(f"{model.__name__} has no column {attname}")


def can_copy(using: str = DEFAULT_DB_ALIAS) -> bool:
    return connections[using].vendor == "postgresql"


def copy_insert(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
    json_text: bool = False,
) -> int:
    """Insert `rows` into `model`'s table with COPY; returns how many were written.
    `json_text`: the JSON columns already hold JSON text (serialised by the caller)."""
    connection = connections[using]
    fields = [model_field(model, c) for c in columns]
    json_at = [] if json_text else [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
    count = 0
    # The raw psycopg cursor skips Django's error translation: wrap_database_errors turns a
    # broken constraint into django.db.IntegrityError, as an INSERT would raise.
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)
            count += 1
    return count
