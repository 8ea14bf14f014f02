"""Celery tasks of the evaluation app: thin wrappers that take ids and call named functions."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from evaluation.callback import asking
from notifications.tasks import TRANSIENT


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    max_retries=6,
)
def deliver_callback(request_id: int) -> None:
    """Send a callback's e-mail and SMS; a re-run sends neither twice."""
    asking.deliver(request_id)
