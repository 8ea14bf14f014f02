"""SMS behind a small gateway interface; the default only logs (no provider is configured).

A real provider is a class with `send(phone=…, text=…)` named by the SMS_GATEWAY setting; it
raises SmsUnavailable for a transient failure (the delivery task retries those).
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsUnavailable(Exception):
    """The gateway could not take the message now; sending again later may work."""


class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str) -> None: ...


class LoggingSmsGateway:
    """Writes each message to the log instead of sending it."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("sms to %s: %s", phone[:3] + "****" + phone[-4:], text)


@cache
def _gateway_class(path: str) -> type:
    return import_string(path)


def gateway() -> SmsGateway:
    return _gateway_class(settings.SMS_GATEWAY)()
