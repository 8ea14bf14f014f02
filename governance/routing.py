"""Routing a point to the active grid that contains it.

Every process keeps an STRtree over the active grids' polygons. Saving or deleting an area bumps
a random version token in the cache (Redis in production; random, so a flushed cache never
brings back a token some process already holds); each process compares its own index with
that version at most once a second and rebuilds when it changed. A point on a border shared by
two grids goes to the grid with the smaller code, every time; a point in no grid gets `None`,
which the caller files in the city-level unrouted queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.strtree import STRtree

from governance.models import Area, Level
from governance.versioned import VersionedCopy

VERSION_KEY = "routing:grid-index-version"


def validate_point(lon: object, lat: object) -> tuple[float, float]:
    """Coordinates as floats, or a ValidationError naming what is wrong."""
    errors: dict[str, str] = {}
    values: dict[str, float] = {}
    for name, value, limit in (("lon", lon, 180.0), ("lat", lat, 90.0)):
        if value is None or value == "":
            errors[name] = _("This coordinate is required.")
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[name] = _("Enter a number.")
            continue
        if not math.isfinite(number) or not -limit <= number <= limit:
            errors[name] = _("Must be between −%(limit)s and %(limit)s.") % {"limit": int(limit)}
            continue
        values[name] = number
    if errors:
        raise ValidationError(errors)
    return values["lon"], values["lat"]


# A point closer than this (in degrees, about 0.1 mm) to a grid's edge is left to GEOS.
_EDGE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class _Buckets:
    """A raster over the grids: most cells lie inside one grid and answer without geometry.

    A cell holds the position of the grid whose interior contains it, or −1 (no grid), or
    −2 − k: the k-th tuple of candidate grids (in code order) that cross it, whose rings are
    tested in plain Python. Shapely's per-call overhead (several µs to make a Point) would
    otherwise dominate the lookup.
    """

    x0: float
    y0: float
    size: float
    nx: int
    ny: int
    cells: list[int]
    candidates: list[tuple[int, ...]]
    rings: list[list[list[tuple[float, float]]]]

    @classmethod
    def build(cls, geometries: list) -> _Buckets | None:
        if not geometries:
            return None
        array = np.array(geometries, dtype=object)
        bounds = shapely.bounds(array)
        x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        extent = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        size = float(np.median(extent)) / 6 or 1e-6
        nx = int((bounds[:, 2].max() - x0) // size) + 1
        ny = int((bounds[:, 3].max() - y0) // size) + 1
        if nx * ny > 4_000_000:  # a pathological spread of grids: keep the memory bounded
            size *= math.sqrt(nx * ny / 4_000_000)
            nx = int((bounds[:, 2].max() - x0) // size) + 1
            ny = int((bounds[:, 3].max() - y0) // size) + 1
        owners, xs, ys = [], [], []
        for position, (bx0, by0, bx1, by1) in enumerate(bounds):
            ix = np.arange(int((bx0 - x0) // size), int((bx1 - x0) // size) + 1)
            iy = np.arange(int((by0 - y0) // size), int((by1 - y0) // size) + 1)
            gx, gy = np.meshgrid(ix, iy)
            owners.append(np.full(gx.size, position))
            xs.append(gx.ravel())
            ys.append(gy.ravel())
        owner = np.concatenate(owners)
        ix_all, iy_all = np.concatenate(xs), np.concatenate(ys)
        boxes = shapely.box(
            x0 + ix_all * size,
            y0 + iy_all * size,
            x0 + (ix_all + 1) * size,
            y0 + (iy_all + 1) * size,
        )
        hits = shapely.intersects(array[owner], boxes)
        inside = shapely.contains_properly(array[owner], boxes)
        crossing: dict[int, list[int]] = {}
        interior: dict[int, int] = {}
        for position, key, hit, whole in zip(
            owner.tolist(),
            (iy_all * nx + ix_all).tolist(),
            hits.tolist(),
            inside.tolist(),
            strict=True,
        ):
            if whole:
                interior[key] = position
            elif hit:
                crossing.setdefault(key, []).append(position)
        cells = [-1] * (nx * ny)
        candidates: list[tuple[int, ...]] = []
        for key, positions in crossing.items():
            if key in interior:  # inside one grid's interior: nothing else can hold it
                continue
            cells[key] = -2 - len(candidates)
            candidates.append(tuple(sorted(positions)))
        for key, position in interior.items():
            cells[key] = position
        rings = [
            [
                list(ring.coords)
                for polygon in shapely.get_parts(geometry)
                for ring in (polygon.exterior, *polygon.interiors)
            ]
            for geometry in geometries
        ]
        return cls(x0, y0, size, nx, ny, cells, candidates, rings)

    def lookup(self, lon: float, lat: float) -> int | bool | None:
        """The grid's position, None for no grid, or False when GEOS must decide."""
        ix = int((lon - self.x0) // self.size)
        iy = int((lat - self.y0) // self.size)
        if not (0 <= ix < self.nx and 0 <= iy < self.ny):
            return None
        cell = self.cells[iy * self.nx + ix]
        if cell >= 0:
            return cell
        if cell == -1:
            return None
        for position in self.candidates[-2 - cell]:
            inside = _point_in_rings(self.rings[position], lon, lat)
            if inside is None:
                return False
            if inside:
                return position
        return None


def _point_in_rings(rings: list[list[tuple[float, float]]], x: float, y: float) -> bool | None:
    """Even-odd test over all rings; None when the point is too close to an edge to tell."""
    inside = False
    for ring in rings:
        x1, y1 = ring[0]
        for x2, y2 in ring[1:]:
            if (
                min(x1, x2) - _EDGE_TOLERANCE <= x <= max(x1, x2) + _EDGE_TOLERANCE
                and min(y1, y2) - _EDGE_TOLERANCE <= y <= max(y1, y2) + _EDGE_TOLERANCE
                and abs((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1))
                <= _EDGE_TOLERANCE * (abs(x2 - x1) + abs(y2 - y1))
            ):
                return None
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
            x1, y1 = x2, y2
    return inside


@dataclass(frozen=True)
class GridIndex:
    tree: STRtree
    area_ids: np.ndarray
    geometries: list
    version: str
    buckets: _Buckets | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def build(cls, version: str) -> GridIndex:
        # Smaller codes first, so a border point resolves to the first candidate in this order.
        rows = list(
            Area.objects.active()
            .grids()
            .exclude(boundary=None)
            .order_by("code")
            .values_list("pk", "boundary")
        )
        geometries = [shape(boundary) for _pk, boundary in rows]
        for geometry in geometries:
            shapely.prepare(geometry)
        ids = tuple(pk for pk, _b in rows)
        return cls(
            STRtree(geometries),
            np.array(ids, dtype=np.int64),
            geometries,
            version,
            _Buckets.build(geometries),
            ids,
        )

    def locate(self, lon: float, lat: float) -> int | None:
        """The id of the grid covering the point (border included), or None."""
        if self.buckets is not None:
            found = self.buckets.lookup(lon, lat)
            if found is None:
                return None
            if found is not False:
                return self.ids[found]
        return self.locate_exact(lon, lat)

    def locate_exact(self, lon: float, lat: float) -> int | None:
        """The same answer through the STRtree and GEOS predicates (slower, always exact)."""
        candidates = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(candidates) == 0:
            return None
        return int(self.area_ids[candidates.min()])


# Rebuilt only when the shared version changes (20,000 polygons take seconds to prepare).
grid_copy: VersionedCopy[GridIndex] = VersionedCopy(VERSION_KEY, GridIndex.build, max_age=None)


def grid_index() -> GridIndex:
    return grid_copy.get()


def areas_changed() -> None:
    """Grids changed: drop this process's index now, and tell the others once committed."""
    grid_copy.changed()


def route_point(lon: float, lat: float) -> Area | None:
    """The active grid containing (lon, lat), or None for the city's unrouted queue."""
    lon, lat = validate_point(lon, lat)
    area_id = grid_index().locate(lon, lat)
    return None if area_id is None else Area.objects.get(pk=area_id)


def city_for_unrouted() -> Area | None:
    return Area.objects.active().filter(level=Level.CITY).order_by("code").first()
