"""What a rule decides on a reading, handed from the rules to the alarms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sensing.models import Rule

TRIP = "trip"
CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class Change:
    """A rule's verdict on one reading: its alarm trips (raised or again) or clears."""

    what: str  # TRIP or CLEAR
    rule: Rule
    datastream_id: int
    thing_id: int
    at: datetime
    value: float | None
