"""Carbon (双碳): meters, emission factors as data, and the daily CO₂e per meter and per area.

A meter is a datastream of consumption (electricity, gas, water, heat) tied to a building or an
organisation of the registry, or to an area. Its readings are the consumption of each interval
(kWh, m³, GJ), or a running counter (`cumulative`). Emissions = activity × the emission factor
in force for its kind and year; the factors are rows with their source, kept by administrators.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MeterKind(models.TextChoices):
    ELECTRICITY = "electricity", _("electricity")
    GAS = "gas", _("natural gas")
    WATER = "water", _("water")
    HEAT = "heat", _("heat")


class EmissionFactor(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=MeterKind.choices)
    value = models.FloatField(_("kg CO₂e per unit"))
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. kWh, m³, GJ"))
    source = models.CharField(_("source"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        ordering = ["kind", "-year"]
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="sensing_factor_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.value} kg/{self.unit}"


class Meter(models.Model):
    datastream = models.OneToOneField(
        "sensing.Datastream",
        verbose_name=_("datastream"),
        on_delete=models.CASCADE,
        related_name="meter",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MeterKind.choices)
    cumulative = models.BooleanField(
        _("running counter"),
        default=False,
        help_text=_("The readings are a counter's index, not each interval's consumption."),
    )
    building = models.ForeignKey(
        "gridwork.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meters",
    )
    organisation = models.ForeignKey(
        "gridwork.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meters",
    )
    area = models.ForeignKey(
        "governance.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meters",
        help_text=_("Empty: the building's, the organisation's or the thing's grid."),
    )
    area_path = models.CharField(max_length=80, default="", editable=False, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("meter")
        verbose_name_plural = _("meters")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.datastream}"

    def save(self, *args, **kwargs) -> None:
        area = self.placed_area()
        self.area_path = area.path if area is not None else ""
        super().save(*args, **kwargs)

    @property
    def owner_name(self) -> str:
        if self.organisation_id:
            return str(self.organisation.name)
        if self.building_id:
            return str(self.building.address)
        return str(self.datastream.thing.name)

    def placed_area(self):
        """The area the meter counts in: its own, its owner's grid, or its thing's grid."""
        if self.area_id:
            return self.area
        for owner in (self.organisation, self.building):
            if owner is not None and owner.grid_id:
                return owner.grid
        return self.datastream.thing.area


class MeterDay(models.Model):
    """One meter's consumption and emissions on one day (local date)."""

    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    activity = models.FloatField(default=0.0)
    co2e_kg = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meter", "day"], name="sensing_meterday_once")
        ]
        indexes = [models.Index(fields=["day", "-co2e_kg"], name="sensing_meterday_top")]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.day}: {self.co2e_kg:.1f} kg"


class CarbonDay(models.Model):
    """CO₂e of one area on one day by kind: every meter at or beneath the area."""

    area = models.ForeignKey("governance.Area", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=MeterKind.choices)
    activity = models.FloatField(default=0.0)
    co2e_kg = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "day", "kind"], name="sensing_carbonday_once")
        ]
        indexes = [models.Index(fields=["day", "area"], name="sensing_carbonday_day")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day} {self.kind}: {self.co2e_kg:.1f} kg"
