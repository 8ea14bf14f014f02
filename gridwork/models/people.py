"""People (人): residents. The id number is kept plain in a column of its own (never indexed)
and as a keyed hash in an indexed one (`gridwork.idnumbers`); the phone likewise."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridwork.models.places import Building, Household, Placed


class Gender(models.TextChoices):
    FEMALE = "f", _("female")
    MALE = "m", _("male")


class Residence(models.TextChoices):
    REGISTERED = "registered", _("registered residence (户籍)")
    ACTUAL = "actual", _("actual residence only (实有)")


class Tag(models.TextChoices):
    """Those who need attention: fixed codes, kept as a JSON list on the resident."""

    ELDERLY_ALONE = "elderly_alone", _("elderly living alone")
    DISABILITY = "disability", _("disability")
    LOW_INCOME = "low_income", _("low income")
    LEFT_BEHIND_CHILD = "left_behind_child", _("child left behind")
    KEY_GROUP = "key_group", _("key group")


class Resident(Placed):
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("id number"), max_length=18, blank=True)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    residence = models.CharField(
        _("residence"), max_length=10, choices=Residence.choices, default=Residence.ACTUAL
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "pk"]
        indexes = [
            # A grid's residents by name: equality on the path, walked in name order.
            models.Index(fields=["area_path", "name"], name="resident_area_name"),
            # A street's (or district's) residents whose name starts with …: prefix ranges on
            # both, usable whatever the database's collation (as for cases).
            models.Index(
                fields=["area_path", "name"],
                name="resident_area_name_prefix",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["id_hash"], name="resident_id_hash"),
            models.Index(fields=["phone_hash"], name="resident_phone_hash"),
            models.Index(fields=["household"], name="resident_household"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=~Q(id_hash=""), name="resident_unique_id"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_labels(self) -> list[str]:
        return [str(Tag(tag).label) for tag in self.tags or [] if tag in Tag.values]
