"""Obligations: the facts every evaluation figure is a sum over.

One row per obligation the reference names (`/shared/reference/evaluation.md`): an intake per
case, a handling per dispatch, a verification per resolution, a closing per case dispatched.
Each is derived from the case's timeline (`evaluation.facts.derive`) and so can be recomputed
at any time (`manage.py rebuild_evaluation_facts`); the domain subscriber keeps them current.

A row is keyed by the event that started it and its kind (the first dispatch starts both a
handling and the closing obligation), so writing a case's rows again is an upsert that changes
nothing when nothing changed: the subscriber is idempotent per event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import Case, Category, Department


class Kind(models.TextChoices):
    INTAKE = "intake", _("intake")
    HANDLING = "handling", _("handling")
    VERIFICATION = "verification", _("verification")
    CLOSING = "closing", _("closing")


class Outcome(models.TextChoices):
    """How an obligation ended ("" while it is open)."""

    OPEN = "", _("open")
    FILED = "filed", _("filed")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REWORK = "rework", _("sent back for rework")
    # Ended unmet: another dispatch came before any resolution (counted, never fulfilled).
    REDISPATCHED = "redispatched", _("dispatched elsewhere before resolution")
    # The case left the loop before the obligation was met (withdrawn; merged or rejected
    # after a dispatch): no longer owed, and so in no count but `reported`.
    CANCELLED = "cancelled", _("cancelled")


class Obligation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="obligations")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The owner, and what scoped figures filter on: the case's area path (grid or city queue),
    # the department a dispatch names, the person it names (handling) — copied from the case
    # and the timeline so every figure is one indexed scan of this table.
    area_path = models.CharField(_("area path"), max_length=80)
    # Indexes are the ones below (each foreign key's own would only slow the writes).
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        help_text=_("The person the obligation names (a dispatch to a person)."),
    )
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    # The case's reporter and channel (intake rows): a grid officer's valid report rate.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default=""
    )
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    reworked = models.BooleanField(_("reworked"), default=False)
    # Closing rows: the citizen's word on the case (rating 1–5 after the last reopening, the
    # callback's answers).
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    callback_satisfied = models.BooleanField(null=True, blank=True)
    callback_resolved = models.BooleanField(null=True, blank=True)
    # The events it came from: the one that started it, the one that ended it.
    start_event_id = models.BigIntegerField()
    end_event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["case_id", "start_event_id", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["start_event_id", "kind"], name="obligation_start_event_kind"
            ),
        ]
        indexes = [
            # An area subtree's period: `area_path LIKE '/…/%' AND starts_at in [start, end)`.
            models.Index(
                fields=["area_path", "starts_at"],
                name="obligation_area_start",
                opclasses=["varchar_pattern_ops", ""],
            ),
            models.Index(fields=["department", "starts_at"], name="obligation_department_start"),
            models.Index(fields=["starts_at"], name="obligation_start"),
            models.Index(
                fields=["deadline"],
                name="obligation_open_deadline",
                condition=Q(outcome=""),
            ),
            models.Index(
                fields=["person"], name="obligation_person", condition=Q(person__isnull=False)
            ),
            models.Index(
                fields=["fulfilled_by"],
                name="obligation_fulfilled_by",
                condition=Q(fulfilled_by__isnull=False),
            ),
            models.Index(
                fields=["reporter"],
                name="obligation_reporter",
                condition=Q(reporter__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.outcome == Outcome.OPEN
