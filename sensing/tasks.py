"""Sensing's periodic job: partitions ahead, old ones dropped (Celery beat, or the embedded
scheduler)."""

from __future__ import annotations

from celery import shared_task

from sensing import partitions


@shared_task(name="sensing.tasks.maintain_partitions", ignore_result=True)
def maintain_partitions() -> dict[str, int]:
    return partitions.maintain()
