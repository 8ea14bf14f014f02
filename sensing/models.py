"""Sensing, shaped as the OGC SensorThings API (Part 1, v1.1): things, where they are, what
they measure, and the readings.

A Thing is placed in a grid by the same routing as cases (`governance.routing`) from its
Location; it may stand for a city component (a 部件 category such as a manhole cover). A Device
is the credential a piece of hardware writes with: it owns the things whose `device` it is and
may write only their datastreams. Observations are append-only; on PostgreSQL their table is
partitioned by day on `phenomenon_time` (see migration 0001 and `sensing.partitions`), on SQLite
it is a plain table with the same columns. Rollups keep per-bucket aggregates for charts.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Location(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return f"{self.name} ({self.lon:.5f}, {self.lat:.5f})"


class Device(models.Model):
    """A writer's credential: a hashed token; counts what it sent and what was refused."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    accepted_count = models.BigIntegerField(_("readings accepted"), default=0, editable=False)
    rejected_count = models.BigIntegerField(_("readings refused"), default=0, editable=False)
    last_rejection = models.CharField(_("last refusal"), max_length=300, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        # Tokens are 32 random bytes: a fast hash is enough (no guessing a dictionary word).
        return hashlib.sha256(token.encode()).hexdigest()

    def set_new_token(self) -> str:
        """A fresh token (shown once); only its hash is kept."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        return token


class Thing(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    properties = models.JSONField(_("properties"), default=dict, blank=True)
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="things",
    )
    area = models.ForeignKey(
        "governance.Area",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="things",
        help_text=_("Set from the location by the same routing as cases."),
    )
    component = models.ForeignKey(
        "governance.Category",
        verbose_name=_("city component"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="things",
        limit_choices_to={"family": "component"},
    )
    device = models.ForeignKey(
        Device,
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="things",
        help_text=_("The credential allowed to write this thing's datastreams."),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("thing")
        verbose_name_plural = _("things")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Sensor(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    encoding_type = models.CharField(
        _("encoding type"), max_length=100, default="application/pdf", blank=True
    )
    metadata = models.CharField(_("metadata"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ObservedProperty(models.Model):
    name = models.CharField(_("name"), max_length=200)
    definition = models.CharField(_("definition"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("observed property")
        verbose_name_plural = _("observed properties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ObservationType(models.TextChoices):
    MEASUREMENT = (
        "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        _("measurement (number)"),
    )
    COUNT = (
        "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation",
        _("count (integer)"),
    )
    TRUTH = (
        "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation",
        _("truth (true/false)"),
    )
    CATEGORY = (
        "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation",
        _("category (text)"),
    )


class Datastream(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    thing = models.ForeignKey(
        Thing, verbose_name=_("thing"), on_delete=models.CASCADE, related_name="datastreams"
    )
    sensor = models.ForeignKey(
        Sensor, verbose_name=_("sensor"), on_delete=models.PROTECT, related_name="datastreams"
    )
    observed_property = models.ForeignKey(
        ObservedProperty,
        verbose_name=_("observed property"),
        on_delete=models.PROTECT,
        related_name="datastreams",
    )
    unit_name = models.CharField(_("unit name"), max_length=100, blank=True)
    unit_symbol = models.CharField(_("unit symbol"), max_length=30, blank=True)
    unit_definition = models.CharField(_("unit definition"), max_length=300, blank=True)
    observation_type = models.CharField(
        _("observation type"),
        max_length=100,
        choices=ObservationType.choices,
        default=ObservationType.MEASUREMENT,
    )
    active = models.BooleanField(_("active"), default=True)
    last_value = models.FloatField(_("latest value"), null=True, blank=True, editable=False)
    last_time = models.DateTimeField(_("latest reading at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("datastream")
        verbose_name_plural = _("datastreams")
        ordering = ["thing_id", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.thing} · {self.name}"

    @property
    def unit_of_measurement(self) -> dict[str, str]:
        return {
            "name": self.unit_name,
            "symbol": self.unit_symbol,
            "definition": self.unit_definition,
        }


class Observation(models.Model):
    """One reading. On PostgreSQL the table is partitioned by day on phenomenon_time; its
    primary key there is (id, phenomenon_time), `id` alone stays unique (one sequence)."""

    id = models.BigAutoField(primary_key=True)
    datastream = models.ForeignKey(
        Datastream,
        verbose_name=_("datastream"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="observations",
    )
    phenomenon_time = models.DateTimeField(_("phenomenon time"))
    result = models.FloatField(_("result"), null=True, blank=True)
    result_json = models.JSONField(_("result (other than a number)"), null=True, blank=True)
    result_time = models.DateTimeField(_("result time"), null=True, blank=True)

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["datastream", "phenomenon_time"], name="sensing_observation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.datastream_id} @ {self.phenomenon_time:%Y-%m-%d %H:%M:%S}: {self.result}"


class Bucket(models.IntegerChoices):
    FIVE_MINUTES = 300, _("5 minutes")
    HOUR = 3600, _("hour")
    DAY = 86400, _("day")


class Rollup(models.Model):
    """Aggregates of one datastream's numeric readings over one bucket (UTC-aligned)."""

    datastream = models.ForeignKey(
        Datastream, verbose_name=_("datastream"), on_delete=models.CASCADE, related_name="rollups"
    )
    bucket = models.PositiveIntegerField(_("bucket"), choices=Bucket.choices)
    start = models.DateTimeField(_("start"))
    count = models.PositiveIntegerField(_("count"), default=0)
    min = models.FloatField(_("minimum"), null=True)
    max = models.FloatField(_("maximum"), null=True)
    sum = models.FloatField(_("sum"), default=0.0)
    last = models.FloatField(_("last value"), null=True)
    last_time = models.DateTimeField(_("last reading at"), null=True)

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["datastream", "bucket", "start"], name="sensing_rollup_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.datastream_id} {self.get_bucket_display()} {self.start:%Y-%m-%d %H:%M}"

    @property
    def mean(self) -> float | None:
        return self.sum / self.count if self.count else None


# The rules' and carbon's models live in modules of their own; imported here so Django knows them.
from sensing.models_carbon import CarbonDay, EmissionFactor, Meter, MeterDay, MeterKind  # noqa: E402
from sensing.models_rules import (  # noqa: E402
    Alarm,
    Direction,
    Rule,
    RuleKind,
    RuleState,
)

__all__ = [
    "Alarm",
    "Bucket",
    "CarbonDay",
    "Datastream",
    "Device",
    "Direction",
    "EmissionFactor",
    "Location",
    "Meter",
    "MeterDay",
    "MeterKind",
    "Observation",
    "ObservationType",
    "ObservedProperty",
    "Rollup",
    "Rule",
    "RuleKind",
    "RuleState",
    "Sensor",
    "Thing",
]
