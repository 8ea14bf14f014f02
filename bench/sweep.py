"""The time-limit sweep over the whole case table (the periodic Celery task's body)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.city import City
from governance import timelimits


def sweep_figures(city: City) -> dict[str, Any]:
    """The sweep as beat runs it, once a minute, then after a long gap.

    The city's time-limit bookkeeping is as of its build (`city.now`), as if a sweep had run
    then. "One-minute tick" is the next scheduled run: what came due in that minute. The re-run
    at the same instant must find nothing. "Catch-up" runs at the real time, after the rest of
    the benchmark kept the sweep away for minutes: the backlog after an outage of beat.
    """
    tick_at = datetime.fromtimestamp(city.now, tz=UTC) + timedelta(minutes=1)
    now = datetime.now(tz=UTC)
    plan = [
        ("one-minute tick", tick_at),
        ("idempotent re-run of that minute", tick_at),
        (f"catch-up after {(now - tick_at).total_seconds() / 60:.0f} min without a sweep", now),
    ]
    runs = []
    for label, at in plan:
        tick = time.perf_counter()
        outcome = timelimits.sweep(at)
        seconds = time.perf_counter() - tick
        summary = {
            key: len(value) if isinstance(value, list) else value
            for key, value in getattr(outcome, "__dict__", {"result": str(outcome)}).items()
        }
        runs.append({"run": label, "seconds": seconds, "outcome": summary})
    return {
        "open_cases": city.open_cases,
        "overdue_open_cases": city.overdue_cases,
        "runs": runs,
    }
