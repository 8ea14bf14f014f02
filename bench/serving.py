"""Serving figures alone, on the city already in the database: the officer's queue page and the
API list (in process and over HTTP through the production server, one client), and the memory
per authenticated queue socket.

    python -m bench.serving [--requests 300] [--sockets 1000] [--skip-sockets] [--profile]

Run after `python -m bench run --scale … --skip-http` has built the city (that command clears
and rebuilds it; this one only reads it, plus the sessions and tokens it signs in with). The
people are grid officers (网格员) of grids spread over the city, as in `bench.http`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from typing import Any

QUEUE_URL = "/work/queue/"
API_LIST_URL = "/api/v1/cases/"
PEOPLE = 50


def officers(n: int = PEOPLE) -> list:
    """`n` grid officers of grids spread over the city."""
    from citizens.models import User
    from governance.models import Assignment

    ids = list(
        Assignment.objects.filter(role="officer")
        .order_by("area__path")
        .values_list("user_id", flat=True)
    )
    step = max(1, len(ids) // n)
    return list(User.objects.filter(pk__in=ids[::step][:n]))


def _headers(people: list, auth: str) -> list[dict[str, str]]:
    from django.conf import settings

    from bench.http import api_token, session_cookie

    if auth == "session":
        return [{"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie(p)}"} for p in people]
    return [{"Authorization": f"Token {api_token(p)}"} for p in people]


def in_process(path: str, people: list, auth: str, repeats: int) -> dict[str, Any]:
    """Latency in process (Django's test client, no network) and the SQL of one request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.stats import summary

    clients = []
    for header in _headers(people, auth):
        client = Client(headers=header)
        client.get(path)  # warm up: the reference copies, the person's cached rows
        clients.append(client)
    samples = []
    for i in range(repeats):
        client = clients[i % len(clients)]
        tick = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - tick)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        clients[0].get(path)
    return {
        **summary(samples),
        "queries": len(queries),
        "sql": [q["sql"][:160] for q in queries.captured_queries],
    }


def over_http(base: str, path: str, people: list, auth: str, total: int) -> dict[str, Any]:
    """One client, keep-alive, against the production server: p50/p95."""
    from bench.http import _drive, run_async
    from bench.stats import summary

    headers = _headers(people, auth)

    async def make(client, i):
        return await client.get(path, headers=headers[i % len(headers)])

    samples, wall, statuses = run_async(lambda: _drive(base, make, total, 1))
    return {**summary(samples, wall=wall), "statuses": statuses}


def socket_memory(base: str, pid: int, people: list) -> dict[str, Any]:
    """Resident memory growth of the one worker per authenticated queue socket, after a fifth
    of them (at most 50) is open (`bench.realtime.warm_up`)."""
    import websockets
    from django.conf import settings

    from bench.http import run_async, session_cookie
    from bench.realtime import warm_up
    from bench.stats import rss_kib

    cookies = [session_cookie(p) for p in people]
    url = base.replace("http://", "ws://") + "/ws/queue/"

    async def run() -> dict[str, Any]:
        sockets = []

        async def connect(cookie: str) -> None:
            sockets.append(
                await websockets.connect(
                    url,
                    additional_headers={
                        "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
                        "Origin": base,
                    },
                    open_timeout=60,
                    max_queue=None,
                )
            )

        first = warm_up(len(cookies))
        await asyncio.gather(*(connect(c) for c in cookies[:first]))
        await asyncio.sleep(1.0)
        before = rss_kib(pid)
        rest = cookies[first:]
        for start in range(0, len(rest), 100):
            await asyncio.gather(*(connect(c) for c in rest[start : start + 100]))
        await asyncio.sleep(1.0)
        after = rss_kib(pid)
        for socket in sockets:
            await socket.close()
        return {
            "connections": len(sockets),
            "rss_before_kib": before,
            "rss_after_kib": after,
            "kib_per_connection": (after - before) / max(1, len(sockets) - first),
        }

    return run_async(run)


def profile(path: str, people: list, auth: str, repeats: int) -> str:
    """cProfile of `repeats` requests in process: the top functions by own and total time."""
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = Client(headers=_headers(people[:1], auth)[0])
    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(45)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serving", description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-sockets", action="store_true")
    parser.add_argument("--only-sockets", action="store_true", help="the socket memory alone")
    parser.add_argument("--profile", action="store_true", help="print cProfile tables only")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.test.utils import override_settings

    people = officers()
    if args.profile:
        with override_settings(ALLOWED_HOSTS=["*"]):
            print(profile(QUEUE_URL, people, "session", 50))
            print(profile(API_LIST_URL, people, "token", 50))
        return 0
    result: dict[str, Any] = {"people": len(people)}
    if args.only_sockets:
        args.skip_http = True
    if not args.only_sockets:
        with override_settings(ALLOWED_HOSTS=["*"]):
            result["queue_in_process"] = in_process(QUEUE_URL, people, "session", args.requests)
            result["api_in_process"] = in_process(API_LIST_URL, people, "token", args.requests)
    if not args.skip_http:
        from bench.http import server

        with server(workers=2) as (base, _process):
            result["queue_http"] = over_http(base, QUEUE_URL, people, "session", args.requests)
            result["api_http"] = over_http(base, API_LIST_URL, people, "token", args.requests)
    if not args.skip_sockets:
        from bench.http import server, worker_pids

        sockets = officers(args.sockets)
        with server(workers=1) as (base, process):
            pid = (worker_pids(process.pid) or [process.pid])[0]
            result["socket"] = socket_memory(base, pid, sockets)
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
