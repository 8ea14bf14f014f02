"""What each registry and patrol request costs in CPU: the Django process's CPU time plus the
PostgreSQL backend's (read from /proc), per request, in process (Django's test client).

On a machine shared with other work, latency measures the queue for the cores as much as the
application; the CPU a request takes does not depend on who else runs, and says how many
requests a second two cores can serve at most. Run on the built city and registry:

    python -m bench.registry_cost [--requests 100] [--import-rows 100000]

The import is planned and committed in a transaction rolled back at the end (the city is
left as it was); its wall and CPU seconds are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def backend_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (the PostgreSQL backend of this connection)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cost(call: Callable[[int], Any], n: int) -> dict[str, Any]:
    """Wall and CPU milliseconds per call (this process + the database backend)."""
    from bench.stats import summary

    call(0)  # warm up
    pid = backend_pid()
    db_before, cpu_before = backend_cpu_s(pid), time.process_time()
    samples = []
    for i in range(n):
        tick = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - tick)
    app_ms = (time.process_time() - cpu_before) * 1000 / n
    db_ms = (backend_cpu_s(pid) - db_before) * 1000 / n
    return {
        **summary(samples),
        "cpu_app_ms": app_ms,
        "cpu_db_ms": db_ms,
        "cpu_ms": app_ms + db_ms,
        "max_per_s_on_2_cores": 2000 / (app_ms + db_ms) if app_ms + db_ms else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registry_cost", description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--output", default="var/bench/registry_cost.json")
    args = parser.parse_args(argv)
    from bench.scale import REGISTRY_SECRET_KEY

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", REGISTRY_SECRET_KEY)
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client
    from django.test.utils import override_settings

    from bench.patrol_ingest import filing_body, filing_setup, start_patrols, walk
    from bench.registry_serving import district_leader, import_file, search_terms, street_leaders
    from bench.serving import officers
    from bench.stats import load_average
    from gridwork.importing import commit_import, plan_import
    from gridwork.spreadsheets import read_table

    n = args.requests
    rng = random.Random(14)
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "load_average_before": load_average(),
    }
    with override_settings(ALLOWED_HOSTS=["*"], RATE_LIMITS_ENABLED=False):
        clients = []
        for person in officers():
            client = Client()
            client.force_login(person)
            clients.append(client)
        result["registry_page"] = cost(lambda i: clients[i % len(clients)].get("/registry/"), n)

        streets = street_leaders(20)
        leaders = []
        for user, _code, _path in streets:
            client = Client()
            client.force_login(user)
            leaders.append(client)
        for kind, terms in search_terms(streets, rng).items():

            def search(i: int, terms=terms) -> None:
                index, text = terms[i % len(terms)]
                leaders[index].post("/registry/search/", {"q": text})

            result[f"search_{kind}"] = cost(search, n)

        tokens, bounds, category = filing_setup()
        filer = Client()

        def file(i: int) -> None:
            response = filer.post(
                "/api/v1/cases/",
                filing_body(rng, bounds, category),
                content_type="application/json",
                headers={"Authorization": f"Token {tokens[i % len(tokens)]}"},
            )
            assert response.status_code == 201, response.content[:200]

        result["filing"] = cost(file, n)

        started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=250)
        patrols = start_patrols(3 * (n + 1), started)
        for size, group in zip((1, 10, 60), (0, 1, 2), strict=True):
            mine = patrols[group * (n + 1) : (group + 1) * (n + 1)]
            phone = Client()

            def send(i: int, mine=mine, size=size, phone=phone) -> None:
                officer = mine[i]
                response = phone.post(
                    f"/api/v1/gridwork/patrols/{officer[0]}/points/",
                    {"batch": f"cost-{i}", "points": walk(officer, started, 1, size)},
                    content_type="application/json",
                    headers={"Authorization": f"Token {officer[2]}"},
                )
                assert response.status_code == 200, response.content[:200]

            result[f"points_batch_{size}"] = cost(send, n)

    leader, area = district_leader()
    data, shape = import_file(area, args.import_rows, rng)

    class Rollback(Exception):
        pass

    pid = backend_pid()
    figures: dict[str, Any] = {**shape, "bytes": len(data)}
    try:
        with transaction.atomic():
            db0, cpu0, tick = backend_cpu_s(pid), time.process_time(), time.perf_counter()
            plan = plan_import(leader, read_table(data, "residents.csv"))
            db1, cpu1, tock = backend_cpu_s(pid), time.process_time(), time.perf_counter()
            done = commit_import(leader, plan)
            db2, cpu2, end = backend_cpu_s(pid), time.process_time(), time.perf_counter()
            figures.update(
                {
                    "errors": len(plan.errors),
                    "dry_run_wall_s": tock - tick,
                    "dry_run_cpu_s": (cpu1 - cpu0) + (db1 - db0),
                    "write_wall_s": end - tock,
                    "write_cpu_s": (cpu2 - cpu1) + (db2 - db1),
                    "created": done.created,
                    "updated": done.updated,
                    "households": done.households,
                }
            )
            raise Rollback
    except Rollback:
        pass
    # The confirm step plans the file again (it never trusts the preview), then writes.
    figures["commit_request_cpu_s"] = figures["dry_run_cpu_s"] + figures["write_cpu_s"]
    result["import"] = figures
    result["load_average_after"] = load_average()
    result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    text = json.dumps(result, indent=2, default=str)
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output, "w") as handle:
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
