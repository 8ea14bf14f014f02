"""Resources on the map, per grid: shelters (避难场所), supplies (应急物资) and teams (救援队伍).

Each sits in a grid; given a point, the grid is the one the point routes to
(`governance.routing.route_point`). `path` is the grid's, kept so "resources beneath these
areas" is one indexed prefix query, like an incident's affected areas. Contact phones are
personal data: only staff who may manage the grid see them (never public pages, never CAP).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Area, Level
from governance.routing import route_point, validate_point


class Placed(models.Model):
    """A resource placed in a grid, optionally at a point."""

    grid = models.ForeignKey(
        Area,
        verbose_name=_("grid"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Level.GRID},
        null=True,
        blank=True,
        help_text=_("Found from the point when one is given."),
    )
    path = models.CharField(max_length=80, db_index=True, editable=False)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.place()
        self.path = self.grid.path
        super().save(*args, **kwargs)

    @property
    def has_point(self) -> bool:
        return self.lon is not None and self.lat is not None

    def place(self) -> None:
        """Put the resource in the grid its point routes to (a point in no grid keeps the grid
        chosen by hand); then refuse one without a grid."""
        if (self.lon is None) != (self.lat is None):
            raise ValidationError({"lat" if self.lat is None else "lon": _("Give both.")})
        if self.has_point:
            self.lon, self.lat = validate_point(self.lon, self.lat)
            grid = route_point(self.lon, self.lat)
            if grid is not None:
                self.grid = grid
        if self.grid_id is None:
            raise ValidationError(
                {"grid": _("Choose the grid, or give a point inside one of our grids.")}
            )
        if self.grid.level != Level.GRID:
            raise ValidationError({"grid": _("A resource belongs to a grid.")})

    def clean(self) -> None:
        super().clean()
        self.place()


class Shelter(Placed):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    occupancy = models.PositiveIntegerField(_("people sheltered now"), default=0)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    open = models.BooleanField(_("open"), default=False)

    class Meta:
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        ordering = ["path", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def free(self) -> int:
        return max(self.capacity - self.occupancy, 0)

    @property
    def full(self) -> bool:
        return self.occupancy >= self.capacity


class SupplyKind(models.TextChoices):
    WATER_FOOD = "water_food", _("water and food")
    BEDDING = "bedding", _("tents and bedding")
    MEDICAL = "medical", _("medical supplies")
    FLOOD = "flood", _("pumps and sandbags")
    RESCUE = "rescue", _("rescue equipment")
    POWER = "power", _("generators and lighting")
    OTHER = "other", _("other")


class SupplyState(models.TextChoices):
    READY = "ready", _("ready")
    IN_USE = "in_use", _("in use")
    DEPLETED = "depleted", _("used up")
    MAINTENANCE = "maintenance", _("under maintenance")


class Supply(Placed):
    kind = models.CharField(_("type"), max_length=20, choices=SupplyKind.choices)
    name = models.CharField(_("name"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20)
    custodian = models.CharField(_("custodian"), max_length=100, blank=True)
    custodian_phone = models.CharField(_("custodian's phone"), max_length=30, blank=True)
    storage_place = models.CharField(_("storage place"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=SupplyState.choices, default=SupplyState.READY
    )

    class Meta:
        verbose_name = _("supply")
        verbose_name_plural = _("supplies")
        ordering = ["path", "kind", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    RESCUE = "rescue", _("rescue")
    MEDICAL = "medical", _("medical")
    FIREFIGHTING = "firefighting", _("firefighting")
    REPAIR = "repair", _("utilities repair")
    SECURITY = "security", _("security")
    VOLUNTEER = "volunteer", _("volunteers")
    OTHER = "other", _("other")


class Team(Placed):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    leader_name = models.CharField(_("leader"), max_length=100, blank=True)
    leader_phone = models.CharField(_("leader's phone"), max_length=30, blank=True)
    members = models.PositiveIntegerField(_("members"), default=0)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["path", "name", "pk"]

    def __str__(self) -> str:
        return self.name


# The personal fields of each resource: shown only to staff who may manage its grid.
PERSONAL_FIELDS = {
    Shelter: ("contact_name", "contact_phone"),
    Supply: ("custodian_phone",),
    Team: ("leader_phone",),
}
