"""Celery tasks of the rules and carbon: thin, idempotent (beat runs them)."""

from __future__ import annotations

from governance.tasks import durable_task


@durable_task(retry_backoff=30, max_retries=3)
def sweep_silent() -> int:
    """Raise the no-signal alarms of datastreams silent past their rule's window."""
    from sensing.rules import sweep_silent as sweep

    return sweep()


@durable_task(retry_backoff=60, max_retries=3)
def carbon_days() -> int:
    """Rewrite today's and yesterday's CO₂e per meter and per area."""
    from sensing.carbon import roll_up_recent

    return roll_up_recent()
