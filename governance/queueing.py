"""Queueing Celery work after commit without ever failing (or stalling) the request behind it.

A broker that is down costs a request at most one failed attempt: after a failure, further
attempts are skipped for a few seconds (a small circuit breaker), and the callers' fallbacks —
the pending notification columns re-queued by the sweep — pick the work up once it is back.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


class Breaker:
    """Skip calls to a service for `pause` seconds after it failed."""

    def __init__(self, pause: float = 5.0) -> None:
        self.pause = pause
        self._open_until = 0.0
        self._lock = threading.Lock()

    def closed(self) -> bool:
        return time.monotonic() >= self._open_until

    def failed(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.pause

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


broker = Breaker()


def enqueue(task: Task, *args: Any) -> bool:
    """Queue `task` now; with the broker down, log and return False (callers keep a fallback)."""
    if task.app.conf.task_always_eager:  # embedded: run now; a failure stays pending, unseen
        try:
            task.apply_async(args)
        except Exception:
            logger.warning("task %s%r failed; left for later", task.name, args, exc_info=True)
            return False
        return True
    if not broker.closed():
        logger.warning("broker unavailable: %s%r left for later", task.name, args)
        return False
    try:
        task.apply_async(args, retry=False)
    except Exception:
        broker.failed()
        logger.warning("could not queue %s%r", task.name, args)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any) -> None:
    transaction.on_commit(lambda: enqueue(task, *args))
