"""Two writers storing readings of the same datastreams at once (two MQTT subscribers, or an
ingest request beside a subscriber), each in a different order: both batches are stored whole,
neither is lost to a deadlock. Real concurrent transactions need PostgreSQL."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections

from sensing import ingest
from sensing.ingest import RawReading, bucket_start, store_readings
from sensing.models import Datastream, Rollup
from tests.sensing.fleet import make_fleet

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def test_two_writers_sharing_datastreams_in_opposite_orders_both_store(city, monkeypatch):
    fleet = make_fleet(city)
    start = bucket_start(datetime.now(UTC) - timedelta(hours=1), 300)
    # One reading a chunk, and each writer pauses after its first chunk until the other has
    # written its own: taken in arrival order, each would then hold what the other needs next.
    monkeypatch.setattr(ingest, "CHUNK", 1)
    barrier = threading.Barrier(2, timeout=3)
    write = ingest._write
    paused: set[int] = set()

    def write_then_pause(rows, ids):
        stored = write(rows, ids)
        if threading.get_ident() not in paused:
            paused.add(threading.get_ident())
            # Broken: the other writer is waiting for this one, so go on.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return stored

    monkeypatch.setattr(ingest, "_write", write_then_pause)
    failures: list[BaseException] = []

    def store(first, second, value: float, minute: int) -> None:
        moment = (start + timedelta(minutes=minute)).isoformat()
        try:
            store_readings(
                [RawReading(first.pk, value, moment), RawReading(second.pk, value, moment)],
                device_id=None,
            )
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    writers = [
        threading.Thread(target=store, args=(fleet.level, fleet.tilt, 1.0, 1)),
        threading.Thread(target=store, args=(fleet.tilt, fleet.level, 3.0, 2)),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert failures == []
    for stream in (fleet.tilt, fleet.level):
        rollup = Rollup.objects.get(datastream=stream, bucket=300, start=start)
        assert (rollup.count, rollup.sum) == (2, 4.0)  # both writers' readings, once each
        stream = Datastream.objects.get(pk=stream.pk)
        assert stream.last_value == 3.0  # the later reading is the latest
