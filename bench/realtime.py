"""Status change → WebSocket message at the grid's officers, with many connections open.

Officers of many grids connect to the server's queue socket with their session cookie; then,
one case at a time, a lead officer files (立案) a submitted case of a connected grid through
the workflow in this process. The latency is from just before `file_case` to the message at
that grid's officer's socket: the transition, commit, the channel layer (Redis), the consumer
and the network; `after_commit` is the realtime path alone, from the commit to the socket.
Memory per connection is the server worker's resident memory growth divided by the number of
connections opened while it grew. The baseline is taken after a first share of the sockets
(`warm_up`) is open, so that what the first connection alone brings in (the consumer's code,
the session and database connections, the channel layer's client) is not spread over the
others: at the small scale (20 sockets) a baseline before any connection reported 433 KiB.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
from django.conf import settings
from django.db import close_old_connections, transaction

from bench.city import City
from bench.stats import rss_kib, summary
from bench.worker import drain_outbox
from citizens.models import User
from governance.models import Category
from governance.workflow import file_case, submit_case

TRANSITIONS = 50


def measure(city: City, base: str, process: Any) -> dict[str, Any]:
    if process is None or not settings.REDIS_URL:
        return {"skipped": "not measured: needs the production server and Redis (REDIS_URL)"}
    from bench.http import WEBSOCKET_URL, session_cookie, worker_pids

    scale = city.scale
    connections = scale.websockets
    grids = min(len(city.grid_ids), max(1, connections // 2))
    # Two officers per grid; each connects once (1,000 connections → 500 grids).
    people = [int(city.officer_ids[i, j]) for i in range(grids) for j in (0, 1)][:connections]
    cookies = {user.pk: session_cookie(user) for user in User.objects.filter(pk__in=people)}
    citizen = User.objects.get(pk=city.citizen_ids[0])
    category = Category.objects.get(pk=city.category_ids[0])
    rng = np.random.default_rng(21)
    # One more than measured: the first is the warm-up (the worker's first relay), not counted.
    chosen = rng.choice(grids, size=min(TRANSITIONS + 1, grids), replace=False)
    cases = []
    for i in chosen:
        point = city.grid_geometries[i].representative_point()
        case = submit_case(
            actor=citizen,
            category=category,
            description="bench realtime",
            lon=point.x,
            lat=point.y,
        )
        cases.append((int(i), case))
    drained = drain_outbox()
    ws_base = base.replace("http://", "ws://") + WEBSOCKET_URL
    from bench.http import run_async

    # One worker serves the sockets: its memory, not the gunicorn master's, grows with them.
    pid = (worker_pids(process.pid) or [process.pid])[0]
    result = run_async(lambda: _run(ws_base, base, pid, people, cookies, cases, city))
    return {**result, "backlog_drained_s": drained}


def warm_up(connections: int) -> int:
    """How many sockets open before the memory baseline: a fifth, between 1 and 50."""
    return max(1, min(50, connections // 5))


async def _run(url, origin, pid, people, cookies, cases, city) -> dict[str, Any]:
    import websockets

    sockets: dict[int, Any] = {}
    inboxes: dict[int, asyncio.Queue] = {}

    async def connect(user_id: int) -> None:
        socket = await websockets.connect(
            url,
            additional_headers={
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={cookies[user_id]}",
                "Origin": origin,
            },
            open_timeout=60,
            max_queue=None,
        )
        sockets[user_id] = socket
        inboxes[user_id] = asyncio.Queue()

        async def pump() -> None:
            try:
                async for message in socket:
                    await inboxes[user_id].put((time.perf_counter(), message))
            except Exception:
                return

        asyncio.get_running_loop().create_task(pump())

    first = warm_up(len(people))
    tick = time.perf_counter()
    await asyncio.gather(*(connect(u) for u in people[:first]))
    await asyncio.sleep(1.0)
    before = rss_kib(pid)
    rest = people[first:]
    for start in range(0, len(rest), 100):  # open in batches, as browsers would trickle in
        await asyncio.gather(*(connect(u) for u in rest[start : start + 100]))
    connect_s = time.perf_counter() - tick - 1.0
    await asyncio.sleep(1.0)
    after = rss_kib(pid)
    for inbox in inboxes.values():  # drop greetings or snapshots sent on connect
        while not inbox.empty():
            inbox.get_nowait()

    samples = []
    warm_up_ms = None
    after_commit = []  # the realtime path alone: commit → Redis → consumer → socket
    missed = 0
    for number, (grid_position, case) in enumerate(cases):
        lead = int(city.officer_ids[grid_position, 0])
        officer = int(city.officer_ids[grid_position, 1])
        actor = await asyncio.to_thread(User.objects.get, pk=lead)
        started = time.perf_counter()
        committed = await asyncio.to_thread(_file, case.pk, actor)
        deadline = started + 5.0
        received = None
        while received is None and time.perf_counter() < deadline:
            try:
                at, message = await asyncio.wait_for(
                    inboxes[officer].get(), timeout=max(0.01, deadline - time.perf_counter())
                )
            except TimeoutError:
                break
            if case.tracking_id in message:
                received = at
        if number == 0:  # the warm-up: the worker's first relay (connections, caches)
            warm_up_ms = None if received is None else (received - committed) * 1000
        elif received is None:
            missed += 1
        else:
            samples.append(received - started)
            after_commit.append(received - committed)
    for socket in sockets.values():
        await socket.close()
    result = {
        **summary(samples),
        "after_commit": summary(after_commit),
        "connections": len(sockets),
        "connect_s": connect_s,
        "missed": missed,
        "warm_up_after_commit_ms": warm_up_ms,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "opened_before_baseline": first,
    }
    if before and after:
        result["kib_per_connection"] = (after - before) / max(1, len(sockets) - first)
    return result


def _file(case_id: int, actor: User) -> float:
    """File the case; the moment its transaction committed (before any after-commit work)."""
    close_old_connections()
    committed: list[float] = []
    with transaction.atomic():
        # Registered first, so it runs first when the outer block commits.
        transaction.on_commit(lambda: committed.append(time.perf_counter()))
        file_case(case_id=case_id, actor=actor)
    return committed[0]
