"""The alarm state of things, shown on the sensing pages: a hook the rules app fills.

Sensing knows nothing of rules. An app above it (the rules/alarms) registers, from its
AppConfig.ready(), a function that answers for a list of thing ids the alarm state of those
that have one: `{thing_id: ThingAlarm(active=…, label=…, url=…)}`. With nothing registered,
the pages show no alarm column values ("—").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ThingAlarm:
    active: int  # how many active alarms the thing has (0: only cleared or acknowledged ones)
    label: str  # what the page writes, e.g. "2 active: tilt over 10°"
    url: str = ""  # where the alarm (or its case) is shown


AlarmStates = Callable[[Sequence[int]], dict[int, ThingAlarm]]

_provider: AlarmStates | None = None


def register_alarm_states(fn: AlarmStates) -> AlarmStates:
    global _provider
    _provider = fn
    return fn


def alarm_states(thing_ids: Sequence[int]) -> dict[int, ThingAlarm]:
    """The alarm state of each of `thing_ids` that has one (empty when no rules app)."""
    if _provider is None or not thing_ids:
        return {}
    return _provider(thing_ids)
