"""Celery tasks of the notification centre: thin wrappers that take ids and call named functions."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from notifications import centre
from notifications.sms import SmsUnavailable

TRANSIENT = (SMTPException, ConnectionError, TimeoutError, SmsUnavailable)


# Named as when it lived in `citizens.tasks`: rows already in an outbox or a queue still run.
@shared_task(
    name=centre.DELIVER_TASK,
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    max_retries=6,
)
def deliver_notification(notification_id: int) -> None:
    """Send a notification's e-mail and SMS; a re-run sends neither twice."""
    centre.deliver(notification_id)
