"""Taking readings in: check each, store the good ones at once, count the refused per device.

Both paths (HTTP SensorThings and the MQTT subscriber) end in `store_readings`. Each reading
is checked on its own (unknown or inactive datastream, another device's datastream, a result
of the wrong type, NaN/∞, a time unreadable, far in the future or older than kept); the good
ones are written in one transaction: the observations (`INSERT … ON CONFLICT DO NOTHING`, so a
duplicate — same datastream and phenomenon time — is ignored), the rollups of the rows actually
inserted (an upsert per bucket, so out-of-order readings land in their buckets), each
datastream's latest value (only if newer), the device's counters; then the registered
observers (`sensing.observers`, the rules) with the same readings, and a live push through the
outbox (delivered after commit, kept if Redis is down). PostgreSQL holds what was accepted
before anything else is tried.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sensing import directory, observers, partitions
from sensing.models import Bucket, ObservationType

BUCKETS = tuple(int(b) for b in Bucket.values)
CHUNK = 2000


@dataclass(frozen=True, slots=True)
class RawReading:
    """A reading as it arrived: nothing checked yet."""

    datastream_id: Any
    result: Any
    phenomenon_time: Any = None
    result_time: Any = None


@dataclass
class Outcome:
    """What became of a batch: how many stored, ignored as duplicates, and each refusal."""

    accepted: int = 0
    duplicates: int = 0
    refused: list[dict[str, Any]] = field(default_factory=list)
    # Per reading of the batch, in order: the stored id, "duplicate", or the refusal.
    items: list[int | str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "refused": len(self.refused),
            "errors": self.refused[:100],
        }


@dataclass(frozen=True, slots=True)
class _Good:
    datastream_id: int
    thing_id: int
    area_id: int | None
    time: datetime
    result: float | None
    result_json: Any
    result_time: datetime | None


def max_future() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "SENSING_MAX_FUTURE_SECONDS", 300)))


def parse_time(value: Any) -> datetime:
    """An ISO 8601 instant (or the start of an interval "a/b") as an aware UTC datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        text = value.split("/", 1)[0].strip()
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    else:
        raise ValueError(value)
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment.astimezone(UTC)


def _result(kind: str, value: Any) -> tuple[float | None, Any]:
    """The stored (number, other) for a result of datastream type `kind`; ValueError if wrong."""
    if kind == ObservationType.CATEGORY:
        if not isinstance(value, str) or not value or len(value) > 200:
            raise ValueError(_("expected a text result"))
        return None, value
    if kind == ObservationType.TRUTH:
        if not isinstance(value, bool):
            raise ValueError(_("expected true or false"))
        return (1.0 if value else 0.0), value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("expected a number"))
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(_("not a finite number (NaN or infinity)"))
    if kind == ObservationType.COUNT and not number.is_integer():
        raise ValueError(_("expected a whole number"))
    return number, None


def _check(
    raw: RawReading, device_id: int | None, now: datetime, oldest: datetime, latest: datetime
) -> _Good | str:
    try:
        stream_id = int(raw.datastream_id)
        if isinstance(raw.datastream_id, bool | float):
            raise ValueError
    except (TypeError, ValueError):
        return _("unknown datastream")
    info = directory.stream(stream_id)
    if info is None:
        return _("unknown datastream %(id)s") % {"id": stream_id}
    if device_id is not None and info.device_id != device_id:
        return _("datastream %(id)s is not this device's") % {"id": stream_id}
    if raw.phenomenon_time is None:
        moment = now
    else:
        try:
            moment = parse_time(raw.phenomenon_time)
        except (TypeError, ValueError):
            return _("phenomenonTime is not an ISO 8601 time with a zone")
    if moment > latest:
        return _("phenomenonTime is in the future")
    if moment < oldest:
        return _("phenomenonTime is older than readings are kept")
    result_time = None
    if raw.result_time is not None:
        try:
            result_time = parse_time(raw.result_time)
        except (TypeError, ValueError):
            return _("resultTime is not an ISO 8601 time with a zone")
    try:
        number, other = _result(info.observation_type, raw.result)
    except ValueError as error:
        return _("wrong result: %(why)s") % {"why": error.args[0] if error.args else ""}
    return _Good(stream_id, info.thing_id, info.area_id, moment, number, other, result_time)


def store_readings(
    readings: Sequence[RawReading],
    *,
    device_id: int | None,
    now: datetime | None = None,
) -> Outcome:
    """Check and store `readings` written by the device `device_id` (None: a trusted source —
    the broker-authenticated MQTT path when devices are not named, the demo, the tests)."""
    now = now or timezone.now()
    oldest = now - timedelta(days=partitions.retention_days())
    latest = now + max_future()
    outcome = Outcome()
    good: list[_Good] = []
    slots: list[int | str | _Good] = []
    for index, raw in enumerate(readings):
        checked = _check(raw, device_id, now, oldest, latest)
        if isinstance(checked, str):
            outcome.refused.append({"index": index, "error": checked})
        else:
            good.append(checked)
        slots.append(checked)
    ids: dict[int, int] = {}
    with transaction.atomic():
        stored: list[_Good] = []
        if good:
            stored = _write_all(good, ids)
            outcome.duplicates = len(good) - len(stored)
            outcome.accepted = len(stored)
        if device_id is not None:
            _count(
                {device_id: (outcome.accepted, len(outcome.refused))},
                {device_id: outcome.refused[-1]["error"]} if outcome.refused else {},
                now,
            )
        if stored:
            observers.notify(
                [observers.Reading(g.datastream_id, g.thing_id, g.time, g.result) for g in stored]
            )
            _push(stored)
    outcome.items = [
        slot if isinstance(slot, str) else ids.get(id(slot), "duplicate") for slot in slots
    ]
    return outcome


def store_from_devices(
    batches: Iterable[tuple[int | None, list[RawReading]]], *, now: datetime | None = None
) -> Outcome:
    """Many devices' readings in one transaction (the MQTT subscriber's batch)."""
    now = now or timezone.now()
    oldest = now - timedelta(days=partitions.retention_days())
    latest = now + max_future()
    outcome = Outcome()
    good: list[_Good] = []
    per_device: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    last_error: dict[int, str] = {}
    owner: dict[tuple[int, datetime], int] = {}
    for device_id, readings in batches:
        for raw in readings:
            checked = _check(raw, device_id, now, oldest, latest)
            if isinstance(checked, str):
                outcome.refused.append({"datastream": raw.datastream_id, "error": checked})
                if device_id is not None:
                    per_device[device_id][1] += 1
                    last_error[device_id] = checked
            else:
                good.append(checked)
                if device_id is not None:
                    owner[(checked.datastream_id, checked.time)] = device_id
    with transaction.atomic():
        stored: list[_Good] = []
        if good:
            stored = _write_all(good, {})
        outcome.accepted = len(stored)
        outcome.duplicates = len(good) - len(stored)
        for g in stored:
            device_id = owner.get((g.datastream_id, g.time))
            if device_id is not None:
                per_device[device_id][0] += 1
        if per_device:
            _count({k: (v[0], v[1]) for k, v in per_device.items()}, last_error, now)
        if stored:
            observers.notify(
                [observers.Reading(g.datastream_id, g.thing_id, g.time, g.result) for g in stored]
            )
            _push(stored)
    return outcome


# PostgreSQL: the observations, their rollups and the latest values in one statement (one
# round trip, bound on the server: no array is quoted in Python). Rollups are aggregated from
# the rows the INSERT returned (duplicates never count), in one lock order (sorted).
_WRITE_PG = """
WITH ins AS (
    INSERT INTO sensing_observation
        (datastream_id, phenomenon_time, result, result_json, result_time)
    SELECT d, t, r, j::jsonb, rt FROM unnest(
        %s::bigint[], %s::timestamptz[], %s::float8[], %s::text[], %s::timestamptz[]
    ) AS u(d, t, r, j, rt)
    ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING
    RETURNING id, datastream_id, phenomenon_time, result
), buckets AS (
    SELECT ins.datastream_id, s.size AS bucket,
           to_timestamp(floor(extract(epoch FROM ins.phenomenon_time) / s.size) * s.size)
               AS start,
           ins.result, ins.phenomenon_time
    FROM ins CROSS JOIN (VALUES (300), (3600), (86400)) AS s(size)
    WHERE ins.result IS NOT NULL
), agg AS (
    SELECT datastream_id, bucket, start, count(*) AS n, min(result) AS lo, max(result) AS hi,
           sum(result) AS total,
           (array_agg(result ORDER BY phenomenon_time DESC))[1] AS last,
           max(phenomenon_time) AS last_time
    FROM buckets GROUP BY datastream_id, bucket, start
), rolled AS (
    INSERT INTO sensing_rollup
        (datastream_id, bucket, start, count, min, max, sum, last, last_time)
    SELECT datastream_id, bucket, start, n, lo, hi, total, last, last_time
    FROM agg ORDER BY datastream_id, bucket, start
    ON CONFLICT (datastream_id, bucket, start) DO UPDATE SET
        count = sensing_rollup.count + excluded.count,
        min = LEAST(sensing_rollup.min, excluded.min),
        max = GREATEST(sensing_rollup.max, excluded.max),
        sum = sensing_rollup.sum + excluded.sum,
        last = CASE WHEN sensing_rollup.last_time IS NULL
                    OR excluded.last_time >= sensing_rollup.last_time
               THEN excluded.last ELSE sensing_rollup.last END,
        last_time = GREATEST(sensing_rollup.last_time, excluded.last_time)
    RETURNING 1
), newest AS (
    SELECT DISTINCT ON (datastream_id) datastream_id, result, phenomenon_time
    FROM ins ORDER BY datastream_id, phenomenon_time DESC
), latest AS (
    UPDATE sensing_datastream AS d SET last_value = newest.result,
        last_time = newest.phenomenon_time
    FROM newest
    WHERE d.id = newest.datastream_id
      AND (d.last_time IS NULL OR d.last_time <= newest.phenomenon_time)
    RETURNING 1
)
SELECT id, datastream_id, phenomenon_time,
       (SELECT count(*) FROM rolled) + (SELECT count(*) FROM latest) FROM ins
"""


def _write_all(good: list[_Good], ids: dict[int, int]) -> list[_Good]:
    """Store `good` (inside the caller's transaction) in chunks, in the order of their
    datastreams, having first locked those datastreams in ascending id order.

    Writers run side by side (ingest requests, MQTT subscribers) and share datastreams: each
    reading updates its datastream's rollup rows and latest value. Taken in whatever order the
    readings came, two writers could each hold a row the other needs (PostgreSQL: "deadlock
    detected", a batch lost to a retry). Locking the datastreams first, in one order, makes the
    second writer wait for the first instead."""
    partitions.ensure_days({g.time.date() for g in good})
    ordered = sorted(good, key=lambda g: (g.datastream_id, g.time))  # stable: first wins
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM sensing_datastream WHERE id = ANY(%s) ORDER BY id "
                "FOR NO KEY UPDATE",
                [sorted({g.datastream_id for g in ordered})],
            )
    stored: list[_Good] = []
    for start in range(0, len(ordered), CHUNK):
        stored.extend(_write(ordered[start : start + CHUNK], ids))
    return stored


def _write(rows: list[_Good], ids: dict[int, int]) -> list[_Good]:
    """Store `rows` (skipping duplicates), their rollups and latest values; the rows stored."""
    if connection.vendor != "postgresql":
        stored = _insert(rows, ids)
        if stored:
            _rollup(stored)
            _latest(stored)
        return stored
    keyed: dict[tuple[int, datetime], _Good] = {}
    for g in rows:
        keyed.setdefault((g.datastream_id, g.time), g)
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # psycopg's own: bound on the server
        cursor.execute(
            _WRITE_PG,
            [
                [g.datastream_id for g in rows],
                [g.time for g in rows],
                [g.result for g in rows],
                [None if g.result_json is None else json.dumps(g.result_json) for g in rows],
                [g.result_time for g in rows],
            ],
        )
        returned = cursor.fetchall()
    inserted = []
    for pk, ds, moment, _touched in returned:
        row = keyed.get((ds, moment))
        if row is not None:
            ids[id(row)] = pk
            inserted.append(row)
    return inserted


def _insert(rows: list[_Good], ids: dict[int, int]) -> list[_Good]:
    """Insert, skipping duplicates; the rows actually inserted (their new ids into `ids`,
    keyed by the row object's identity)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO sensing_observation "
                "(datastream_id, phenomenon_time, result, result_json, result_time) "
                "SELECT d, t, r, j::jsonb, rt FROM unnest("
                "%s::bigint[], %s::timestamptz[], %s::float8[], %s::text[], %s::timestamptz[]"
                ") AS u(d, t, r, j, rt) "
                "ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING "
                "RETURNING id, datastream_id, phenomenon_time",
                [
                    [g.datastream_id for g in rows],
                    [g.time for g in rows],
                    [g.result for g in rows],
                    [None if g.result_json is None else json.dumps(g.result_json) for g in rows],
                    [g.result_time for g in rows],
                ],
            )
            keyed = {}
            for g in rows:
                keyed.setdefault((g.datastream_id, g.time), g)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
            params: list[Any] = []
            keyed = {}
            for g in rows:
                stamp = adapt(g.time)
                keyed.setdefault((g.datastream_id, g.time), g)
                params += [
                    g.datastream_id,
                    stamp,
                    g.result,
                    None if g.result_json is None else json.dumps(g.result_json),
                    adapt(g.result_time) if g.result_time else None,
                ]
            cursor.execute(
                "INSERT INTO sensing_observation "
                "(datastream_id, phenomenon_time, result, result_json, result_time) "
                f"VALUES {values} ON CONFLICT (datastream_id, phenomenon_time) DO NOTHING "
                "RETURNING id, datastream_id, phenomenon_time",
                params,
            )
        returned = cursor.fetchall()
    inserted = []
    for pk, ds, moment in returned:
        row = keyed.get((ds, _aware(moment)))
        if row is not None:
            ids[id(row)] = pk
            inserted.append(row)
    return inserted


def _aware(value: Any) -> datetime:
    """A returned phenomenon time as an aware UTC datetime (SQLite gives it naive, or text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def bucket_start(moment: datetime, size: int) -> datetime:
    seconds = int(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % size, UTC)


def _rollup(rows: list[_Good]) -> None:
    # (datastream, bucket, start) → [count, min, max, sum, last, last_time]
    agg: dict[tuple[int, int, datetime], list[Any]] = {}
    for g in rows:
        if g.result is None:
            continue
        for size in BUCKETS:
            key = (g.datastream_id, size, bucket_start(g.time, size))
            entry = agg.get(key)
            if entry is None:
                agg[key] = [1, g.result, g.result, g.result, g.result, g.time]
            else:
                entry[0] += 1
                entry[1] = min(entry[1], g.result)
                entry[2] = max(entry[2], g.result)
                entry[3] += g.result
                if g.time >= entry[5]:
                    entry[4], entry[5] = g.result, g.time
    if not agg:
        return
    keys = sorted(agg)  # one lock order for every writer: no deadlocks between batches
    newer = (
        "CASE WHEN sensing_rollup.last_time IS NULL "
        "OR excluded.last_time >= sensing_rollup.last_time THEN excluded.{0} "
        "ELSE sensing_rollup.{0} END"
    )
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("MIN", "MAX")
    update = (
        "ON CONFLICT (datastream_id, bucket, start) DO UPDATE SET "
        "count = sensing_rollup.count + excluded.count, "
        f"min = {least}(sensing_rollup.min, excluded.min), "
        f"max = {greatest}(sensing_rollup.max, excluded.max), "
        "sum = sensing_rollup.sum + excluded.sum, "
        f"last = {newer.format('last')}, last_time = {newer.format('last_time')}"
    )
    columns = "(datastream_id, bucket, start, count, min, max, sum, last, last_time)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO sensing_rollup {columns} SELECT * FROM unnest("
                "%s::bigint[], %s::int[], %s::timestamptz[], %s::int[], %s::float8[], "
                "%s::float8[], %s::float8[], %s::float8[], %s::timestamptz[]) " + update,
                [
                    [k[0] for k in keys],
                    [k[1] for k in keys],
                    [k[2] for k in keys],
                    [agg[k][0] for k in keys],
                    [agg[k][1] for k in keys],
                    [agg[k][2] for k in keys],
                    [agg[k][3] for k in keys],
                    [agg[k][4] for k in keys],
                    [agg[k][5] for k in keys],
                ],
            )
        else:
            adapt = connection.ops.adapt_datetimefield_value
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                params: list[Any] = []
                for k in part:
                    e = agg[k]
                    params += [k[0], k[1], adapt(k[2]), e[0], e[1], e[2], e[3], e[4], adapt(e[5])]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(part))
                # "ON CONFLICT" after a VALUES list needs no WHERE in SQLite (no SELECT).
                cursor.execute(
                    f"INSERT INTO sensing_rollup {columns} VALUES {values} " + update, params
                )


def _latest(rows: list[_Good]) -> None:
    newest: dict[int, _Good] = {}
    for g in rows:
        held = newest.get(g.datastream_id)
        if held is None or g.time >= held.time:
            newest[g.datastream_id] = g
    ids = sorted(newest)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE sensing_datastream AS d SET last_value = u.v, last_time = u.t "
                "FROM unnest(%s::bigint[], %s::float8[], %s::timestamptz[]) AS u(id, v, t) "
                "WHERE d.id = u.id AND (d.last_time IS NULL OR d.last_time <= u.t)",
                [ids, [newest[i].result for i in ids], [newest[i].time for i in ids]],
            )
        else:
            adapt = connection.ops.adapt_datetimefield_value
            for i in ids:
                stamp = adapt(newest[i].time)
                cursor.execute(
                    "UPDATE sensing_datastream SET last_value = %s, last_time = %s "
                    "WHERE id = %s AND (last_time IS NULL OR last_time <= %s)",
                    [newest[i].result, stamp, i, stamp],
                )


def _count(counts: dict[int, tuple[int, int]], errors: dict[int, str], now: datetime) -> None:
    """Add to each device's counters (and its last refusal), in one statement on PostgreSQL."""
    ids = sorted(counts)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE sensing_device AS d SET accepted_count = d.accepted_count + u.a, "
                "rejected_count = d.rejected_count + u.r, "
                "last_rejection = CASE WHEN u.r > 0 THEN u.e ELSE d.last_rejection END, "
                "last_seen_at = %s "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]) "
                "AS u(id, a, r, e) WHERE d.id = u.id",
                [
                    now,
                    ids,
                    [counts[i][0] for i in ids],
                    [counts[i][1] for i in ids],
                    [errors.get(i, "")[:300] for i in ids],
                ],
            )
            return
        stamp = connection.ops.adapt_datetimefield_value(now)
        for device_id in ids:
            accepted, refused = counts[device_id]
            cursor.execute(
                "UPDATE sensing_device SET accepted_count = accepted_count + %s, "
                "rejected_count = rejected_count + %s, last_seen_at = %s, "
                "last_rejection = CASE WHEN %s > 0 THEN %s ELSE last_rejection END "
                "WHERE id = %s",
                [accepted, refused, stamp, refused, errors.get(device_id, "")[:300], device_id],
            )


def _push(rows: list[_Good]) -> None:
    from sensing import live

    live.readings_stored(rows)


def days_of(rows: Iterable[datetime]) -> set[date]:
    return {moment.date() for moment in rows}
