"""Things on the test city: a manhole-cover tilt sensor in grid A, a water-level gauge in grid B,
each with its own device; a bin in grid A with a text (category) stream."""

from __future__ import annotations

from dataclasses import dataclass

from governance.models import Category
from sensing import directory, live, partitions
from sensing.models import (
    Datastream,
    Device,
    Location,
    ObservationType,
    ObservedProperty,
    Sensor,
    Thing,
)
from sensing.things import new_device
from tests.factories import City


@dataclass
class Fleet:
    cover: Thing
    tilt: Datastream
    cover_device: Device
    cover_token: str
    gauge: Thing
    level: Datastream
    gauge_device: Device
    gauge_token: str
    bin_state: Datastream


def make_fleet(city: City) -> Fleet:
    directory.forget()
    live.forget()
    partitions.forget()
    component = Category.objects.create(
        family="component",
        code="comp-0101",
        name="污水井盖",
        name_en="Sewage manhole cover",
        general_limit=4,
    )
    sensor = Sensor.objects.create(name="倾角传感器 TILT-1")
    tilt_property = ObservedProperty.objects.create(name="tilt", definition="urn:tilt")
    level_property = ObservedProperty.objects.create(name="water level")
    cover_device, cover_token = new_device(name="cover-001")
    gauge_device, gauge_token = new_device(name="gauge-001")
    cover = Thing.objects.create(
        name="井盖 A-1",
        location=Location.objects.create(name="A-1", lon=city.point_a[0], lat=city.point_a[1]),
        area=city.grid_a,
        component=component,
        device=cover_device,
    )
    gauge = Thing.objects.create(
        name="水位计 B-1",
        location=Location.objects.create(name="B-1", lon=city.point_b[0], lat=city.point_b[1]),
        area=city.grid_b,
        device=gauge_device,
    )
    tilt = Datastream.objects.create(
        name="倾角",
        thing=cover,
        sensor=sensor,
        observed_property=tilt_property,
        unit_name="degree",
        unit_symbol="°",
    )
    level = Datastream.objects.create(
        name="水位",
        thing=gauge,
        sensor=sensor,
        observed_property=level_property,
        unit_name="metre",
        unit_symbol="m",
    )
    bin_state = Datastream.objects.create(
        name="状态",
        thing=cover,
        sensor=sensor,
        observed_property=tilt_property,
        observation_type=ObservationType.CATEGORY,
    )
    return Fleet(
        cover, tilt, cover_device, cover_token, gauge, level, gauge_device, gauge_token, bin_state
    )
