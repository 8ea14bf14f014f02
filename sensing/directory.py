"""What ingest needs to know about datastreams and devices, kept in each process.

Checking each reading against the database would cost a query per reading; instead every
process keeps the active datastreams (id → thing, owning device, observation type) and the
active devices (token hash → id), reloaded at most every `TTL` seconds and at once (at most
once a second) when a reading names an id or token it does not know. A datastream or device
switched off stops writing within `TTL`; a new one works at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sensing.models import Datastream, Device

TTL = 30.0
MISS_RELOAD = 1.0


@dataclass(frozen=True, slots=True)
class StreamInfo:
    thing_id: int
    device_id: int | None
    observation_type: str
    area_id: int | None


@dataclass(frozen=True)
class _Snapshot:
    streams: dict[int, StreamInfo]
    devices: dict[str, int]
    loaded_at: float


_snapshot: _Snapshot | None = None
_lock = threading.Lock()


def _load() -> _Snapshot:
    streams = {
        pk: StreamInfo(thing_id, device_id, kind, area_id)
        for pk, thing_id, device_id, kind, area_id in Datastream.objects.filter(
            active=True
        ).values_list("pk", "thing_id", "thing__device_id", "observation_type", "thing__area_id")
    }
    devices = dict(Device.objects.filter(active=True).values_list("token_hash", "pk"))
    return _Snapshot(streams, devices, time.monotonic())


def _current(*, missed: bool = False) -> _Snapshot:
    global _snapshot
    snap = _snapshot
    now = time.monotonic()
    if (
        snap is None
        or now - snap.loaded_at > TTL
        or (missed and now - snap.loaded_at > MISS_RELOAD)
    ):
        with _lock:
            if _snapshot is snap:
                _snapshot = _load()
            snap = _snapshot
    assert snap is not None
    return snap


def stream(datastream_id: int) -> StreamInfo | None:
    info = _current().streams.get(datastream_id)
    if info is None:
        info = _current(missed=True).streams.get(datastream_id)
    return info


def device_for_token(token: str) -> int | None:
    """The active device holding `token`, or None."""
    digest = Device.hash_token(token)
    found = _current().devices.get(digest)
    if found is None:
        found = _current(missed=True).devices.get(digest)
    return found


def forget() -> None:
    """Drop what this process knows (after an admin change, and between tests)."""
    global _snapshot
    with _lock:
        _snapshot = None
