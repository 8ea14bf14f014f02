"""Residents who asked to be told of emergencies where they live (居民应急提醒登记).

One row per person: their home address, the point they pinned and the grid it routed to. The
targeting of a notice with `residents` reads these rows by the grid's path; opting out deletes
the row (nothing about their home is kept once they say no).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResidentEnrolment(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="emergency_enrolment",
    )
    grid = models.ForeignKey(
        "governance.Area",
        verbose_name=_("home grid"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The grid's path, kept here so "residents beneath these areas" is one indexed query.
    grid_path = models.CharField(max_length=80, db_index=True, editable=False)
    address = models.CharField(_("home address"), max_length=200)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    opted_in_at = models.DateTimeField(_("opted in at"))

    class Meta:
        verbose_name = _("resident enrolled for emergency notices")
        verbose_name_plural = _("residents enrolled for emergency notices")

    def __str__(self) -> str:
        return f"{self.user_id} · {self.grid_id}"

    def save(self, *args, **kwargs):
        self.grid_path = self.grid.path
        super().save(*args, **kwargs)
