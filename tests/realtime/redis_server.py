"""A private redis-server for tests that stop Redis for real (never the shared one)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """`data_dir`: keep the data on disk (append-only file, synced on every write), as a
    production Redis would, so that a crash (`kill`) and a restart lose nothing."""

    def __init__(self, port: int | None = None, *, data_dir: Path | None = None) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        persistence = ["--appendonly", "no"]
        if self.data_dir is not None:
            persistence = ["--dir", str(self.data_dir), "--appendonly", "yes"]
            persistence += ["--appendfsync", "always"]
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *persistence],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """SHUTDOWN NOSAVE, as an outage would: everything in it is gone."""
        if self.process is None:
            return
        with contextlib.suppress(redis.ConnectionError):
            # No retries: the connection it closes is the answer (redis-py retries by default).
            redis.Redis(port=self.port, retry=Retry(NoBackoff(), 0)).shutdown(nosave=True)
        self.process.wait(10)
        self.process = None

    def kill(self) -> None:
        """SIGKILL, as a crash would: only what is on disk (with `data_dir`) survives."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


@contextlib.contextmanager
def running(port: int | None = None) -> Iterator[RedisServer]:
    server = RedisServer(port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
