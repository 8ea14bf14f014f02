"""The Celery worker production runs beside the web server (`deploy/grid-worker.service`).

The HTTP and realtime figures are taken with one running, as in production: what the web
process queues after commit (the duplicate check, deliveries, the outbox relay once filing
hands its side effects to it) is consumed while the figures are measured, and a figure that
depends on it (commit → socket through the relay) is measured through it. Without a broker
(no `REDIS_URL`: tasks run in the process that queues them) there is nothing to start.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

# Two cores shared by the server, the clients and PostgreSQL: one worker process, as many as
# the figures need, so that the worker does not take the server's time.
CONCURRENCY = 1


def worker_command(concurrency: int = CONCURRENCY) -> list[str]:
    """`celery -A config worker`, as the systemd unit runs it, with this interpreter."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--loglevel",
        "warning",
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


@contextmanager
def celery_worker(env: dict[str, str]) -> Iterator[subprocess.Popen | None]:
    """A Celery worker for the run's broker while the block runs; None when tasks run eagerly."""
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        yield None
        return
    # Its standard output is the console e-mail of the embedded settings: not the figures'.
    process = subprocess.Popen(
        worker_command(), env=env, cwd=str(settings.BASE_DIR), stdout=subprocess.DEVNULL
    )
    try:
        time.sleep(0.5)
        if process.poll() is not None:
            raise RuntimeError("the Celery worker exited at start-up")
        yield process
    finally:
        process.terminate()  # warm shutdown: the task in hand finishes, nothing is lost
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def drain_outbox(timeout: float = 120.0, *, stuck: float = 10.0) -> float:
    """Wait until the relay (the worker beside the server) has delivered what the outbox holds
    and the worker has run every task queued meanwhile (the duplicate checks, the deliveries),
    so that a figure is not measured while the worker still works off the previous figure's
    filings (tens of milliseconds each on the same two cores). Without a broker there is no
    worker and nothing to wait for (tasks ran in place); a backlog that does not shrink for
    `stuck` seconds is left as it is (a row no relay can deliver is a finding of its own).
    Returns how long it waited."""
    if not settings.REDIS_URL:
        return 0.0
    from django.db import close_old_connections

    from governance import outbox

    tick = time.perf_counter()
    last, since = -1, tick
    while time.perf_counter() - tick < timeout:
        left = outbox.pending_count() + _tasks_waiting()
        if not left:
            break
        if left != last:
            last, since = left, time.perf_counter()
        elif time.perf_counter() - since > stuck:
            break
        time.sleep(0.2)
    close_old_connections()
    return time.perf_counter() - tick


def purge_stale_tasks() -> int:
    """Drop the tasks an earlier run left queued on the broker (a benchmark killed before its
    worker caught up), so this run's worker works on this run's tasks; returns how many."""
    if not settings.REDIS_URL or settings.CELERY_TASK_ALWAYS_EAGER:
        return 0
    from config.celery import app

    return app.control.purge() or 0


def _tasks_waiting() -> int:
    """Tasks queued on the broker or taken by the worker and not yet acknowledged."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        queued = sum(client.llen(key) for key in client.scan_iter(match="celery*", count=100))
        return queued + client.hlen("unacked")
    finally:
        client.close()
