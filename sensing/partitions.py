"""The observations table's daily partitions on PostgreSQL: created ahead, dropped when old.

The table `sensing_observation` is partitioned by range on `phenomenon_time`, one partition a
UTC day, named `sensing_observation_pYYYYMMDD`. A scheduled job (`maintain`) creates the
coming days' partitions and drops those older than `SENSING_RETENTION_DAYS` (dropping a
partition is instant; no DELETE over millions of rows). Ingest calls `ensure_days` for the
days of a batch, so a late reading of a day not yet created (but inside retention) still finds
its partition; a process remembers the days it saw exist, so that costs nothing in the steady
state. On SQLite the table is plain and retention deletes rows.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

TABLE = "sensing_observation"
_NAME = re.compile(r"^sensing_observation_p(\d{8})$")

_known: set[date] = set()
_lock = threading.Lock()


def partitioned() -> bool:
    return connection.vendor == "postgresql"


def retention_days() -> int:
    return int(getattr(settings, "SENSING_RETENTION_DAYS", 400))


def partition_name(day: date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def _create(cursor, day: date) -> None:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    end = start + timedelta(days=1)
    cursor.execute(
        f'CREATE TABLE IF NOT EXISTS "{partition_name(day)}" PARTITION OF "{TABLE}" '
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    )


def existing_days() -> set[date]:
    """The days that have a partition (PostgreSQL only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    days = set()
    for name in names:
        match = _NAME.match(name)
        if match:
            days.add(datetime.strptime(match.group(1), "%Y%m%d").date())
    return days


def ensure_days(days: Iterable[date]) -> None:
    """Make sure each day has its partition (cheap when this process saw it before)."""
    if not partitioned():
        return
    wanted = set(days) - _known
    if not wanted:
        return
    with _lock:
        present = existing_days()
        _known.update(present)
        missing = sorted(wanted - present)
        if missing:
            # Its own short transaction when called outside one; inside a batch's
            # transaction the partition is created with it (and gone if it rolls back).
            with transaction.atomic(), connection.cursor() as cursor:
                for day in missing:
                    _create(cursor, day)
            if connection.in_atomic_block and not connection.get_autocommit():
                # Not yet committed: do not remember it, a rollback would undo it.
                return
            _known.update(missing)


def forget() -> None:
    """Forget the days seen (tests that recreate the table)."""
    _known.clear()


def maintain(*, ahead: int = 3, now: datetime | None = None) -> dict[str, int]:
    """Create the next `ahead` days' partitions, drop the ones past retention."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    oldest_kept = today - timedelta(days=retention_days())
    if not partitioned():
        from sensing.models import Observation, Rollup

        cutoff = datetime(oldest_kept.year, oldest_kept.month, oldest_kept.day, tzinfo=UTC)
        deleted, _ = Observation.objects.filter(phenomenon_time__lt=cutoff).delete()
        Rollup.objects.filter(start__lt=cutoff).delete()
        return {"created": 0, "dropped": deleted}
    created = dropped = 0
    with transaction.atomic(), connection.cursor() as cursor:
        present = existing_days()
        for offset in range(-1, ahead + 1):
            day = today + timedelta(days=offset)
            if day not in present:
                _create(cursor, day)
                created += 1
        for day in sorted(present):
            if day < oldest_kept:
                cursor.execute(f'DROP TABLE IF EXISTS "{partition_name(day)}"')
                dropped += 1
                _known.discard(day)
        cutoff = datetime(oldest_kept.year, oldest_kept.month, oldest_kept.day, tzinfo=UTC)
        cursor.execute("DELETE FROM sensing_rollup WHERE start < %s", [cutoff])
    return {"created": created, "dropped": dropped}
