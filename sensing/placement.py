"""Placing a thing in a grid: the same routing as cases, from its location."""

from __future__ import annotations

from governance.routing import route_point
from sensing.models import Location, Thing


def place_thing(thing: Thing) -> None:
    """Set `thing.area` from its location's point (None when outside every grid). Unsaved."""
    location: Location | None = thing.location
    thing.area = route_point(location.lon, location.lat) if location is not None else None


def place_things_at(location: Location) -> int:
    """Re-place the things at a moved location; returns how many changed grid."""
    area = route_point(location.lon, location.lat)
    return (
        Thing.objects.filter(location=location).exclude(area=area).update(area=area)
        if area is not None
        else Thing.objects.filter(location=location).exclude(area=None).update(area=None)
    )
