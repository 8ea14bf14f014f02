"""Writing tens of thousands of rows inside one change, fast: COPY on PostgreSQL.

A notice to a whole city writes ~40,000 recipients and as many notifications in its
transaction. `bulk_create` spends most of that time building and preparing a model instance
per row (BENCHMARKS.md); here PostgreSQL takes the rows by COPY, their ids drawn from the
table's own sequence first (one query) so the caller knows them. Elsewhere (SQLite, the
embedded default and the tests) it is `bulk_create` in batches: the same rows, the same ids.
Either way it runs inside the caller's transaction: nothing is written unless it commits.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

BATCH = 2000


def _value(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _field(meta: Any, attname: str) -> Any:
    """The field whose attribute is `attname` ("user_id" is the field "user")."""
    for field in meta.concrete_fields:
        if field.attname == attname:
            return field
    raise LookupError(attname)


def insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> list[int]:
    """Insert `rows` (values of `columns`, attribute names such as "user_id", in that order)
    into `model`'s table; returns their new ids in the same order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model.objects.bulk_create(objects, batch_size=BATCH)
        return [obj.pk for obj in objects]
    meta = model._meta
    names = [_field(meta, column).column for column in columns]
    table = connection.ops.quote_name(meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in ["id", *names])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [meta.db_table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *(_value(v) for v in row)))
    return ids
