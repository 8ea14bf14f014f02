"""Queueing Celery work after commit without ever failing (or stalling) the request behind it.

Work that must follow a change goes through the outbox (`enqueue_on_commit`): written with the
change, handed to the broker after commit, relayed later if the broker was down. A broker that
is down costs a request at most one failed attempt: after a failure, further attempts are
skipped for a few seconds (a small circuit breaker).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task

from governance.breaker import Breaker

logger = logging.getLogger(__name__)


broker = Breaker()


def enqueue(task: Task, *args: Any) -> bool:
    """Queue `task` now; with the broker down, log and return False (callers keep a fallback).

    Embedded (tasks run eagerly) handing over is running: a task that fails there is the
    task's own business (its pending state is kept by its domain), so this returns True.
    """
    if task.app.conf.task_always_eager:
        try:
            task.apply_async(args)
        except Exception:
            logger.warning("task %s%r failed", task.name, args, exc_info=True)
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
    """Queue `task` once the current change commits, through the outbox (never lost)."""
    from governance import outbox

    outbox.add([outbox.task(task.name, *args)])
