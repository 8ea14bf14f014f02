"""At most once per channel: the claim a delivery takes on a row's sent-at column before it
sends, given back if sending fails, and the rows still pending for the sweep to queue again.

Shared by notifications to accounts and messages to reporters' contacts: both keep
`email_wanted`/`emailed_at` and `sms_wanted`/`texted_at` beside a `created_at`.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q

from governance import clock

PENDING_BATCH = 500


def claim(model: type[models.Model], pk: int, column: str) -> bool:
    """Take the right to send on `column` (a conditional UPDATE): True for one caller only."""
    taken = model._default_manager.filter(pk=pk, **{f"{column}__isnull": True}).update(
        **{column: clock.now()}
    )
    return bool(taken)


def release(model: type[models.Model], pk: int, column: str) -> None:
    """Give the claim back after a failed send, so a retry or the sweep sends it."""
    model._default_manager.filter(pk=pk).update(**{column: None})


def pending(model: type[models.Model], older_than: timedelta) -> list[int]:
    """The rows with an e-mail or SMS still unsent after `older_than`, oldest first."""
    return list(
        model._default_manager.filter(
            Q(email_wanted=True, emailed_at__isnull=True)
            | Q(sms_wanted=True, texted_at__isnull=True),
            created_at__lte=clock.now() - older_than,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:PENDING_BATCH]
    )
