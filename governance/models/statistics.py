"""Daily statistics per area, written by the nightly task."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models.area import Area


class AreaDailyStatistics(models.Model):
    """One area's cases on one day (everything beneath the area counted)."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="daily_statistics"
    )
    day = models.DateField(_("day"))
    created = models.PositiveIntegerField(_("new cases"), default=0)
    closed = models.PositiveIntegerField(_("closed cases"), default=0)
    overdue = models.PositiveIntegerField(_("overdue at the end of the day"), default=0)
    open_total = models.PositiveIntegerField(_("open at the end of the day"), default=0)

    class Meta:
        verbose_name = _("daily area statistics")
        verbose_name_plural = _("daily area statistics")
        ordering = ["-day", "area__path"]
        constraints = [
            models.UniqueConstraint(fields=["area", "day"], name="area_daily_statistics_unique")
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.day}"
