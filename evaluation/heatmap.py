"""The cockpit's heatmap: cases counted per cell of a regular lon/lat grid over an area.

Counted in the database (one GROUP BY over the person's cases, `governance.access.cases_for`),
so the browser receives a few hundred cells, never the cases themselves: no point of any case,
private or not, leaves the server, and a district's month of thousands of cases costs one small
JSON document. The map draws each cell as a rectangle shaded by its count (Leaflet, bundled).
"""

from __future__ import annotations

import math
from datetime import datetime

from django.db.models import Count, F, IntegerField
from django.db.models.functions import Cast, Floor

from governance.access import Action, Person, cases_for
from governance.models import Area
from governance.paths import at_or_beneath

CELLS_ACROSS = 24  # cells along the longer side of the area's bounding box
MAX_CELLS = CELLS_ACROSS * CELLS_ACROSS


def cell_size(area: Area) -> float | None:
    """The side of a cell in degrees for `area` (None when the area has no boundary)."""
    if area.min_lon is None or area.max_lon is None or area.min_lat is None:
        return None
    span = max(area.max_lon - area.min_lon, area.max_lat - area.min_lat)
    return span / CELLS_ACROSS if span > 0 else None


def heat_cells(*, user: Person, area: Area, start: datetime, end: datetime) -> dict[str, object]:
    """Cells of `area` with the number of cases submitted in [start, end) that `user` may see,
    under the area: {"size", "cells": [[west, south, east, north, count], …], "max"}."""
    size = cell_size(area)
    if size is None:
        return {"size": None, "cells": [], "max": 0}
    west, south = area.min_lon, area.min_lat
    rows = (
        cases_for(user, Action.VIEW, as_staff=True)
        .filter(
            at_or_beneath(area.path),
            created_at__gte=start,
            created_at__lt=end,
            lon__gte=area.min_lon,
            lon__lte=area.max_lon,
            lat__gte=area.min_lat,
            lat__lte=area.max_lat,
        )
        .annotate(
            col=Cast(Floor((F("lon") - west) / size), IntegerField()),
            row=Cast(Floor((F("lat") - south) / size), IntegerField()),
        )
        .values("col", "row")
        .annotate(n=Count("pk"))
        .order_by("row", "col")
    )
    cells = []
    for item in rows[:MAX_CELLS]:
        col = min(item["col"], CELLS_ACROSS)
        row = min(item["row"], CELLS_ACROSS)
        x0, y0 = west + col * size, south + row * size
        cells.append([_round(x0), _round(y0), _round(x0 + size), _round(y0 + size), item["n"]])
    return {
        "size": _round(size),
        "cells": cells,
        "max": max((c[4] for c in cells), default=0),
        "bounds": [area.min_lon, area.min_lat, area.max_lon, area.max_lat],
    }


def _round(value: float) -> float:
    return math.floor(value * 1e6 + 0.5) / 1e6
