"""Queueing Celery work after commit without ever failing (or stalling) the request behind it.

Work that must follow a change goes through the outbox (`outbox.task`): written with the
change, handed to the broker after commit (here), relayed later if the broker was down. A
broker that is down costs a request at most one failed attempt: after a failure, further
attempts are skipped for a few seconds (a small circuit breaker). Tasks are named, not
imported (`enqueue_named`): the task modules import the domain, never the other way.
"""

from __future__ import annotations

import contextlib
import logging
from importlib import import_module
from typing import Any

from celery import Task, current_app

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


def task_named(name: str) -> Task | None:
    """The Celery task registered as `name`, importing its module if this process has not
    yet (the domain names the tasks it queues, it never imports them: the tasks import it)."""
    task = current_app.tasks.get(name)
    if task is None:
        with contextlib.suppress(ImportError):
            import_module(name.rpartition(".")[0])
        task = current_app.tasks.get(name)
    return task


def enqueue_named(name: str, *args: Any) -> bool:
    """`enqueue` the task registered as `name`. An unknown name is logged and dropped (True:
    there is nothing to try again)."""
    task = task_named(name)
    if task is None:
        logger.error("unknown task %s; dropped", name)
        return True
    return enqueue(task, *args)
