"""Finding a place with what the platform knows: its areas, by name or by a point.

There is no geocoding service (the site runs without the internet), so a typed place is
matched against the area tree's names — Chinese and English, at every level from district to
grid. A typed address ("青湖区东街道 12 号") usually contains an area's name: when no name
contains the text, the areas whose names the text contains are offered, the most precise
first. A point (the browser's "use my location") is answered with the grid that contains it,
through the same routing index that files requests, or with "outside every grid".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from governance.models import Area, Level
from governance.models.area import localised_name
from governance.routing import grid_index

MATCH_LIMIT = 8
# Shorter names would match too much of an address ("区", "East").
_MIN_NAME = {"zh": 2, "en": 4}


@dataclass(frozen=True)
class Place:
    """An area as a place to look at: its name, level, and the box the map shows."""

    code: str
    name: str  # in the reader's language
    level: int
    level_label: str
    path: str
    box: tuple[float, float, float, float] | None  # min lon, min lat, max lon, max lat

    @property
    def lon(self) -> float | None:
        return (self.box[0] + self.box[2]) / 2 if self.box else None

    @property
    def lat(self) -> float | None:
        return (self.box[1] + self.box[3]) / 2 if self.box else None

    @classmethod
    def of(cls, row: dict) -> Place:
        box = None
        if row["min_lon"] is not None:
            box = (row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"])
        return cls(
            code=row["code"],
            name=localised_name(row["name"], row["name_en"]),
            level=row["level"],
            level_label=str(Level(row["level"]).label),
            path=row["path"],
            box=box,
        )


_COLUMNS = ("code", "name", "name_en", "level", "path", "min_lon", "min_lat", "max_lon", "max_lat")


def _areas():
    """Active areas below the city (the city is everywhere: not a place to look at)."""
    return Area.objects.active().filter(level__gt=Level.CITY)


def find_places(text: str, *, limit: int = MATCH_LIMIT) -> list[Place]:
    """Areas matching a typed name or address, the most precise first (none: say so)."""
    text = " ".join(text.split())[:100]
    if not text:
        return []
    rows = list(
        _areas()
        .filter(Q(name__icontains=text) | Q(name_en__icontains=text) | Q(code=text))
        .order_by("-level", "code")
        .values(*_COLUMNS)[:limit]
    )
    if not rows:
        rows = _named_in(text, limit=limit)
    return [Place.of(row) for row in rows]


def _named_in(text: str, *, limit: int) -> list[dict]:
    """Areas whose name the text contains (a typed address): deepest and longest first.

    Reads every active area's names (not its boundary): a few thousand short rows."""
    lowered = text.lower()
    found = []
    for row in _areas().values(*_COLUMNS):
        name, name_en = row["name"], row["name_en"].lower()
        if (len(name) >= _MIN_NAME["zh"] and name in text) or (
            len(name_en) >= _MIN_NAME["en"] and name_en in lowered
        ):
            found.append(row)
    found.sort(key=lambda r: (-r["level"], -len(r["name"]), r["code"]))
    # "青湖区东街道 12 号" names the district and the street: the street is the place meant.
    deepest = [
        r for r in found if not any(o["path"].startswith(r["path"]) and o is not r for o in found)
    ]
    return deepest[:limit]


def place_of(code: str) -> Place | None:
    """The active area with this code, as a place."""
    row = _areas().filter(code=code).values(*_COLUMNS).first() if code else None
    return Place.of(row) if row else None


def grid_at(lon: float, lat: float) -> Place | None:
    """The grid containing the point, or None when it is outside every grid."""
    area_id = grid_index().locate(lon, lat)
    if area_id is None:
        return None
    row = Area.objects.filter(pk=area_id).values(*_COLUMNS).first()
    return Place.of(row) if row else None
