"""Helpers for the patrol tests: points walked through grid A, and a planted patrol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from gridwork import patrolling
from gridwork.models import CheckIn, KeyPlace, Patrol
from tests.factories import City, Personas
from tests.uploads import png_bytes, upload

# Grid A spans 120.00–120.05 × 30.00–30.05 (a hole around 120.025, 30.025).
START = (120.010, 30.010)
STEP = 0.0005  # about 48 m of longitude at latitude 30


def walk(
    start_t: datetime, n: int, *, every_s: int = 60, first: int = 0, acc: float = 10
) -> list[dict]:
    """`n` points eastwards along latitude 30.010, one every `every_s` seconds."""
    return [
        {
            "t": (start_t + timedelta(seconds=every_s * (first + i + 1))).isoformat(),
            "lon": round(START[0] + STEP * (first + i), 7),
            "lat": START[1],
            "acc": acc,
        }
        for i in range(n)
    ]


def key_place(city: City, *, lon: float = 120.0105, lat: float = 30.0102) -> KeyPlace:
    place = KeyPlace(kind="hazard", name="加油站", lon=lon, lat=lat)
    place.grid, place.area_path = city.grid_a, city.grid_a.path
    place.save()
    return place


@dataclass
class PlantedPatrol:
    patrol: Patrol
    key_place: KeyPlace
    check_in: CheckIn


def plant_patrol(city: City, people: Personas) -> PlantedPatrol:
    """Officer A on patrol in grid A: a few points, a check-in with a photo."""
    patrol = patrolling.start_patrol(
        officer=people.officer_a, now=timezone.now() - timedelta(hours=1)
    )
    patrolling.record_points(patrol, walk(patrol.started_at, 3, every_s=5, acc=30), batch="b1")
    place = key_place(city)
    visit = patrolling.check_in(
        patrol=patrol,
        actor=people.officer_a,
        key_place=place,
        lon=START[0],
        lat=START[1],
        note="油罐区正常",
        photos=[upload("tank.png", png_bytes((64, 48)), "image/png")],
    )
    return PlantedPatrol(patrol, place, visit)
