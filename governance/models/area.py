"""The area tree: city → district → street → community → grid."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from governance.geometry import bounding_box, parse_boundary


class Level(models.IntegerChoices):
    CITY = 1, _("city")
    DISTRICT = 2, _("district")
    STREET = 3, _("street")
    COMMUNITY = 4, _("community")
    GRID = 5, _("grid")


# Code length per level and the parent's level: 6-digit city and district codes (GB/T 2260),
# then 3 digits each for street, community and grid (the 15-digit grid code).
CODE_LENGTH = {
    Level.CITY: 6,
    Level.DISTRICT: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}
PARENT_LEVEL = {
    Level.DISTRICT: Level.CITY,
    Level.STREET: Level.DISTRICT,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
}


def validate_code(code: str, level: int, parent_code: str | None) -> None:
    """The reference's code rule: digits, the level's length, the parent's prefix."""
    level = Level(level)
    length = CODE_LENGTH[level]
    if not re.fullmatch(r"[0-9]+", code or ""):  # ASCII: \d would take "３" or "٣"
        raise ValidationError({"code": _("A code is made of digits only.")})
    if len(code) != length:
        raise ValidationError(
            {
                "code": _("A %(level)s code has %(length)d digits; %(code)s has %(actual)d.")
                % {"level": level.label, "length": length, "code": code, "actual": len(code)}
            }
        )
    if level == Level.CITY:
        if parent_code is not None:
            raise ValidationError({"parent": _("A city is the top of the tree: no parent.")})
        return
    if parent_code is None:
        raise ValidationError(
            {
                "parent": _("A %(level)s needs a parent %(parent)s.")
                % {"level": level.label, "parent": PARENT_LEVEL[level].label}
            }
        )
    # A district shares its city's 4-digit prefix (GB/T 2260); lower levels extend the parent.
    prefix = parent_code[:4] if level == Level.DISTRICT else parent_code
    if not code.startswith(prefix) or code == parent_code:
        raise ValidationError(
            {
                "code": _("Code %(code)s does not continue its parent's code %(parent)s.")
                % {"code": code, "parent": parent_code}
            }
        )
    if code[len(prefix) :].strip("0") == "" and level != Level.DISTRICT:
        raise ValidationError({"code": _("The last digits of a code may not all be zero.")})


class AreaQuerySet(models.QuerySet["Area"]):
    def active(self) -> AreaQuerySet:
        return self.filter(retired_at__isnull=True)

    def grids(self) -> AreaQuerySet:
        return self.filter(level=Level.GRID)

    def under(self, area: Area, *, include_self: bool = True) -> AreaQuerySet:
        """Everything beneath an area: one indexed prefix query on the materialised path."""
        queryset = self.filter(path__startswith=area.path)
        return queryset if include_self else queryset.exclude(pk=area.pk)


def localised_name(name: str, name_en: str) -> str:
    """`name_en` when the active language is English and it is set, else the Chinese name."""
    language = get_language() or "zh-hans"
    return name_en if language.startswith("en") and name_en else name


class Area(models.Model):
    """A node of the governance tree. Its `path` is its ancestors' codes and its own."""

    code = models.CharField(_("code"), max_length=15)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=80, db_index=True, editable=False)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(retired_at__isnull=True),
                name="area_active_code_unique",
            ),
        ]
        permissions = [
            ("see_cases", _("See the cases in this area")),
            ("report_cases", _("File cases from patrol or on a caller's behalf")),
            ("intake_cases", _("Accept, reject and merge submitted cases")),
            ("dispatch_cases", _("Dispatch cases to departments")),
            ("verify_cases", _("Verify handled cases on site and close them")),
            ("escalate_cases", _("Supervise and escalate cases")),
            ("see_personal_data", _("See reporters' personal data")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent_id else "/") + f"{self.code}/"
        if self.boundary:
            self.min_lon, self.min_lat, self.max_lon, self.max_lat = bounding_box(
                parse_boundary(self.boundary)
            )
        else:
            self.min_lon = self.min_lat = self.max_lon = self.max_lat = None
        super().save(*args, **kwargs)

    def clean(self) -> None:
        parent_code = self.parent.code if self.parent_id else None
        expected = PARENT_LEVEL.get(Level(self.level))  # None for a city: validate_code says so
        if self.parent_id and expected is not None and self.parent.level != expected:
            raise ValidationError(
                {
                    "parent": _("A %(level)s must sit under a %(expected)s.")
                    % {
                        "level": Level(self.level).label,
                        "expected": PARENT_LEVEL[Level(self.level)].label,
                    }
                }
            )
        validate_code(self.code, self.level, parent_code)
        if self.level == Level.GRID and not self.boundary:
            raise ValidationError({"boundary": _("A grid needs a boundary.")})
        if self.boundary:
            try:
                parse_boundary(self.boundary)
            except ValidationError as error:
                raise ValidationError({"boundary": error.messages}) from None

    @property
    def display_name(self) -> str:
        """The area's name in the active language: the one place that chooses it."""
        return localised_name(self.name, self.name_en)

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def ancestors(self) -> AreaQuerySet:
        codes = [code for code in self.path.strip("/").split("/") if code]
        return Area.objects.filter(code__in=codes, retired_at__isnull=True).order_by("level")
