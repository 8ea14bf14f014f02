"""Measure the Redis channel layers: concurrent connects, and event latency under load.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/grid_rt REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/channel_layers.py [--layers pubsub core] [--connections 100 500]

For each layer (CHANNEL_LAYER=pubsub → RedisPubSubChannelLayer, core → RedisChannelLayer) it
starts one daphne process and:

1. opens N WebSockets to the public feed at once (each handshake runs the consumer's
   group_add), counting failed handshakes and the time until all are open;
2. with the N sockets open, makes status changes through the workflow functions (as the site
   does) and measures, per change and per socket, the time from the start of the change to the
   message arriving: p50 / p95 / max.

Figures (2026-11-24, one daphne process, 2 shared cores, PostgreSQL 15 and Redis 7 local;
latency = start of `file_case` → message at every open socket, 10 changes each):

    layer   sockets  connects (errors, time)   p50      p95      max
    pubsub     50    50 ok   (0, 0.32 s)        56 ms    63 ms    63 ms
    core       50    50 ok   (0, 0.39 s)        72 ms   103 ms   104 ms
    pubsub    100    100 ok  (0, 0.43 s)        71 ms    81 ms    83 ms
    core      100    99 ok   (1 × HTTP 500, MaxConnectionsError)
    pubsub    500    500 ok  (0, 1.76 s)       278 ms   456 ms   476 ms
    core      500    99 ok   (401 × HTTP 500, MaxConnectionsError)

Under heavy load from other processes (load average 10), daphne's default 5 s WebSocket
connect timeout dropped up to 7 % of a 500-socket burst; with --websocket_connect_timeout 30
all 500 opened. Serve with it (README).

It needs the real PostgreSQL and Redis; it creates a small test city in the database if there
is none (the tests' factories) and leaves it there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django(layer: str) -> None:
    os.environ["CHANNEL_LAYER"] = layer
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    if not settings.REDIS_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def city_and_people():
    from governance.models import Area
    from tests.factories import make_city, make_personas

    if not Area.objects.filter(code="339900").exists():
        city = make_city()
        return city, make_personas(city)
    from citizens.models import User
    from governance.models import Category

    class Found:
        point_a = (120.01, 30.01)

    city = Found()
    city.category = Category.objects.get(code="event-0102")
    people = Found()
    for name in ("citizen", "street_leader", "dispatcher", "clerk", "officer_a"):
        setattr(people, name, User.objects.get(username=name))
    return city, people


# Twisted listens with a backlog of 50 by default: a burst of 500 connects overflows it and
# the surplus handshakes are dropped before the application sees them. Serve with a larger one.
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "1024"))
LOG_DIR = Path(os.environ.get("BENCH_LOG_DIR", "/tmp"))


def start_daphne(layer: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "CHANNEL_LAYER": layer, "LOG_LEVEL": "WARNING"}
    log = open(LOG_DIR / f"bench-daphne-{layer}-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "daphne"),
            "-e",
            f"tcp:port={port}:interface=127.0.0.1:backlog={BACKLOG}",
            "--websocket_connect_timeout",
            os.environ.get("BENCH_CONNECT_TIMEOUT", "30"),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = log.name
    for _ in range(150):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("daphne did not start: see " + process.log_path)


async def open_all(port: int, n: int):
    import websockets

    url = f"ws://127.0.0.1:{port}/ws/live/"
    origin = f"http://127.0.0.1:{port}"

    async def one():
        try:
            return await websockets.connect(
                url, origin=origin, open_timeout=60, max_queue=None, ping_interval=None
            )
        except Exception as error:
            return error

    started = time.perf_counter()
    results = await asyncio.gather(*(one() for _ in range(n)))
    elapsed = time.perf_counter() - started
    sockets = [r for r in results if not isinstance(r, Exception)]
    errors = [type(r).__name__ + ": " + str(r)[:80] for r in results if isinstance(r, Exception)]
    return sockets, errors, elapsed


def one_case(city, people):
    from governance import workflow

    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="bench",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )


async def latencies(sockets, city, people, changes: int) -> list[float]:
    from asgiref.sync import sync_to_async

    from governance import workflow

    found: list[float] = []
    for _ in range(changes):
        case = await sync_to_async(one_case)(city, people)
        await asyncio.gather(*(drain(ws) for ws in sockets))  # the submission's own event
        started = time.perf_counter()
        await sync_to_async(workflow.file_case)(case_id=case.pk, actor=people.street_leader)

        async def wait(ws, tracking_id=case.tracking_id, started=started):
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if message.get("tracking_id") == tracking_id and message["status"] == "filed":
                    return time.perf_counter() - started

        found += await asyncio.gather(*(wait(ws) for ws in sockets))
    return found


async def drain(ws):
    with contextlib.suppress(TimeoutError):
        while True:
            await asyncio.wait_for(ws.recv(), 0.3)


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


async def run(layer: str, counts: list[int], changes: int, city, people) -> list[dict]:
    rows = []
    for n in counts:
        port = free_port()
        daphne = start_daphne(layer, port)
        try:
            sockets, errors, elapsed = await open_all(port, n)
            row = {
                "layer": layer,
                "connections": n,
                "opened": len(sockets),
                "errors": len(errors),
                "connect_s": round(elapsed, 2),
                "first_errors": sorted(set(errors))[:3],
            }
            if sockets and not errors:
                try:
                    values = await latencies(sockets, city, people, changes)
                except Exception as error:
                    row["latency_error"] = f"{type(error).__name__}: {error}"[:200]
                    values = []
            else:
                values = []
            if values:
                row.update(
                    p50_ms=round(statistics.median(values) * 1000, 1),
                    p95_ms=round(percentile(values, 95) * 1000, 1),
                    max_ms=round(max(values) * 1000, 1),
                    samples=len(values),
                )
            await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        finally:
            daphne.terminate()
            try:
                daphne.wait(10)
            except subprocess.TimeoutExpired:
                daphne.kill()
                daphne.wait(5)
            log = Path(daphne.log_path).read_text(errors="replace")
            row["server_errors"] = sorted(
                {line.strip()[:120] for line in log.splitlines() if "Error" in line}
            )[:5]
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", nargs="+", default=["pubsub", "core"])
    parser.add_argument("--connections", nargs="+", type=int, default=[100, 500])
    parser.add_argument("--changes", type=int, default=20)
    args = parser.parse_args()
    for layer in args.layers:
        # each layer in a fresh interpreter: the layer is chosen when settings load
        if os.environ.get("BENCH_CHILD") == layer:
            setup_django(layer)
            city, people = city_and_people()
            asyncio.run(run(layer, args.connections, args.changes, city, people))
            return
    for layer in args.layers:
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--layers",
                layer,
                "--changes",
                str(args.changes),
                "--connections",
                *map(str, args.connections),
            ],
            env={**os.environ, "BENCH_CHILD": layer},
            check=False,
        )


if __name__ == "__main__":
    main()
