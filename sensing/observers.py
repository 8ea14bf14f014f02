"""The seam between storing readings and evaluating them (rules, alarms): a registry.

Ingest stores a batch of readings and, in the same transaction, calls `notify` with the
readings it accepted (duplicates left out). A higher app (the rules) registers its evaluator
from its AppConfig.ready(); sensing never imports it. An observer that raises rolls the batch
back, so it must only raise for a real fault; it should do its own side effects after commit
(through the outbox).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Observer", "Reading", "notify", "register", "unregister"]


@dataclass(frozen=True, slots=True)
class Reading:
    """One stored observation, as the rules see it."""

    datastream_id: int
    thing_id: int
    phenomenon_time: datetime
    result: float | None


Observer = Callable[[list[Reading]], None]

_observers: list[Observer] = []


def register(fn: Observer) -> Observer:
    """Call `fn(readings)` after each stored batch (inside its transaction). Idempotent."""
    if fn not in _observers:
        _observers.append(fn)
    return fn


def unregister(fn: Observer) -> None:
    if fn in _observers:
        _observers.remove(fn)


def notify(readings: list[Reading]) -> None:
    """Hand the batch's accepted readings to every registered observer, in order."""
    if not readings:
        return
    for fn in list(_observers):
        fn(readings)
