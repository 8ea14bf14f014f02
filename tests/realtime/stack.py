"""A real ASGI server (daphne) and a real Celery worker, on the test database and real Redis.

Used by the end-to-end and browser tests, which need REDIS_URL and PostgreSQL (CI sets both):
the servers are separate processes, so they must share a database and a channel layer with
the test run. Without them the tests skip, saying why.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.realtime.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def requirements() -> str | None:
    """Why the stack cannot run here, or None."""
    if not settings.REDIS_URL:
        return "needs REDIS_URL (a real Redis shared with the servers); CI sets it"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs DATABASE_URL on PostgreSQL (the servers share the test database); CI sets it"
    return None


@dataclass
class Stack:
    port: int
    queue: str
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        with open(self.log_dir / f"{name}.log", "ab") as log:
            return subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def start_web(self) -> None:
        command = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port)]
        self.web = self._spawn("daphne", [*command, "config.asgi:application"])
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(self.http + "/notifications/unread/", timeout=2)
                return
            if time.monotonic() > deadline or self.web.poll() is not None:
                pytest.fail("daphne did not start:\n" + read_logs(self.log_dir))
            time.sleep(0.2)

    def stop_web(self) -> None:
        stop(self.web)
        self.web = None

    def start_worker(self) -> None:
        self.worker = self._spawn(
            "celery",
            [
                str(BIN / "celery"),
                *("-A", "config", "worker", "--pool=solo", "-Q", self.queue, "-l", "info"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
        )
        wait_for_worker(self.log_dir / "celery.log")


def stop(process: subprocess.Popen | None) -> None:
    """Stop a process this module started (never anything else)."""
    if process is None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def running_stack(log_dir: Path) -> Iterator[Stack]:
    stack = Stack(port=free_port(), queue=f"e2e-{uuid.uuid4().hex[:8]}", log_dir=log_dir)
    stack.env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.realtime.e2e_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "E2E_QUEUE": stack.queue,
        "PYTHONPATH": str(ROOT),
        "DEBUG": "true",
    }
    try:
        stack.start_web()
        stack.start_worker()
        yield stack
    finally:
        stop(stack.web)
        stop(stack.worker)


def wait_for_worker(log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if b"ready." in log.read_bytes():
            return
        time.sleep(0.2)
    pytest.fail("the Celery worker did not start:\n" + log.read_text(errors="replace"))


def read_logs(log_dir: Path) -> str:
    return "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in log_dir.glob("*.log")
    )
