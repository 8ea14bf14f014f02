"""The embedded run's scheduler: the time-limit sweep in a daemon thread of the web process.

With REDIS_URL unset there is no Celery worker or beat; `start_if_embedded` (called when the
ASGI application is built by the server) runs the sweep every minute so that an overdue demo
case escalates by itself, and the outbox relay (anything a failed delivery left behind). It
never starts under pytest, in management commands that do not serve, or when Redis (and so
Celery beat) is configured.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

_started: threading.Thread | None = None
_lock = threading.Lock()

# More periodic jobs, registered by the apps beside governance (their AppConfig.ready): the
# scheduler runs them after the sweep, each in its own try, as Celery beat runs their tasks.
_jobs: dict[str, Callable[[], object]] = {}


def register(name: str, job: Callable[[], object]) -> None:
    """Run `job` every interval in the embedded runtime (beat runs its task in production)."""
    _jobs[name] = job


def run_once() -> None:
    from governance import outbox, timelimits

    close_old_connections()
    try:
        result = timelimits.sweep()
        if result.warned or result.escalated:
            logger.info("sweep: warned %s, escalated %s", result.warned, result.escalated)
    except Exception:
        logger.exception("sweep failed; trying again next interval")
    for name, job in list(_jobs.items()):
        try:
            job()
        except Exception:
            logger.exception("%s failed; trying again next interval", name)
    try:
        outbox.relay()
        outbox.purge()
    except Exception:
        logger.exception("outbox relay failed; trying again next interval")
    finally:
        close_old_connections()


def _loop(stop: threading.Event, interval: float) -> None:
    try:
        while not stop.wait(interval):
            run_once()
    finally:
        connections.close_all()


def start(*, interval: float = 60.0, stop: threading.Event | None = None) -> threading.Thread:
    """Start the sweep thread (once per process); returns it."""
    global _started
    with _lock:
        if _started is not None and _started.is_alive():
            return _started
        thread = threading.Thread(
            target=_loop,
            args=(stop or threading.Event(), interval),
            name="time-limit-sweep",
            daemon=True,
        )
        thread.start()
        _started = thread
        return thread


def wanted() -> bool:
    if settings.REDIS_URL or not settings.GOVERNANCE.get("EMBEDDED_SCHEDULER", True):
        return False
    return "pytest" not in sys.modules


def start_if_embedded() -> threading.Thread | None:
    return start(interval=settings.GOVERNANCE.get("SWEEP_SECONDS", 60)) if wanted() else None
