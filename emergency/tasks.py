"""Celery tasks of the emergency app: thin, taking ids, calling named functions, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from emergency import plans, resending
from governance.tasks import TRANSIENT as DATABASE_TRANSIENT
from notifications import centre
from notifications.tasks import TRANSIENT


@shared_task(
    acks_late=True,
    autoretry_for=DATABASE_TRANSIENT,
    retry_backoff=5,
    max_retries=3,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
)
def sweep_late_tasks() -> int:
    """Mark plan steps past their due time late and tell the leaders above (once each)."""
    return len(plans.sweep_late_tasks())


@shared_task(
    acks_late=True,
    autoretry_for=DATABASE_TRANSIENT,
    retry_backoff=5,
    max_retries=3,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
)
def resend_unanswered() -> dict[str, int]:
    """Send notices again to who did not answer, then tell their leaders (idempotent: rows
    are claimed, two runs never send one twice)."""
    result = resending.resend_unanswered()
    return {"resent": result.resent, "leaders_told": result.leaders_told}


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    max_retries=6,
)
def deliver_notifications(notification_ids: list[int]) -> None:
    """Send a batch of notice notifications' e-mail and SMS through the notification centre
    (each channel of each row at most once, however often this runs)."""
    for notification_id in notification_ids:
        centre.deliver(notification_id)
