"""Celery tasks of the emergency app: thin, calling named functions, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from emergency import plans


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
)
def sweep_late_tasks() -> int:
    """Mark plan steps past their due time late and tell the leaders above (once each)."""
    return len(plans.sweep_late_tasks())
