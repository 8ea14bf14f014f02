"""The packed form of a batch of track points (`PatrolSegment.points`).

Each point is 14 bytes, little-endian: milliseconds after the segment's first point (uint32,
49 days), longitude and latitude in 10⁻⁷ degrees (int32, about 1 cm) and the accuracy in
metres (uint16, capped). Points are kept in time order.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import datetime, timedelta

_POINT = struct.Struct("<Iiih")
SCALE = 10_000_000
MAX_ACCURACY = 32_767


@dataclass(frozen=True)
class TrackPoint:
    t: datetime
    lon: float
    lat: float
    accuracy: int

    def as_dict(self) -> dict[str, object]:
        return {"t": self.t.isoformat(), "lon": self.lon, "lat": self.lat, "acc": self.accuracy}


def encode(points: list[TrackPoint]) -> bytes:
    """`points` (in time order) packed; the first one's time is the segment's `first_t`."""
    if not points:
        return b""
    first = points[0].t
    out = bytearray()
    for point in points:
        offset = round((point.t - first).total_seconds() * 1000)
        out += _POINT.pack(
            offset,
            round(point.lon * SCALE),
            round(point.lat * SCALE),
            min(max(round(point.accuracy), 0), MAX_ACCURACY),
        )
    return bytes(out)


def decode(data: bytes | memoryview, first_t: datetime | None) -> list[TrackPoint]:
    """The points packed in `data`, whose first point was at `first_t`."""
    if not data or first_t is None:
        return []
    return [
        TrackPoint(first_t + timedelta(milliseconds=offset), lon / SCALE, lat / SCALE, accuracy)
        for offset, lon, lat, accuracy in _POINT.iter_unpack(bytes(data))
    ]
