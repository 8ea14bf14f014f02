"""The time-limit sweep over the whole case table (the periodic Celery task's body)."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from bench.city import City

NOT_MERGED = "not measured: feature not merged yet"
# Where the sweep may live, by the wording; the first importable one is measured.
CANDIDATES = [
    ("governance.timelimits", "sweep_time_limits"),
    ("governance.timelimits", "sweep"),
    ("governance.time_limits", "sweep_time_limits"),
    ("governance.time_limits", "sweep"),
]


def find_sweep() -> tuple[str, Callable[..., Any]] | None:
    for module_name, attribute in CANDIDATES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, attribute, None)
        if callable(function):
            return f"{module_name}.{attribute}", function
    return None


def sweep_figures(city: City) -> dict[str, Any]:
    found = find_sweep()
    if found is None:
        return {"skipped": NOT_MERGED}
    name, function = found
    runs = []
    for label in ("first run", "second run (idempotent re-run)"):
        tick = time.perf_counter()
        outcome = function()
        seconds = time.perf_counter() - tick
        summary = {
            key: len(value) if isinstance(value, list) else value
            for key, value in getattr(outcome, "__dict__", {"result": str(outcome)}).items()
        }
        runs.append({"run": label, "seconds": seconds, "outcome": summary})
    return {
        "function": name,
        "open_cases": city.open_cases,
        "overdue_open_cases": city.overdue_cases,
        "runs": runs,
    }
