"""Places (地): buildings and the households in their units."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Area


class Placed(models.Model):
    """A registry record placed in a grid: the grid and its path, copied like Case.area_path so
    "everything under an area" is one indexed condition (`governance.paths`)."""

    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_path = models.CharField(_("area path"), max_length=80, editable=False, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Building(Placed):
    name = models.CharField(_("name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    footprint = models.JSONField(_("footprint (GeoJSON)"), null=True, blank=True)
    units = models.PositiveSmallIntegerField(_("units"), default=1)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["address", "pk"]
        indexes = [
            models.Index(fields=["area_path", "address"], name="building_area_address"),
            models.Index(
                fields=["area_path"], name="building_area_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.address


class Household(models.Model):
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="households"
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    head = models.ForeignKey(
        "gridwork.Resident",
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    area_path = models.CharField(_("area path"), max_length=80, editable=False, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"], name="household_unique_room"
            )
        ]
        indexes = [
            models.Index(
                fields=["area_path"], name="household_area", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (str(self.building), self.unit, self.room) if p)
