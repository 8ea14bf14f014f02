"""Household visits (走访): who visited, when, which residents were seen, notes, and whether a
follow-up case was filed; how often residents with a tag must be visited; the reminders sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Area
from gridwork.models.people import Resident, Tag
from gridwork.models.places import Household, Placed

# Visit intervals in force when an administrator has set none for a tag (days; reminders start
# `remind_days_before` that many days ahead). One platform asks 80 visits a month of an officer;
# the elderly living alone are commonly visited at least monthly.
DEFAULT_INTERVALS: dict[str, tuple[int, int]] = {Tag.ELDERLY_ALONE: (30, 3)}


class VisitInterval(models.Model):
    """How often residents with a tag are visited: an administrator's setting per tag."""

    tag = models.CharField(_("tag"), max_length=30, choices=Tag.choices, unique=True)
    every_days = models.PositiveSmallIntegerField(
        _("visit every (days)"),
        default=30,
        help_text=_("A resident with this tag is due a visit this many days after the last."),
    )
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind (days before)"),
        default=3,
        help_text=_("The grid's officers are told this many days before the visit is due."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Untick to stop reminders for this tag.")
    )

    class Meta:
        verbose_name = _("visit interval")
        verbose_name_plural = _("visit intervals")
        ordering = ["tag"]

    def __str__(self) -> str:
        return f"{self.get_tag_display()}: {self.every_days}"


class Visit(Placed):
    """A visit to a household (or to residents without one), placed in the household's grid."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    residents_seen = models.ManyToManyField(
        Resident, verbose_name=_("residents seen"), related_name="visits", blank=True
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    follow_up = models.BooleanField(_("follow-up needed"), default=False)
    case = models.ForeignKey(
        "governance.Case",
        verbose_name=_("follow-up case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The visitor's corrections (within a month of the visit): when, and what the visit said
    # before each ([{"at": …, "before": {"visited_at", "minutes", "notes", "residents"}}]).
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    corrections = models.JSONField(_("corrections"), default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [
            models.Index(fields=["visitor", "visited_at"], name="visit_visitor_time"),
            models.Index(
                fields=["area_path"], name="visit_area_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household or self.grid} · {timezone.localtime(self.visited_at):%Y-%m-%d}"


class VisitReminder(models.Model):
    """A resident's visit due on a day, told to the grid's officers once (the unique pair)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(_("due on"))
    grid = models.ForeignKey(Area, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("reminded at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit reminder")
        verbose_name_plural = _("visit reminders")
        constraints = [
            models.UniqueConstraint(fields=["resident", "due_on"], name="visit_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} {self.due_on}"
