"""The outbox: what must happen after a change commits, written in the change's transaction."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxKind(models.TextChoices):
    """The platform's own kinds; a subscriber adds its own with `governance.outbox.handler`."""

    PUSH = "push", _("realtime push")
    TASK = "task", _("background task")
    EVENTS = "events", _("domain events for the subscribers")


class OutboxMessage(models.Model):
    """One side effect of a committed change: pushes to socket groups, a Celery task, or any
    kind a handler is registered for (`governance.outbox.handler`).

    Written with the change (so it exists exactly when the change does), held by the writing
    process until `claimed_until` while it delivers it after commit, marked `delivered_at` once
    handed to the channel layer or the broker; a relay delivers whatever is left (Redis down).
    """

    kind = models.CharField(_("kind"), max_length=40)
    payload = models.JSONField(_("payload"))
    created_at = models.DateTimeField(_("created at"))
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # The case whose timeline entries the row carries (kind `events`): a relay never delivers
    # a row while an earlier undelivered row of the same case is held by someone else.
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["id"], name="outbox_pending", condition=Q(delivered_at__isnull=True)
            ),
            models.Index(fields=["delivered_at"], name="outbox_delivered_at"),
            models.Index(
                fields=["case_id", "id"],
                name="outbox_pending_case",
                condition=Q(delivered_at__isnull=True, case_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
