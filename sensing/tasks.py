"""Sensing's periodic jobs (Celery beat, or the embedded scheduler): partitions ahead and old
ones dropped; the no-signal alarms; the daily carbon rows. Thin and idempotent."""

from __future__ import annotations

from celery import shared_task

from governance.tasks import durable_task
from sensing import partitions


@shared_task(name="sensing.tasks.maintain_partitions", ignore_result=True)
def maintain_partitions() -> dict[str, int]:
    return partitions.maintain()


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
