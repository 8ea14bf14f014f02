"""How complete the registry is, per grid: counts and the share of residents with an id
number, a phone and a household — read through `records_for`, one grouped query per model."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from governance.models import Area, Level
from governance.paths import at_or_beneath_any
from gridwork.access import Person, RecordAction, records_for
from gridwork.models import Building, Household, Resident


@dataclass
class GridCoverage:
    area: Area | None  # None: records outside every grid
    buildings: int = 0
    households: int = 0
    residents: int = 0
    with_id: int = 0
    with_phone: int = 0
    with_household: int = 0

    def share(self, count: int) -> int:
        return round(100 * count / self.residents) if self.residents else 0

    @property
    def id_share(self) -> int:
        return self.share(self.with_id)

    @property
    def phone_share(self) -> int:
        return self.share(self.with_phone)

    @property
    def household_share(self) -> int:
        return self.share(self.with_household)

    @property
    def completeness(self) -> int:
        """The mean of the three shares."""
        return round((self.id_share + self.phone_share + self.household_share) / 3)


def registry_coverage(*, user: Person, area: Area | None = None) -> list[GridCoverage]:
    """One row per grid holding records the person may see (beneath `area` if given)."""

    def scoped(model):
        records = records_for(user, model, RecordAction.VIEW)
        if area is not None:
            records = records.filter(at_or_beneath_any([area.path]))
        return records.order_by()

    rows: dict[int | None, GridCoverage] = {}
    residents = (
        scoped(Resident)
        .values("grid")
        .annotate(
            residents=Count("pk"),
            with_id=Count("pk", filter=~Q(id_hash="")),
            with_phone=Count("pk", filter=~Q(phone="")),
            with_household=Count("pk", filter=Q(household__isnull=False)),
        )
    )
    for found in residents:
        row = rows.setdefault(found["grid"], GridCoverage(None))
        for key in ("residents", "with_id", "with_phone", "with_household"):
            setattr(row, key, found[key])
    for found in scoped(Building).values("grid").annotate(n=Count("pk")):
        rows.setdefault(found["grid"], GridCoverage(None)).buildings = found["n"]
    for found in scoped(Household).values("building__grid").annotate(n=Count("pk")):
        rows.setdefault(found["building__grid"], GridCoverage(None)).households = found["n"]
    areas = Area.objects.filter(pk__in=[pk for pk in rows if pk is not None], level=Level.GRID)
    for grid in areas.defer("boundary"):
        rows[grid.pk].area = grid
    return sorted(rows.values(), key=lambda r: r.area.path if r.area else "~")
