"""Where an upstream alert applies, in our areas: its geocodes where they are our area codes,
else its polygons and circles resolved to the active grids they overlap."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely import affinity
from shapely.geometry import Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from emergency.cap.reading import Alert
from governance.geometry import parse_boundary
from governance.models import Area

KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Places:
    areas: list[Area]
    how: str  # "geocode", "polygon" or "" (none of ours)
    drawn: dict | None  # the alert's own shapes as GeoJSON (when it had any)


def _pairs(text: str) -> list[tuple[float, float]]:
    """CAP's "lat,lon lat,lon …" as (lon, lat) points."""
    points = []
    for pair in text.split():
        lat, lon = (float(value) for value in pair.split(","))
        points.append((lon, lat))
    return points


def polygon_shape(text: str) -> BaseGeometry | None:
    try:
        points = _pairs(text)
    except ValueError:
        return None
    if len(points) < 4:
        return None
    shape = Polygon(points)
    return shape if shape.is_valid else shape.buffer(0)


def circle_shape(text: str) -> BaseGeometry | None:
    """CAP's "lat,lon radius-in-km" as an (approximate) polygon."""
    try:
        centre, radius = text.split()
        ((lon, lat),) = _pairs(centre)
        kilometres = float(radius)
    except ValueError:
        return None
    if kilometres <= 0:
        return None
    degrees = kilometres / KM_PER_DEGREE
    circle = Point(lon, lat).buffer(degrees, 32)
    return affinity.scale(circle, xfact=1 / max(math.cos(math.radians(lat)), 0.01), yfact=1)


def _outermost(areas: list[Area]) -> list[Area]:
    """Drop the areas beneath another one in the list (an affected area is a whole subtree)."""
    paths = [area.path for area in areas]
    return [
        area
        for area in areas
        if not any(area.path != path and area.path.startswith(path) for path in paths)
    ]


def grids_overlapping(shape: BaseGeometry) -> list[Area]:
    """The active grids whose interiors the shape overlaps (a shared edge is not enough)."""
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    candidates = (
        Area.objects.active()
        .grids()
        .filter(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat)
        .filter(max_lat__gte=min_lat)
        .order_by("code")
    )
    overlapping = []
    for grid in candidates:
        boundary = parse_boundary(grid.boundary)
        if shape.intersects(boundary) and not shape.touches(boundary):
            overlapping.append(grid)
    return overlapping


def resolve(alert: Alert) -> Places:
    codes = {value for info in alert.infos for area in info.areas for _name, value in area.geocodes}
    shapes = [
        shape
        for info in alert.infos
        for area in info.areas
        for shape in [
            *(polygon_shape(text) for text in area.polygons),
            *(circle_shape(text) for text in area.circles),
        ]
        if shape is not None and not shape.is_empty
    ]
    drawn = mapping(unary_union(shapes)) if shapes else None
    if codes:
        found = list(Area.objects.active().filter(code__in=codes).order_by("path"))
        if found:
            return Places(_outermost(found), "geocode", drawn)
    if shapes:
        grids = grids_overlapping(unary_union(shapes))
        if grids:
            return Places(grids, "polygon", drawn)
    return Places([], "", drawn)
