"""Things, datastreams and readings for the rules' tests: readings go through the observers
seam exactly as ingest hands them over (inside a transaction)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from sensing.models import Datastream, Location, ObservedProperty, Rule, Sensor, Thing
from sensing.observers import Reading, notify

T0 = datetime.fromisoformat("2026-06-01T08:00:00+08:00")


def make_stream(
    city,
    *,
    name: str = "井盖 A-1",
    point: tuple[float, float] | None = None,
    grid=None,
    component=None,
    prop: str = "tilt",
    unit: str = "°",
) -> Datastream:
    lon, lat = point or city.point_a
    location = Location.objects.create(name=f"{name} 位置", lon=lon, lat=lat)
    thing = Thing.objects.create(
        name=name,
        location=location,
        area=grid or city.grid_a,
        component=component if component is not None else city.urgent_category,
    )
    sensor, _ = Sensor.objects.get_or_create(name="test sensor")
    observed, _ = ObservedProperty.objects.get_or_create(name=prop)
    return Datastream.objects.create(
        name=f"{name} {prop}",
        thing=thing,
        sensor=sensor,
        observed_property=observed,
        unit_symbol=unit,
    )


def make_rule(stream: Datastream | None = None, **fields) -> Rule:
    defaults = {"name": "井盖倾斜", "kind": "threshold", "trip_at": 20.0, "clear_at": 10.0}
    if stream is not None:
        defaults["datastream"] = stream
    defaults.update(fields)
    rule = Rule(**defaults)
    rule.full_clean()
    rule.save()
    return rule


def feed(stream: Datastream, *values: float | None, start: datetime = T0, step: int = 60) -> None:
    """One batch: `values` one `step` seconds apart from `start`."""
    readings = [
        Reading(stream.pk, stream.thing_id, start + timedelta(seconds=i * step), v)
        for i, v in enumerate(values)
    ]
    with transaction.atomic():
        notify(readings)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)
