"""The real ASGI server the project runs (daphne): a long query string is answered, not dropped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.realtime.redis_server import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    """Embedded settings on a database of its own: no view below touches it."""
    port = free_port()
    log = tmp_path_factory.mktemp("daphne") / "daphne.log"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}
    }
    env["DATABASE_URL"] = f"sqlite:///{log.parent / 'limits.sqlite3'}"
    env["ALLOW_DEBUG_WITH_SERVICES"] = "true"
    env["DEBUG"] = "true"
    env["EMBEDDED_SCHEDULER"] = "false"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("daphne did not start:\n" + log.read_text())
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(10)


def raw_get(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("size", [30_000, 60_000])
def test_long_query_string_gets_414_with_the_api_body(daphne, size):
    answer = raw_get(daphne, "/api/v1/cases/?q=" + "x" * size)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414"), answer[:200]
    assert b'"uri_too_long"' in body


def test_beyond_the_server_limit_still_an_answer(daphne):
    answer = raw_get(daphne, "/api/v1/cases/?q=" + "x" * 100_000)
    assert answer.startswith(b"HTTP/1.1 414"), answer[:200]
