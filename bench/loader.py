"""Bulk loading: PostgreSQL COPY (psycopg 3 `cursor.copy()`), or executemany elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from django.core.management.color import no_style
from django.db import connection, models


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


_DAYS: dict[tuple[int, str], str] = {}


def stamp(epoch: float) -> str:
    """A UTC timestamp literal both backends read back as an aware datetime (to the second)."""
    day, second = divmod(int(epoch), 86400)
    key = (day, _VENDOR[0])
    date = _DAYS.get(key)
    if date is None:
        date = _DAYS[key] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d")
    hour, rest = divmod(second, 3600)
    return f"{date} {hour:02d}:{rest // 60:02d}:{rest % 60:02d}{_VENDOR[1]}"


_VENDOR = ["", ""]  # (vendor, timestamp suffix), set by `prepare_stamps`


def prepare_stamps() -> None:
    """Remember the database vendor once: `stamp` runs millions of times."""
    vendor = connection.vendor
    _VENDOR[:] = [vendor, "+00" if vendor == "postgresql" else ""]


def load(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Write `rows` (tuples in `columns` order) into the model's table; return the count."""
    table = model._meta.db_table
    count = 0
    if is_postgresql():
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    batch: list[Sequence] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reset_sequences(model_list: Sequence[type[models.Model]]) -> None:
    """After loading explicit ids, point each table's id sequence past the largest."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def analyze() -> None:
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextmanager
def bulk(*model_list: type[models.Model]) -> Iterator[None]:
    """One transaction for a bulk load, as pg_restore does it on PostgreSQL.

    The tables' plain indexes are dropped and rebuilt afterwards (one sort instead of a million
    insertions), and the foreign-key triggers are off while loading (the generator writes
    consistent ids). Primary keys and unique constraints stay and are checked row by row.
    """
    from django.db import transaction

    with transaction.atomic():
        if not is_postgresql():
            yield
            return
        definitions: list[str] = []
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for model in model_list:
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                    " WHERE i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
                    " WHERE c.conname = i.indexname)",
                    [model._meta.db_table],
                )
                for name, definition in cursor.fetchall():
                    definitions.append(definition)
                    cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in definitions:
                cursor.execute(definition)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
