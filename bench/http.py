"""Figures over HTTP and WebSocket, through the production server (`config.serve`) in a subprocess.

Latency and throughput come from an async client (httpx, websockets) against the server; the
number of SQL queries per request from the same request made in process through Django's test
client. A figure that could not be measured (a server error, no Redis for the sockets) says
so, and why, instead of a number.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.city import City
from bench.peer import Peer
from bench.stats import summary
from bench.worker import celery_worker, drain_outbox
from citizens.models import User
from governance.models import Case, Category

logging.getLogger("httpx").setLevel(logging.WARNING)

FILING_URL = "/api/v1/cases/"
API_LIST_URL = "/api/v1/cases/"
QUEUE_URL = "/work/queue/"
OPEN311_URL = "/open311/v2/requests.json"
WEBSOCKET_URL = "/ws/queue/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(port: int, workers: int) -> dict[str, str]:
    """The server's environment: this run's database and Redis, the production settings."""
    return {
        **os.environ,
        "DEBUG": "0",
        # The same key as this process: sessions and tokens made here must verify there.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Thousands of filings from one address measure throughput, not the limits.
        "RATE_LIMITS_ENABLED": "0",
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": str(workers),
        "WEB_LOG_LEVEL": "warning",
        "WEB_ACCESS_LOG": "false",
    }


def server_command(env: dict[str, str]) -> list[str]:
    """Exactly the production command (`config.serve`), with the settings in `env`."""
    from config import serve

    return serve.command(environ=env)


def worker_pids(master: int) -> list[int]:
    """The worker processes of the gunicorn master `master` (Linux)."""
    pids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{master}/task"):
            with open(f"/proc/{master}/task/{task}/children") as handle:
                pids += [int(pid) for pid in handle.read().split()]
    except OSError:
        return []
    return pids


@contextmanager
def server(workers: int = 2, *, start_timeout: float = 60, nice: int = 0):
    """The production server (gunicorn + uvicorn workers, `config.serve`) on a free port;
    `start_timeout` seconds for its workers to warm up (their grid index) and answer. `nice`:
    the ingest pool's priority (`deploy/grid-ingest@.service`, Nice=10)."""
    port = _free_port()
    env = server_environment(port, workers)
    line = server_command(env)
    if nice:  # nice(1) execs the command: the same process, at the lower priority
        line = ["nice", "-n", str(nice), *line]
    process = subprocess.Popen(line, env=env, cwd=str(settings.BASE_DIR))
    try:
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            # The master listens before its workers boot: wait for an answer, not a connect.
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.settimeout(30)
                    sock.sendall(b"GET /__bench_ready__/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    if sock.recv(16).startswith(b"HTTP/1.1"):
                        break
            except OSError:
                time.sleep(0.2)
            if process.poll() is not None:
                raise RuntimeError("the production server exited at start-up")
        else:
            raise RuntimeError(f"the production server did not start within {start_timeout:g} s")
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def session_cookie(user: User) -> str:
    """A signed-in session for `user`, as the login view would leave it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "citizens.backends.PhoneOrEmailBackend"  # the one that signs in
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def api_token(user: User) -> str:
    from rest_framework.authtoken.models import Token

    token, _created = Token.objects.get_or_create(user=user)
    return token.key


_TRANSPORT: list[Any] = [None]  # an in-process ASGI transport, when not using a server


@contextmanager
def in_process():
    """The same ASGI application called in this process (the CI smoke run: no server)."""
    import httpx
    from django.test import override_settings

    from config.asgi import application

    _TRANSPORT[0] = httpx.ASGITransport(app=application)
    try:
        with override_settings(RATE_LIMITS_ENABLED=False):  # as the server above
            yield "http://testserver", None
    finally:
        _TRANSPORT[0] = None


async def _drive(
    base: str,
    make: Callable[[Any, int], Awaitable[Any]],
    total: int,
    concurrency: int,
) -> tuple[list[float], float, dict[int, int]]:
    import httpx

    if _TRANSPORT[0] is not None and connection.vendor == "sqlite":
        concurrency = 1  # SQLite takes one writer at a time: in process, requests go in turn
    samples: list[float] = []
    statuses: dict[int, int] = {}
    failures: list[str] = []
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=60, transport=_TRANSPORT[0]
    ) as client:

        async def worker() -> None:
            for i in counter:
                tick = time.perf_counter()
                response = await make(client, i)
                samples.append(time.perf_counter() - tick)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 300:
                    failures.append(f"{response.status_code} {response.request.url}")

        for i in range(min(concurrency, 4)):  # warm up each worker's code paths
            await make(client, total + i)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    if failures:  # a figure over error responses would be a false one
        raise RuntimeError(f"{len(failures)} requests failed, e.g. {failures[0]}")
    return samples, wall, statuses


def run_async(make_coroutine: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine to completion, in a fresh thread if this one already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _queries(method: str, path: str, user: User, **kwargs: Any) -> tuple[int, int]:
    """(SQL queries, status) of one request made in process as `user`."""
    client = Client()
    client.force_login(user)
    call = getattr(client, method)
    call(path, **kwargs)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = call(path, **kwargs)
    return len(queries), response.status_code


def _server_time(method: str, path: str, user: User, repeats: int, **kwargs: Any) -> dict:
    """Latency of the request in process (no network): the server's own time."""
    client = Client()
    client.force_login(user)
    call = getattr(client, method)
    samples = []
    for i in range(repeats):
        body = kwargs.get("data")
        extra = {**kwargs, "data": body(i)} if callable(body) else kwargs
        tick = time.perf_counter()
        call(path, **extra)
        samples.append(time.perf_counter() - tick)
    return summary(samples)


def _officer(city: City, i: int = 0) -> User:
    return User.objects.get(pk=int(city.officer_ids[i % len(city.officer_ids), 1]))


def filing(city: City, base: str) -> dict[str, Any]:
    scale = city.scale
    category = Category.objects.get(pk=city.category_ids[0])
    rng = np.random.default_rng(11)
    x0, y0, x1, y1 = city.bounds
    points = rng.uniform([x0, y0], [x1, y1], size=(scale.http_requests + 64, 2))
    # Many citizens, each filing a few: the API throttles case creation per person.
    first, last = city.citizen_ids
    citizens = list(User.objects.filter(pk__gte=first, pk__lte=min(last, first + 499)))
    tokens = [api_token(citizen) for citizen in citizens]
    citizen = citizens[-1]

    def body(i: int) -> dict[str, Any]:
        return {
            "service_code": category.code,
            "category": category.code,
            "description": "井盖缺失 — bench",
            "lon": float(points[i % len(points), 0]),
            "lat": float(points[i % len(points), 1]),
        }

    async def make(client, i):
        return await client.post(
            FILING_URL,
            json=body(i),
            headers={"Authorization": f"Token {tokens[i % (len(tokens) - 1)]}"},
        )

    samples, wall, statuses = run_async(
        lambda: _drive(base, make, scale.http_requests, scale.concurrency)
    )
    alone, _wall, _statuses = run_async(
        lambda: _drive(base, make, max(20, scale.http_requests // 5), 1)
    )
    server = _server_time(
        "post", FILING_URL, citizen, 20, data=body, content_type="application/json"
    )
    queries, _status = _queries(
        "post", FILING_URL, citizen, data=body(0), content_type="application/json"
    )
    return {
        **summary(samples, wall=wall),
        "one_client": summary(alone),
        "statuses": statuses,
        "concurrency": scale.concurrency,
        "server_p50_ms": server.get("p50_ms"),
        "server": server,
        "queries": queries,
    }


def _get_figure(city: City, base: str, path: str, *, auth: str, total: int) -> dict[str, Any]:
    officers = [
        _officer(city, i)
        for i in range(0, len(city.officer_ids), max(1, len(city.officer_ids) // 50))
    ]
    headers = []
    for officer in officers:
        if auth == "session":
            headers.append({"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie(officer)}"})
        elif auth == "token":
            headers.append({"Authorization": f"Token {api_token(officer)}"})
        else:
            headers.append({})

    async def make(client, i):
        return await client.get(path, headers=headers[i % len(headers)])

    samples, wall, statuses = run_async(lambda: _drive(base, make, total, city.scale.concurrency))
    alone, _wall, _statuses = run_async(lambda: _drive(base, make, max(20, total // 5), 1))
    queries, _status = _queries("get", path, officers[0])
    server = _server_time("get", path, officers[0], 20)
    return {
        **summary(samples, wall=wall),
        "one_client": summary(alone),
        "server_p50_ms": server.get("p50_ms"),
        "server": server,
        "statuses": statuses,
        "concurrency": city.scale.concurrency,
        "queries": queries,
    }


def queue_page(city: City, base: str) -> dict[str, Any]:
    return _get_figure(city, base, QUEUE_URL, auth="session", total=city.scale.http_requests)


def api_list(city: City, base: str) -> dict[str, Any]:
    return _get_figure(city, base, API_LIST_URL, auth="token", total=city.scale.http_requests)


def open311(city: City, base: str) -> dict[str, Any]:
    path = f"{OPEN311_URL}?page_size=1000"
    result = _get_figure(
        city, base, path, auth="none", total=max(10, city.scale.http_requests // 20)
    )
    client = Client()
    response = client.get(path)
    try:
        result["requests_returned"] = len(json.loads(response.content))
    except ValueError:
        result["requests_returned"] = None
    return result


def websocket(city: City, base: str, process) -> dict[str, Any]:
    from bench.realtime import measure

    return measure(city, base, process)


def http_figures(
    city: City, *, use_server: bool = True, peer: Peer | None = None
) -> dict[str, Any]:
    """Every HTTP figure against one production server (2 workers: one per core), with the
    Celery worker production runs beside it; then, with a `peer`, the Open311 figures side by
    side with it."""
    mode = "production server (gunicorn + uvicorn workers)" if use_server else "in process"
    result: dict[str, Any] = {"mode": mode}
    with celery_worker(server_environment(0, 1)) as worker:
        result["celery_worker"] = worker is not None
        _figures(city, result, use_server=use_server, peer=peer)
    result["cases_after"] = Case.objects.count()
    return result


def _figures(city: City, result: dict[str, Any], *, use_server: bool, peer: Peer | None) -> None:
    with server(workers=2) if use_server else in_process() as (base, _process):
        for name, function in (
            ("filing", filing),
            ("queue_page", queue_page),
            ("api_list", api_list),
            ("open311", open311),
        ):
            drained = drain_outbox()  # the previous figure's filings relayed first
            try:
                result[name] = {**function(city, base), "backlog_drained_s": drained}
            except Exception as error:  # a broken endpoint is a finding, reported, not hidden
                result[name] = {"skipped": f"not measured: {type(error).__name__}: {error}"}
        if peer is not None:
            from bench import peer as peer_module

            try:
                with peer_module.prepared(peer) as theirs:
                    result["side_by_side"] = peer_module.side_by_side(city, base, theirs, peer)
            except Exception as error:
                result["side_by_side"] = {
                    "skipped": f"not measured: {type(error).__name__}: {error}"
                }
    with server(workers=1) if use_server else in_process() as (base, process):
        try:
            result["websocket"] = websocket(city, base, process)
        except Exception as error:
            result["websocket"] = {"skipped": f"not measured: {type(error).__name__}: {error}"}
