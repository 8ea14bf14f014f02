"""The demo city's sensors: things on its grids (manhole covers with tilt sensors, lamps, bins, a
water level gauge, building meters) with three days of readings stored through ingest (so the
rollups, the latest values and the rules run as in production), the rules, one active alarm
with its case and one cleared; and six weeks of the meters' hourly rollups with their daily
carbon rows, so the carbon page compares this month with the last on the first run.

Run from `seed_demo` (the `stories_told` signal, inside its transaction) or `manage.py
seed_sensing` for a city seeded before; a second run adds nothing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from governance import clock
from governance.models import Area, Category, Level
from governance.routing import route_point
from sensing import carbon, partitions
from sensing.ingest import RawReading, store_readings
from sensing.models import (
    Bucket,
    Datastream,
    Location,
    Meter,
    ObservedProperty,
    Rollup,
    Rule,
    Sensor,
    Thing,
)

READING_DAYS = 3
CARBON_DAYS = 45  # back from today: the whole of last month, whatever today's date
STEP = timedelta(minutes=30)


def seeded() -> bool:
    return Thing.objects.filter(properties__demo=True).exists()


def _grids() -> list[Area]:
    return list(
        Area.objects.active()
        .filter(level=Level.GRID, min_lon__isnull=False)
        .defer("boundary")
        .order_by("code")[:4]
    )


def _point(grid: Area, dx: float, dy: float) -> tuple[float, float]:
    """A point inside the grid's box, `dx`/`dy` of the way across (routed afterwards)."""
    lon = grid.min_lon + (grid.max_lon - grid.min_lon) * dx
    lat = grid.min_lat + (grid.max_lat - grid.min_lat) * dy
    return round(lon, 6), round(lat, 6)


class _Builder:
    def __init__(self) -> None:
        self.sensor, _ = Sensor.objects.get_or_create(
            name="演示传感器", defaults={"description": "demo"}
        )
        self.properties: dict[str, ObservedProperty] = {}
        self.categories = {c.code: c for c in Category.objects.filter(family="component")}

    def prop(self, name: str) -> ObservedProperty:
        if name not in self.properties:
            self.properties[name], _ = ObservedProperty.objects.get_or_create(name=name)
        return self.properties[name]

    def thing(
        self, name: str, grid: Area, where: tuple[float, float], component: str | None
    ) -> Thing:
        lon, lat = _point(grid, *where)
        location = Location.objects.create(name=name, lon=lon, lat=lat)
        return Thing.objects.create(
            name=name,
            location=location,
            area=route_point(lon, lat) or grid,
            component=self.categories.get(component or ""),
            properties={"demo": True},
        )

    def stream(self, thing: Thing, prop: str, unit: str) -> Datastream:
        return Datastream.objects.create(
            name=f"{thing.name} · {prop}",
            thing=thing,
            sensor=self.sensor,
            observed_property=self.prop(prop),
            unit_symbol=unit,
        )


def seed_sensing(*, now: datetime) -> bool:
    """Add the demo's sensors to a loaded demo city, once; False if there was nothing to do."""
    grids = _grids()
    if seeded() or len(grids) < 3:
        return False
    rng = random.Random(15)
    with transaction.atomic(), clock.travel(now):
        carbon.seed_factors()
        b = _Builder()
        g0, g1, g2 = grids[0], grids[1], grids[2]
        covers = [
            b.thing("污水井盖 HB-001", g0, (0.3, 0.4), "component-0102"),
            b.thing("污水井盖 HB-002", g0, (0.6, 0.5), "component-0102"),
            b.thing("雨水井盖 HB-101", g1, (0.5, 0.5), "component-0103"),
        ]
        lamps = [
            b.thing(f"路灯 LD-0{i}", g, (0.4, 0.7), "component-0118") for i, g in [(1, g0), (2, g1)]
        ]
        bins = [
            b.thing(f"垃圾箱 LJ-0{i}", g, (0.7, 0.3), "component-0305")
            for i, g in [(1, g0), (2, g1)]
        ]
        gauge = b.thing("积水水位计 SW-01", g2, (0.5, 0.5), "component-0104")
        tilt = [b.stream(t, "倾角", "°") for t in covers]
        current = [b.stream(t, "路灯电流", "A") for t in lamps]
        fill = [b.stream(t, "满溢度", "%") for t in bins]
        level = b.stream(gauge, "水位", "m")
        meters = _meters(b, [g0, g1, g2])
        _rules(b)

        start = now - timedelta(days=READING_DAYS)
        # Series: value at each half hour `i` of the three days (n in all).
        n = int(timedelta(days=READING_DAYS) / STEP)
        series: list[tuple[Datastream, Callable[[int], float], timedelta]] = [
            (tilt[0], lambda i: 1.0 + rng.random() * 0.8, STEP),
            # the second cover is knocked askew in the last hour: the active alarm
            (tilt[1], lambda i: 28.0 + rng.random() if i >= n - 2 else 1.2 + rng.random(), STEP),
            (tilt[2], lambda i: 0.8 + rng.random() * 0.5, STEP),
            (current[0], lambda i: 1.2 + rng.random() * 0.1, STEP),
            (current[1], lambda i: 1.1 + rng.random() * 0.1, STEP),
            # the first bin overflows on the second day and is emptied: the cleared alarm
            (fill[0], lambda i: 96.0 if n // 2 <= i < n // 2 + 4 else 20 + (i % 48), STEP),
            (fill[1], lambda i: 10 + (i % 48) * 1.2, STEP),
            (level, lambda i: 0.2 + 0.05 * math.sin(i / 8), STEP),
        ]
        for meter in meters:
            base = {"electricity": 40.0, "gas": 3.0, "water": 2.0, "heat": 0.4}[meter.kind]
            series.append((meter.datastream, _profile(base, rng), timedelta(hours=1)))
        _store(series, start, now)
        _meter_history(meters, now, rng)
        days = [timezone.localdate(now) - timedelta(days=d) for d in range(CARBON_DAYS + 1)]
        for day in days:
            carbon.roll_up_day(day)
    return True


def _meters(b: _Builder, grids: list[Area]) -> list[Meter]:
    sites = [
        ("湖滨街道办事处", grids[0], ["electricity", "gas"]),
        ("明湖实验小学", grids[1], ["electricity", "water"]),
        ("社区卫生服务中心", grids[2], ["electricity", "heat"]),
    ]
    units = {"electricity": "kWh", "gas": "m³", "water": "m³", "heat": "GJ"}
    names = {"electricity": "电表", "gas": "燃气表", "water": "水表", "heat": "热量表"}
    meters = []
    for name, grid, kinds in sites:
        for kind in kinds:
            thing = b.thing(f"{name} {names[kind]}", grid, (0.2, 0.2), None)
            stream = b.stream(thing, names[kind], units[kind])
            meters.append(Meter.objects.create(datastream=stream, kind=kind, area=grid))
    return meters


def _rules(b: _Builder) -> None:
    city = Area.objects.filter(level=Level.CITY).order_by("code").first()
    cat = b.categories.get
    Rule.objects.bulk_create(
        [
            Rule(
                name="井盖倾斜",
                name_en="Manhole cover tilted",
                kind="threshold",
                observed_property=b.prop("倾角"),
                area=city,
                area_path=city.path if city else "",
                trip_at=15.0,
                clear_at=5.0,
                urgency="urgent",
                answers={"damage": ["loose"]},
            ),
            Rule(
                name="垃圾箱满溢",
                name_en="Litter bin full",
                kind="threshold",
                observed_property=b.prop("满溢度"),
                trip_at=90.0,
                clear_at=60.0,
                category=cat("component-0305"),
            ),
            Rule(
                name="积水超警（持续 10 分钟）",
                name_en="Standing water above the line for 10 minutes",
                kind="duration",
                observed_property=b.prop("水位"),
                trip_at=0.5,
                clear_at=0.4,
                duration_s=600,
                urgency="urgent",
                category=cat("component-0104"),
            ),
            Rule(
                name="路灯离线",
                name_en="Street lamp silent",
                kind="no_signal",
                observed_property=b.prop("路灯电流"),
                window_s=4 * 3600,
                category=cat("component-0118"),
                answers={"lamps_out": 1},
            ),
            Rule(
                name="路灯频繁断电（1 小时 3 次）",
                name_en="Lamp cutting out (3 times in an hour)",
                kind="count",
                direction="below",
                observed_property=b.prop("路灯电流"),
                trip_at=0.2,
                clear_at=0.5,
                count=3,
                window_s=3600,
                category=cat("component-0118"),
                answers={"lamps_out": 1},
            ),
            Rule(
                name="用电异常（每小时超 200 kWh）",
                name_en="Abnormal electricity use (over 200 kWh an hour)",
                kind="threshold",
                observed_property=b.prop("电表"),
                trip_at=200.0,
                clear_at=150.0,
                opens_case=False,
            ),
        ]
    )


def _profile(base: float, rng: random.Random) -> Callable[[int], float]:
    """Hourly consumption with a working-day shape: low at night, high by day."""

    def value(i: int) -> float:
        hour = i % 24
        shape = 0.4 + 0.9 * math.exp(-(((hour - 13) / 4.5) ** 2))
        return round(base * shape * (0.9 + 0.2 * rng.random()), 3)

    return value


def _on_the_step(moment: datetime, step: timedelta) -> datetime:
    """The first whole multiple of `step` (counted from the epoch) at or after `moment`."""
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    return epoch + math.ceil((moment - epoch) / step) * step


def _store(
    series: list[tuple[Datastream, Callable[[int], float], timedelta]],
    start: datetime,
    now: datetime,
) -> None:
    """Store the series through ingest in six-hour slices, each as of its end (so the cases
    the rules open carry the time their alarm was raised)."""
    # Read which day partitions exist afresh (PostgreSQL): a rolled-back transaction may have
    # taken away one this process remembers.
    partitions.forget()
    slice_ = timedelta(hours=6)
    moment = start
    while moment < now:
        end = min(moment + slice_, now)
        raws = []
        for stream, value, step in series:
            # On the clock, as devices report: a meter's hourly reading at the hour (so the
            # first hour of a month already has one), the others on the half hour.
            anchor = _on_the_step(start, step)
            t = anchor + max(0, math.ceil((moment - anchor) / step)) * step
            while t < end:
                i = int((t - anchor) / step)
                raws.append(RawReading(stream.pk, value(i), t))
                t += step
        with clock.travel(end):
            store_readings(raws, device_id=None, now=end)
        moment = end


def _meter_history(meters: list[Meter], now: datetime, rng: random.Random) -> None:
    """Hourly rollups of the meters before the stored readings (the weeks before them)."""
    first = timezone.localtime(now) - timedelta(days=CARBON_DAYS)
    first = first.replace(minute=0, second=0, microsecond=0)
    # up to the hour of the first stored reading (that hour's rollup is ingest's own)
    last = _on_the_step(now - timedelta(days=READING_DAYS), timedelta(hours=1))
    rows = []
    for meter in meters:
        base = {"electricity": 40.0, "gas": 3.0, "water": 2.0, "heat": 0.4}[meter.kind]
        value = _profile(base * 1.08, rng)  # last month used a little more
        t = first
        while t < last:
            v = value(timezone.localtime(t).hour)
            rows.append(
                Rollup(
                    datastream_id=meter.datastream_id,
                    bucket=Bucket.HOUR,
                    start=t,
                    count=1,
                    min=v,
                    max=v,
                    sum=v,
                    last=v,
                    last_time=t,
                )
            )
            t += timedelta(hours=1)
    Rollup.objects.bulk_create(rows, batch_size=2000)
