"""Celery tasks of the governance app: thin, taking ids, calling named functions."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from governance import clock, duplicates, outbox, timelimits

# Errors worth a retry: the database restarting or a connection dropped, nothing else.
TRANSIENT = (OperationalError, InterfaceError)


def durable_task(*, retry_backoff: int, max_retries: int):
    """A task acknowledged after it ran, retried only on TRANSIENT errors, never waiting longer
    than RETRY_BACKOFF_MAX between tries (the visibility timeout counts on it)."""
    return shared_task(
        acks_late=True,
        autoretry_for=TRANSIENT,
        retry_backoff=retry_backoff,
        max_retries=max_retries,
        retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    )


@durable_task(retry_backoff=5, max_retries=3)
def sweep_time_limits() -> dict[str, object]:
    """Warn and escalate (idempotent: a re-run or a second worker does nothing twice)."""
    result = timelimits.sweep()
    return {"warned": result.warned, "escalated": result.escalated, "requeued": result.requeued}


@durable_task(retry_backoff=5, max_retries=5)
def check_duplicates(case_id: int) -> list[str]:
    return duplicates.check_duplicates(case_id)


@durable_task(retry_backoff=30, max_retries=5)
def daily_statistics(day: str | None = None) -> int:
    """Statistics for `day` (ISO date; default yesterday), per area; re-running overwrites."""
    target = date.fromisoformat(day) if day else clock.now().date() - timedelta(days=1)
    return timelimits.daily_statistics(target)


@durable_task(retry_backoff=5, max_retries=3)
def relay_outbox() -> dict[str, int]:
    """Deliver what the outbox still holds (Redis was down when it was written); then drop
    what was delivered more than a day ago. Idempotent: rows are claimed, never sent twice."""
    relayed = 0
    while (batch := outbox.relay()) > 0 and relayed < 10 * outbox.RELAY_BATCH:
        relayed += batch
    return {"relayed": relayed, "purged": outbox.purge()}


@durable_task(retry_backoff=1, max_retries=3)
def relay_now() -> int:
    """Deliver what the outbox holds now (woken after a change commits); the beat's
    `relay_outbox` sweeps whatever a lost wake-up left. Returns how many rows went."""
    relayed = 0
    while (batch := outbox.relay()) > 0 and relayed < 10 * outbox.RELAY_BATCH:
        relayed += batch
    return relayed
