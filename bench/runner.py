"""One benchmark run: build the city at each share, measure every figure, write the results."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from bench import city as city_module
from bench import emergency, evaluation, filing_paths, inprocess, sweep
from bench.peer import Peer
from bench.scale import SCALES, Scale
from bench.stats import load_average


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": connection.vendor,
    }
    try:
        with open("/proc/cpuinfo") as handle:
            names = [line.split(":", 1)[1].strip() for line in handle if "model name" in line]
        info["cpu"] = names[0] if names else ""
        with open("/proc/meminfo") as handle:
            info["memory_kib"] = int(handle.readline().split()[1])
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    return info


def run_one(
    scale: Scale, *, http: bool, use_server: bool = True, peer: Peer | None = None
) -> dict[str, Any]:
    figures: dict[str, Any] = {"scale": scale.name, "grids": scale.grids, "cases": scale.cases}
    figures["load_average_before"] = load_average()
    call_command("migrate", verbosity=0)
    city_module.clear()
    cache.clear()  # throttle counters and the grid index version from an earlier run
    city = city_module.build(scale)
    figures["load"] = {**city.timings, "rows": city_module.sizes(), "open_cases": city.open_cases}
    figures["routing"] = inprocess.routing_figures(city)
    figures["queue"] = inprocess.queue_figures(city, scale.queue_repeats)
    figures["list_plans"] = inprocess.list_plan_figures(city)
    figures["filing"] = inprocess.filing_figures(city, max(20, scale.http_requests // 10))
    figures["filing_paths"] = filing_paths.filing_paths_figures(
        city, max(20, scale.http_requests // 10)
    )
    figures["guardian"] = inprocess.guardian_figures(
        city, scale.guardian_sizes, max(10, scale.queue_repeats // 4)
    )
    figures["sweep"] = sweep.sweep_figures(city)
    figures["evaluation"] = evaluation.evaluation_figures(city, http=http, use_server=use_server)
    figures["emergency"] = emergency.notice_fanout_figures(city)
    if http:
        from bench import http as http_module

        figures["http"] = http_module.http_figures(city, use_server=use_server, peer=peer)
    else:
        figures["http"] = {"skipped": "not measured: --skip-http"}
    figures["load_average_after"] = load_average()
    return figures


def run(
    scale_name: str,
    *,
    fractions: list[float],
    http: bool = True,
    use_server: bool = True,
    output: str = "var/bench",
    peer: Peer | None = None,
) -> dict[str, Any]:
    base = SCALES[scale_name]
    command = f"python -m bench run --scale {scale_name} --fraction " + ",".join(
        f"{f:g}" for f in fractions
    )
    if peer is not None:
        command += f" --peer {peer.checkout} --peer-python {peer.python}"
    results: dict[str, Any] = {
        "command": command,
        "scale": scale_name,
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "machine": machine(),
        "runs": [],
    }
    for share in sorted(fractions):
        scale = base if share >= 1.0 else base.fraction(share)
        run = run_one(scale, http=http, use_server=use_server, peer=peer)
        run["fraction"] = share
        results["runs"].append(run)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    directory = Path(output)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{scale_name}.json").write_text(json.dumps(results, indent=2, default=str))
    from bench.report import markdown

    (directory / f"{scale_name}.md").write_text(markdown(results))
    return results
