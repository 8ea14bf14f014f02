"""Placing a registry record in a grid: the same routing as cases (`route_point`).

A record with a point goes to the grid containing it; one without a point to the grid it was
given (or its building's); one outside every grid to the city (as an unrouted case does), seen
by who holds the city.
"""

from __future__ import annotations

from governance.models import Area
from governance.routing import city_for_unrouted, route_point
from gridwork.models import Building, Household, Resident
from gridwork.models.places import Placed


def grid_at(lon: float | None, lat: float | None) -> Area | None:
    if lon is None or lat is None:
        return None
    return route_point(lon, lat)


def place(record: Placed, *, grid: Area | None = None) -> Placed:
    """Set `record.grid` and `record.area_path` (not saved)."""
    if isinstance(record, Resident) and record.building_id:
        return copy_building_place(record, record.building)
    found = grid_at(getattr(record, "lon", None), getattr(record, "lat", None))
    found = found or grid or (record.grid if record.grid_id else None)
    if found is not None:
        record.grid, record.area_path = found, found.path
        return record
    city = city_for_unrouted()
    record.grid, record.area_path = None, city.path if city else ""
    return record


def place_household(household: Household) -> Household:
    household.area_path = household.building.area_path
    return household


def copy_building_place(resident: Resident, building: Building) -> Resident:
    resident.building = building
    resident.grid_id, resident.area_path = building.grid_id, building.area_path
    return resident
