"""Patrol duty (巡查履职): the minimums an administrator sets, and each officer's day as
computed by the daily job (`gridwork.duty`), so a monthly sheet is a cheap read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DutyRules(models.Model):
    """The duty minimums in force (one row, pk 1; these defaults until an administrator saves)."""

    minutes_per_day = models.PositiveSmallIntegerField(
        _("patrol minutes per working day"),
        default=120,
        help_text=_("Time on patrol inside the officer's grids that makes a working day met."),
    )
    reports_per_month = models.PositiveSmallIntegerField(
        _("reports per month"),
        default=10,
        help_text=_("Cases filed from patrols in a month."),
    )
    visits_per_month = models.PositiveSmallIntegerField(
        _("visits per month"),
        default=20,
        help_text=_("Household visits recorded in a month."),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty minimums")
        verbose_name_plural = _("duty minimums")

    def __str__(self) -> str:
        return str(_("duty minimums"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> DutyRules:
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class DutyDay(models.Model):
    """One officer's duty on one day (the site's time zone), recomputed by the daily job."""

    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("day"))
    patrol_seconds = models.PositiveIntegerField(_("seconds on patrol inside the grids"), default=0)
    distance_m = models.PositiveIntegerField(_("distance (m)"), default=0)
    patrols = models.PositiveSmallIntegerField(_("patrols"), default=0)
    check_ins = models.PositiveSmallIntegerField(_("check-ins"), default=0)
    reports = models.PositiveSmallIntegerField(_("reports"), default=0)
    visits = models.PositiveSmallIntegerField(_("visits"), default=0)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("duty day")
        verbose_name_plural = _("duty days")
        ordering = ["officer", "day"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "day"], name="duty_day_once"),
        ]
        indexes = [models.Index(fields=["day"], name="duty_day_day")]

    def __str__(self) -> str:
        return f"{self.officer} {self.day}"
