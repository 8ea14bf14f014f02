"""Celery tasks of the citizens app: thin wrappers that take ids and call named functions."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from citizens import contact_updates
from citizens.following import subscribing, telling
from notifications.sms import SmsUnavailable

TRANSIENT = (SMTPException, ConnectionError, TimeoutError, SmsUnavailable)


# --- following a request and area alerts (citizens.following) --------------------------------


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    max_retries=5,
)
def fan_out_alerts(event_id: int) -> int:
    """Write the alerts of one public timeline entry; a re-run writes none twice."""
    return telling.fan_out(event_id)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    max_retries=6,
)
def deliver_contact_message(message_id: int) -> None:
    """Send a message to a reporter's contact by e-mail and SMS; a re-run sends neither twice."""
    contact_updates.deliver(message_id)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    max_retries=6,
)
def send_alert(alert_id: int) -> None:
    """Send one alert's e-mail/SMS; a re-run sends nothing twice."""
    telling.send_alert(alert_id)


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    retry_backoff_max=settings.RETRY_BACKOFF_MAX,
    max_retries=6,
)
def send_confirmation(subscription_id: int) -> None:
    """Mail a pending subscription's confirmation link, once."""
    subscribing.send_confirmation(subscription_id)
