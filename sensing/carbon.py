"""Carbon (双碳): each day's CO₂e per meter and per area, rolled up the area tree; what the
carbon page reads.

`roll_up_day(day)` reads the meters' hourly rollups of that local day (never the raw
readings), turns consumption into CO₂e with the factor in force for the kind and year, and
rewrites the day's `MeterDay` rows and `CarbonDay` rows (every area from the meter's grid up
to the city) in one transaction: running it again gives the same rows. The scheduler runs
`roll_up_recent` (today so far and yesterday); `manage.py carbon_days` fills past days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from governance import clock
from governance.models import Area
from governance.paths import at_or_beneath
from gridwork.models import Resident
from sensing.models import (
    Bucket,
    CarbonDay,
    EmissionFactor,
    Meter,
    MeterDay,
    MeterKind,
    Rollup,
)

# The factors seeded as data (kg CO₂e per unit), each with its source. Administrators keep
# them current in the admin; a day uses the latest factor of its kind not after its year.
SEED_FACTORS = [
    (
        MeterKind.ELECTRICITY,
        0.5703,
        "kWh",
        "生态环境部 2022 年度全国电力平均二氧化碳排放因子 (MEE national grid average, 2022)",
        2022,
    ),
    (
        MeterKind.ELECTRICITY,
        0.5366,
        "kWh",
        "生态环境部 2021 年度全国电网平均排放因子 (MEE national grid average, 2021)",
        2021,
    ),
    (
        MeterKind.GAS,
        2.162,
        "m³",
        "IPCC 2006 default NCV and carbon content of natural gas, as in 国家发改委 "
        "《公共建筑运营单位(企业)温室气体排放核算方法和报告指南》",
        2015,
    ),
    (
        MeterKind.HEAT,
        110.0,
        "GJ",
        "国家发改委 温室气体排放核算指南 default for purchased heat (0.11 t CO₂/GJ)",
        2015,
    ),
    (
        MeterKind.WATER,
        0.168,
        "m³",
        "Tap water supply and treatment, 中国城镇供水排水协会 estimate (0.168 kg CO₂e/m³)",
        2019,
    ),
]


def seed_factors() -> int:
    """The seeded factors, once each (kind, year); returns how many were added."""
    added = 0
    for kind, value, unit, source, year in SEED_FACTORS:
        _row, created = EmissionFactor.objects.get_or_create(
            kind=kind, year=year, defaults={"value": value, "unit": unit, "source": source}
        )
        added += created
    return added


def factors_for(day: date) -> dict[str, float]:
    """kg CO₂e per unit of each kind on `day`: the latest factor not after its year (or the
    earliest there is, for a day before every factor)."""
    found: dict[str, float] = {}
    earliest: dict[str, float] = {}
    for kind, year, value in EmissionFactor.objects.order_by("kind", "year").values_list(
        "kind", "year", "value"
    ):
        earliest.setdefault(kind, value)
        if year <= day.year:
            found[kind] = value
    return {**earliest, **found}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _activity(meters: dict[int, Meter], day: date) -> dict[int, float]:
    """Each meter's consumption on the local day, from its hourly rollups."""
    start, end = day_bounds(day)
    rows = (
        Rollup.objects.filter(
            bucket=Bucket.HOUR,
            start__gte=start,
            start__lt=end,
            datastream_id__in=[m.datastream_id for m in meters.values()],
        )
        .values("datastream_id")
        .annotate(total=Sum("sum"), n=Count("pk"))
        .order_by()
    )
    by_stream = {m.datastream_id: m for m in meters.values()}
    activity: dict[int, float] = {}
    cumulative = [m for m in meters.values() if m.cumulative]
    for row in rows:
        meter = by_stream[row["datastream_id"]]
        if not meter.cumulative:
            activity[meter.pk] = max(0.0, row["total"] or 0.0)
    if cumulative:
        # A counter: the day's consumption is its highest index less its lowest.

        spans = (
            Rollup.objects.filter(
                bucket=Bucket.HOUR,
                start__gte=start,
                start__lt=end,
                datastream_id__in=[m.datastream_id for m in cumulative],
            )
            .values("datastream_id")
            .annotate(high=Max("max"), low=Min("min"))
            .order_by()
        )
        for row in spans:
            meter = by_stream[row["datastream_id"]]
            activity[meter.pk] = max(0.0, (row["high"] or 0.0) - (row["low"] or 0.0))
    return activity


def _prefixes(path: str) -> list[str]:
    codes = [c for c in path.strip("/").split("/") if c]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


@transaction.atomic
def roll_up_day(day: date) -> int:
    """Rewrite `day`'s CO₂e rows per meter and per area; returns the number of area rows."""
    meters = {m.pk: m for m in Meter.objects.all()}
    factors = factors_for(day)
    activity = _activity(meters, day)
    MeterDay.objects.filter(day=day).delete()
    CarbonDay.objects.filter(day=day).delete()
    meter_rows = []
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for pk, amount in activity.items():
        meter = meters[pk]
        co2e = amount * factors.get(meter.kind, 0.0)
        meter_rows.append(MeterDay(meter_id=pk, day=day, activity=amount, co2e_kg=co2e))
        for path in _prefixes(meter.area_path):
            total = totals[(path, meter.kind)]
            total[0] += amount
            total[1] += co2e
    MeterDay.objects.bulk_create(meter_rows)
    area_ids = dict(Area.objects.filter(path__in={p for p, _k in totals}).values_list("path", "pk"))
    area_rows = [
        CarbonDay(area_id=area_ids[path], day=day, kind=kind, activity=a, co2e_kg=c)
        for (path, kind), (a, c) in totals.items()
        if path in area_ids
    ]
    CarbonDay.objects.bulk_create(area_rows)
    return len(area_rows)


def roll_up_recent(now: datetime | None = None) -> int:
    """Today so far and yesterday (late readings of the night before)."""
    today = timezone.localdate(now or clock.now())
    return roll_up_day(today - timedelta(days=1)) + roll_up_day(today)


# --- what the carbon page reads --------------------------------------------------------------


@dataclass
class Period:
    start: date
    end: date  # inclusive

    def days(self) -> int:
        return (self.end - self.start).days + 1


def month_periods(today: date) -> tuple[Period, Period, Period]:
    """This month so far, last month whole, and last month's same days (for a fair compare)."""
    this_start = today.replace(day=1)
    last_end = this_start - timedelta(days=1)
    last_start = last_end.replace(day=1)
    same_end = min(last_start + timedelta(days=today.day - 1), last_end)
    return Period(this_start, today), Period(last_start, last_end), Period(last_start, same_end)


def area_total(area: Area, period: Period) -> float:
    return (
        CarbonDay.objects.filter(area=area, day__gte=period.start, day__lte=period.end).aggregate(
            t=Sum("co2e_kg")
        )["t"]
        or 0.0
    )


def by_kind(area: Area, period: Period) -> dict[str, float]:
    return dict(
        CarbonDay.objects.filter(area=area, day__gte=period.start, day__lte=period.end)
        .values_list("kind")
        .annotate(t=Sum("co2e_kg"))
        .order_by()
    )


def daily(area: Area, start: date, end: date) -> list[tuple[date, float | None]]:
    """The area's CO₂e per day from `start` to `end`; None for a day without rows."""
    rows = dict(
        CarbonDay.objects.filter(area=area, day__gte=start, day__lte=end)
        .values_list("day")
        .annotate(t=Sum("co2e_kg"))
        .order_by()
    )
    n = (end - start).days + 1
    return [(start + timedelta(days=i), rows.get(start + timedelta(days=i))) for i in range(n)]


def population(areas: list[Area]) -> dict[int, int]:
    """Residents in the registry at or beneath each area (the per-capita denominator)."""
    return {a.pk: Resident.objects.filter(at_or_beneath(a.path)).count() for a in areas}


def children_ranking(area: Area, period: Period) -> list[tuple[Area, float, int]]:
    """The area's children by CO₂e in `period`, largest first, with their populations."""
    children = list(Area.objects.filter(parent=area).defer("boundary").order_by("code"))
    totals = dict(
        CarbonDay.objects.filter(area__in=children, day__gte=period.start, day__lte=period.end)
        .values_list("area_id")
        .annotate(t=Sum("co2e_kg"))
        .order_by()
    )
    people = population(children)
    ranked = [(c, totals.get(c.pk, 0.0), people.get(c.pk, 0)) for c in children]
    ranked.sort(key=lambda row: (-row[1], row[0].code))
    return ranked


def top_emitters(area: Area, period: Period, n: int = 10) -> list[tuple[Meter, float]]:
    """The meters under the area with the most CO₂e in `period`."""
    rows = list(
        MeterDay.objects.filter(
            at_or_beneath(area.path, "meter__area_path"),
            day__gte=period.start,
            day__lte=period.end,
        )
        .values_list("meter_id")
        .annotate(t=Sum("co2e_kg"))
        .order_by("-t", "meter_id")[:n]
    )
    meters = Meter.objects.select_related("datastream__thing", "building", "organisation").in_bulk(
        [pk for pk, _t in rows]
    )
    return [(meters[pk], total) for pk, total in rows if pk in meters]
