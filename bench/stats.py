"""Timing helpers: percentiles of samples, and a per-call timer."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def summary(seconds: Sequence[float], *, wall: float | None = None) -> dict[str, Any]:
    """p50/p95/p99/mean/max in milliseconds, the count, and throughput when `wall` is known."""
    values = np.asarray(seconds, dtype=float) * 1000.0
    if len(values) == 0:
        return {"n": 0}
    result: dict[str, Any] = {
        "n": len(values),
        "p50_ms": float(np.percentile(values, 50)),
        "p95_ms": float(np.percentile(values, 95)),
        "p99_ms": float(np.percentile(values, 99)),
        "mean_ms": float(values.mean()),
        "max_ms": float(values.max()),
    }
    if wall:
        result["per_s"] = len(values) / wall
    return result


def timed(function: Callable[[], Any], repeats: int) -> tuple[list[float], float]:
    """Call `function` `repeats` times; the duration of each call and the wall time."""
    samples = []
    started = time.perf_counter()
    for _ in range(repeats):
        tick = time.perf_counter()
        function()
        samples.append(time.perf_counter() - tick)
    return samples, time.perf_counter() - started


def load_average() -> list[float]:
    try:
        with open("/proc/loadavg") as handle:
            return [float(x) for x in handle.read().split()[:3]]
    except OSError:
        return []


def rss_kib(pid: int) -> int | None:
    """Resident memory of a process (Linux), in KiB."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
