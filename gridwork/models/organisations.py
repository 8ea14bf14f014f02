"""Things and organisations (物、组织): key places, and the organisations of a grid."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.models.places import Placed


class KeyPlace(Placed):
    class Kind(models.TextChoices):
        HAZARD = "hazard", _("hazard")
        FACILITY = "facility", _("public facility")
        COMPONENT = "component", _("city component")
        GATHERING = "gathering", _("crowded place")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("key place")
        verbose_name_plural = _("key places")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(
                fields=["area_path", "name"],
                name="keyplace_area_name",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(Placed):
    class Kind(models.TextChoices):
        BUSINESS = "business", _("business")
        SOCIAL = "social", _("social organisation")
        SCHOOL = "school", _("school")
        HOSPITAL = "hospital", _("hospital")
        MARKET = "market", _("market")
        CONSTRUCTION = "construction", _("construction site")
        HAZARDOUS_CHEMICALS = "hazardous_chemicals", _("hazardous-chemical site")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "pk"]
        indexes = [
            models.Index(
                fields=["area_path", "name"],
                name="organisation_area_name",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.name
