"""The production command (`config.serve`), started for real: no 40 ms stall, WebSockets work.

The stall: a server that leaves Nagle's algorithm on for accepted connections makes every
keep-alive response after the first wait ≈ 40 ms for the client's delayed ACK (uvicorn writes
headers and body separately). A latency threshold would be a flaky way to see it; instead the
server is started with `tests.connection_probe` in place of the site's application — the same
command line otherwise — and the worker that accepted the connection reports the socket's
`TCP_NODELAY` itself. The same probe under plain `uvicorn --workers 2` reports 0: the check
fails if the production command ever goes back to that.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from django import db
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.authtoken.models import Token

from config import serve
from governance import workflow
from governance.realtime import schemas
from tests.connection_probe import PATH as PROBE_PATH
from tests.realtime.redis_server import free_port
from tests.realtime.stack import database_url, requirements

ROOT = Path(__file__).resolve().parents[1]
PROBE = "tests.connection_probe:application"


def embedded_environment(directory: Path, port: int) -> dict[str, str]:
    """Embedded settings on a database file of its own (nothing below writes to it)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"} and not key.startswith("WEB_")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{directory / 'server.sqlite3'}",
        ALLOW_DEBUG_WITH_SERVICES="true",
        DEBUG="true",
        EMBEDDED_SCHEDULER="false",
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="2",
        WEB_LOG_LEVEL="warning",
    )
    return env


@contextlib.contextmanager
def running(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """Start `command`, wait until it answers HTTP on `port`, stop it afterwards."""
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/healthz-does-not-exist/")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"{command[:4]} did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def nodelay_of_keepalive_requests(port: int, requests: int = 3) -> list[int | None]:
    """TCP_NODELAY as the server's worker sees it, for each request on one kept-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    seen = []
    try:
        for _ in range(requests):
            connection.request("GET", PROBE_PATH)
            response = connection.getresponse()
            assert response.status == 200
            seen.append(json.loads(response.read())["nodelay"])
        assert not response.will_close, "the connection was not kept alive"
    finally:
        connection.close()
    return seen


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Iterator[int]:
    """The production command, two workers, serving the site through the probe."""
    directory = tmp_path_factory.mktemp("production")
    port = free_port()
    env = embedded_environment(directory, port)
    with running(serve.command(app=PROBE, environ=env), env, port, directory / "log") as port:
        yield port


def test_the_production_command_is_gunicorn_with_the_pinned_uvicorn_worker():
    line = serve.command(environ={"WEB_BIND": "127.0.0.1:8123", "WEB_WORKERS": "3"})
    assert line[:3] == [sys.executable, "-m", "gunicorn"]
    assert line[line.index("--worker-class") + 1] == "config.serve.Worker"
    assert line[line.index("--bind") + 1] == "127.0.0.1:8123"
    assert line[line.index("--workers") + 1] == "3"
    assert line[-1] == "config.asgi:application"
    assert serve.Worker.CONFIG_KWARGS["ws_per_message_deflate"] is False


def test_a_malformed_setting_stops_start_up_naming_it():
    with pytest.raises(ImproperlyConfigured, match="WEB_WORKERS"):
        serve.command(environ={"WEB_WORKERS": "two"})
    with pytest.raises(ImproperlyConfigured, match="WEB_TIMEOUT"):
        serve.command(environ={"WEB_TIMEOUT": "0"})


def test_the_unit_and_the_benchmark_start_this_command():
    unit = (ROOT / "deploy" / "grid-web@.service").read_text()
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert exec_start.split("=", 1)[1].split() == [
        "/srv/grid/.venv/bin/python",
        "-m",
        "config.serve",
    ]
    from bench.http import server_command

    env = {"WEB_BIND": "127.0.0.1:9999", "WEB_WORKERS": "2"}
    assert server_command(env) == serve.command(environ=env)


def test_every_keepalive_request_is_on_a_socket_with_nodelay(production):
    assert nodelay_of_keepalive_requests(production) == [1, 1, 1]
    # A second connection, probably to the other worker: the same.
    assert nodelay_of_keepalive_requests(production) == [1, 1, 1]


def test_plain_uvicorn_workers_would_fail_the_check(tmp_path):
    """The control: uvicorn 0.54's own supervisor leaves Nagle on (Kludex/uvicorn#3149).

    If this starts failing after an upgrade, uvicorn has fixed it upstream; the check above
    stays, and this control can go.
    """
    port = free_port()
    env = embedded_environment(tmp_path, port)
    command = [sys.executable, "-m", "uvicorn", PROBE, "--port", str(port), "--workers", "2"]
    with running([*command, "--lifespan", "off"], env, port, tmp_path / "log"):
        assert nodelay_of_keepalive_requests(port) == [0, 0, 0]


def test_a_long_query_string_reaches_the_site_and_gets_its_414(production):
    status, body = get(production, "/api/v1/cases/?q=" + "x" * 30_000)
    assert status == 414
    assert json.loads(body)["code"] == "uri_too_long"


def test_websockets_open_through_the_production_command(production):
    """The public feed opens for anyone; the live queue refuses the anonymous with 403 — the
    consumers answer, not a server without WebSocket support."""
    base = f"ws://127.0.0.1:{production}"
    origin = f"http://127.0.0.1:{production}"

    async def scenario():
        async with websockets.connect(base + "/ws/live/", origin=origin, open_timeout=30) as feed:
            await feed.ping()
            opened = feed.response.status_code
        with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
            async with websockets.connect(base + "/ws/queue/", origin=origin, open_timeout=30):
                pass
        return opened, refused.value.response.status_code

    assert asyncio.run(scenario()) == (101, 403)


@pytest.mark.redis
@pytest.mark.skipif(requirements() is not None, reason=requirements() or "")
@pytest.mark.django_db(transaction=True)
def test_an_officers_live_queue_gets_a_new_case_through_the_production_command(
    city, people, tmp_path
):
    """On the test database and the real Redis: two workers, the officer's socket on one of
    them, a case filed in this process reaches it through the channel layer."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WEB_")},
        "DJANGO_SETTINGS_MODULE": "tests.realtime.e2e_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "E2E_QUEUE": f"serve-{uuid.uuid4().hex[:8]}",
        "DEBUG": "true",
        "ALLOW_DEBUG_WITH_SERVICES": "true",
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "WEB_LOG_LEVEL": "warning",
    }
    token = Token.objects.create(user=people.officer_a).key

    def file_case():
        try:
            return workflow.submit_case(
                actor=people.citizen,
                category=city.category,
                description="垃圾堆在路边",
                lon=city.point_a[0],
                lat=city.point_a[1],
                answers={"amount": "small"},
            )
        finally:
            db.connection.close()  # this thread's own connection: the test database is dropped

    async def scenario():
        headers = {"Authorization": f"Token {token}"}
        url = f"ws://127.0.0.1:{port}/ws/queue/"
        async with websockets.connect(url, additional_headers=headers, open_timeout=30) as queue:
            case = await asyncio.to_thread(file_case)
            message = json.loads(await asyncio.wait_for(queue.recv(), 15))
            return case, message

    with running(serve.command(environ=env), env, port, tmp_path / "log"):
        case, message = asyncio.run(scenario())
    assert message["kind"] == schemas.CASE_CREATED
    assert message["tracking_id"] == case.tracking_id


def test_the_probe_finds_the_connection_it_is_asked_about():
    """Against a socket pair made here: the option as set, and None for an unknown peer."""
    from tests.connection_probe import accepted_nodelay

    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        accepted, _peer = listener.accept()
        with client, accepted:
            accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
            assert accepted_nodelay(client.getsockname()) == 0
            accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            assert accepted_nodelay(client.getsockname()) == 1
            assert accepted_nodelay(("127.0.0.1", 1)) is None
