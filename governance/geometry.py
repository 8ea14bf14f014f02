"""GeoJSON boundaries: validation with messages a person can act on."""

from __future__ import annotations

import math
from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

BBox = tuple[float, float, float, float]


def _check_position(position: Any, where: str) -> None:
    if (
        not isinstance(position, list | tuple)
        or len(position) < 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
    ):
        raise ValidationError(
            _("%(where)s: a position must be [longitude, latitude].") % {"where": where}
        )
    lon, lat = position[0], position[1]
    if (
        not (math.isfinite(lon) and math.isfinite(lat))
        or not (-180 <= lon <= 180)
        or not (-90 <= lat <= 90)
    ):
        raise ValidationError(
            _("%(where)s: position %(pos)s is outside longitude −180…180 / latitude −90…90.")
            % {"where": where, "pos": list(position[:2])}
        )


def _check_ring(ring: Any, where: str) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("%(where)s: a ring needs at least 4 positions.") % {"where": where})
    for index, position in enumerate(ring):
        _check_position(position, f"{where}, position {index}")
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise ValidationError(
            _("%(where)s is not closed: its first and last positions differ.") % {"where": where}
        )


def _check_polygon(rings: Any, where: str) -> None:
    if not isinstance(rings, list) or not rings:
        raise ValidationError(_("%(where)s: a polygon needs at least one ring.") % {"where": where})
    for index, ring in enumerate(rings):
        label = _("outer ring") if index == 0 else _("hole %(n)d") % {"n": index}
        _check_ring(ring, f"{where} {label}")


def parse_boundary(geojson: Any) -> BaseGeometry:
    """Validate a GeoJSON Polygon or MultiPolygon and return it as a shapely geometry."""
    if not isinstance(geojson, dict):
        raise ValidationError(_("The boundary must be a GeoJSON geometry object."))
    kind = geojson.get("type")
    coordinates = geojson.get("coordinates")
    if kind == "Polygon":
        _check_polygon(coordinates, _("Polygon"))
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(_("A MultiPolygon needs at least one polygon."))
        for index, polygon in enumerate(coordinates):
            _check_polygon(polygon, _("Polygon %(n)d") % {"n": index + 1})
    else:
        raise ValidationError(
            _("The boundary must be a Polygon or MultiPolygon, not %(kind)s.") % {"kind": kind}
        )
    geometry = shape(geojson)
    # Before validity: shapely calls a flat ring a self-intersection, which misleads. (A bow-tie
    # also has zero signed area, but not a flat hull: it is reported as self-intersecting.)
    if geometry.convex_hull.area == 0:
        raise ValidationError(_("The boundary encloses no area."))
    if not geometry.is_valid:
        raise ValidationError(
            _("The boundary is not a valid shape: %(reason)s.")
            % {"reason": explain_validity(geometry)}
        )
    return geometry


def bounding_box(geometry: BaseGeometry) -> BBox:
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    return (min_lon, min_lat, max_lon, max_lat)


def to_geojson(geometry: BaseGeometry) -> dict[str, Any]:
    return shapely.geometry.mapping(geometry)  # type: ignore[return-value]
