"""The demo city's grid work, seeded with `seed_demo` (`governance.seeding.demo_seeded`): the
registry of every grid (`gridwork.seeding`), and for the grid officers a few weeks of patrols
(tracks inside their grids, check-ins at the grid's key place, the demo's patrol cases linked
as reports from them) and household visits (some elderly residents living alone visited lately,
others due or overdue), then their duty days computed. Deterministic (`random.Random(seed)`)
and idempotent: a city that has patrols or visits already is left as it is."""

from __future__ import annotations

import datetime
import itertools
import math
import random
import time
from dataclasses import dataclass

from django.contrib.auth.models import AbstractUser
from django.db.models import Q
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.prepared import prep

from governance import clock, events
from governance.models import (
    Area,
    Assignment,
    CaseEvent,
    Category,
    Channel,
    EventKind,
    Level,
    Role,
)
from governance.seed_cases import history_replayed
from governance.workflow.submission import submit_case
from gridwork.duty import compute_range, working_days
from gridwork.models import (
    CheckIn,
    Household,
    KeyPlace,
    Patrol,
    PatrolReport,
    PatrolSegment,
    PatrolStatus,
    Resident,
    Tag,
    Visit,
)
from gridwork.seeding import seed_registry
from gridwork.track_codec import TrackPoint, encode

SEED = 20261130
WEEKS = 3
PATROL_SHARE = 0.8  # of an officer's working days
POINT_EVERY = datetime.timedelta(seconds=60)
NOTES = [
    "老人身体状况良好，生活能自理。",
    "家中整洁，已提醒注意用电安全。",
    "反映楼道灯不亮，已记录。",
    "独居老人，子女每周探望一次。",
    "提醒冬季取暖注意通风。",
    "",
]


@dataclass
class DemoTally:
    patrols: int = 0
    check_ins: int = 0
    reports: int = 0
    visits: int = 0
    duty_days: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"{self.patrols} patrols, {self.check_ins} check-ins, {self.reports} reports, "
            f"{self.visits} visits, {self.duty_days} duty rows ({self.seconds:.1f} s)"
        )


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[1] + b[1]) / 2)
    dx = (b[0] - a[0]) * 111_320 * math.cos(lat)
    dy = (b[1] - a[1]) * 110_540
    return math.hypot(dx, dy)


def _track(
    grid: Area, start: datetime.datetime, minutes: int, rng: random.Random
) -> list[TrackPoint]:
    """A walk inside the grid's boundary, a point a minute (a step that would leave the grid
    turns back)."""
    assert grid.min_lon is not None and grid.max_lon is not None
    outline = prep(shape(grid.boundary))
    inner = shape(grid.boundary).representative_point()
    lon, lat = round(inner.x, 7), round(inner.y, 7)
    step = min(grid.max_lon - grid.min_lon, grid.max_lat - grid.min_lat) / 60
    points = []
    for i in range(minutes + 1):
        points.append(
            TrackPoint(start + POINT_EVERY * i, round(lon, 7), round(lat, 7), rng.randint(5, 25))
        )
        for _try in range(4):
            moved = (
                round(lon + rng.uniform(-step, step), 7),
                round(lat + rng.uniform(-step, step), 7),
            )
            if outline.contains(Point(*moved)):  # as stored (10⁻⁷ degrees): inside
                lon, lat = moved
                break
    return points


def _patrol(officer: AbstractUser, grid: Area, start, minutes, rng) -> Patrol:
    points = _track(grid, start, minutes, rng)
    distance = sum(_metres((a.lon, a.lat), (b.lon, b.lat)) for a, b in itertools.pairwise(points))
    seconds = minutes * 60
    last = points[-1]
    patrol = Patrol.objects.create(
        officer=officer,
        grid=grid,
        area_path=grid.path,
        status=PatrolStatus.ENDED,
        started_at=start,
        ended_at=last.t,
        point_count=len(points),
        distance_m=round(distance, 1),
        seconds_in_grid=seconds,
        grid_seconds={str(grid.pk): seconds},
        # The demo's patrols are morning walks: all on the day they start.
        day_figures={
            timezone.localdate(start).isoformat(): {"s": seconds, "m": round(distance, 1)}
        },
        last_t=last.t,
        last_lon=last.lon,
        last_lat=last.lat,
        last_accuracy=last.accuracy,
        last_inside=True,
    )
    patrol.grids.add(grid)
    PatrolSegment.objects.create(
        patrol=patrol,
        batch=f"demo-{patrol.pk}",
        first_t=points[0].t,
        last_t=last.t,
        count=len(points),
        points=encode(points),
        received_at=last.t,
    )
    return patrol


def _officers() -> list[tuple[AbstractUser, Area]]:
    assignments = (
        Assignment.objects.filter(role=Role.OFFICER, area__level=Level.GRID, user__is_active=True)
        .select_related("user", "area")
        .order_by("area__code", "user__username")
    )
    return [(a.user, a.area) for a in assignments if a.area.boundary and a.area.min_lon is not None]


def seed_patrols(
    now: datetime.datetime, rng: random.Random, tally: DemoTally
) -> list[datetime.date]:
    """The officers' patrols over the last WEEKS weeks (working days, before today)."""
    today = timezone.localdate(now)
    first = today - datetime.timedelta(weeks=WEEKS)
    days = working_days(first, today - datetime.timedelta(days=1))
    tz = timezone.get_current_timezone()
    for officer, grid in _officers():
        place = KeyPlace.objects.filter(grid=grid).first()
        patrols_by_day: dict[datetime.date, Patrol] = {}
        for day in days:
            if rng.random() > PATROL_SHARE:
                continue
            start = datetime.datetime.combine(
                day, datetime.time(9, rng.randrange(0, 50)), tzinfo=tz
            )
            minutes = rng.choice((45, 90, 120, 130, 150, 180))
            patrol = _patrol(officer, grid, start, minutes, rng)
            patrols_by_day[day] = patrol
            tally.patrols += 1
            if place is not None and place.lon is not None and rng.random() < 0.6:
                CheckIn.objects.create(
                    patrol=patrol,
                    key_place=place,
                    at=start + datetime.timedelta(minutes=minutes // 2),
                    lon=place.lon,
                    lat=place.lat,
                    distance_m=round(rng.uniform(3, 40), 1),
                    note=rng.choice(("现场正常", "消防通道畅通", "")),
                )
                tally.check_ins += 1
        tally.reports += _link_reports(officer, grid, patrols_by_day)
        tally.reports += _report_from(officer, patrols_by_day, rng)
    return days


REPORTS = ["巡查发现路面破损。", "巡查发现垃圾堆放。", "巡查发现井盖松动。", "巡查发现占道经营。"]


def _report_from(officer, patrols: dict[datetime.date, Patrol], rng: random.Random) -> int:
    """Two of the officer's patrols report a case from where they were ("report from here"),
    filed through `submit_case` (channel patrol) at that moment, muted as the demo's history
    is; evaluation derives their facts from `history_replayed`."""
    categories = list(
        Category.objects.filter(active=True).exclude(questions__required=True).order_by("code")
    )
    if not categories or not patrols:
        return 0
    made = []
    for day in rng.sample(sorted(patrols), min(2, len(patrols))):
        patrol = patrols[day]
        at = patrol.started_at + datetime.timedelta(minutes=20)
        lon, lat = patrol.last_lon, patrol.last_lat
        with clock.travel(at), events.muted():
            case = submit_case(
                actor=officer,
                category=rng.choice(categories),
                description=rng.choice(REPORTS),
                lon=lon,
                lat=lat,
                channel=Channel.PATROL,
            )
        PatrolReport.objects.create(
            patrol=patrol, case=case, request_id=f"demo-{case.pk}", at=at, lon=lon, lat=lat
        )
        made.append(case.pk)
    history_replayed.send(sender=PatrolReport, case_ids=made)
    return len(made)


def _link_reports(officer, grid: Area, patrols: dict[datetime.date, Patrol]) -> int:
    """The demo's patrol cases this officer filed in the grid on a patrol day: reports of it."""
    if not patrols:
        return 0
    first = min(patrols)
    submitted = CaseEvent.objects.filter(
        Q(kind=EventKind.SUBMITTED, actor=officer, case__channel=Channel.PATROL),
        case__grid=grid,
        created_at__gte=datetime.datetime.combine(
            first, datetime.time.min, tzinfo=timezone.get_current_timezone()
        ),
    ).select_related("case")
    linked = 0
    for event in submitted:
        patrol = patrols.get(timezone.localdate(event.created_at))
        if patrol is None:
            continue
        PatrolReport.objects.create(
            patrol=patrol,
            case=event.case,
            request_id=f"demo-{event.case_id}",
            at=event.created_at,
            lon=event.case.lon,
            lat=event.case.lat,
        )
        linked += 1
    return linked


def seed_visits(now: datetime.datetime, rng: random.Random, tally: DemoTally) -> None:
    """Visits by each grid's officer: half its elderly living alone visited 5–45 days ago (so
    some are due again, some overdue, others fine; the rest never visited), and a few more
    households."""
    tz = timezone.get_current_timezone()
    for officer, grid in _officers():
        elderly = [
            r
            for r in Resident.objects.filter(grid=grid, household__isnull=False).order_by("pk")
            if Tag.ELDERLY_ALONE in (r.tags or [])
        ]
        households = list(Household.objects.filter(area_path=grid.path).order_by("pk"))
        planned: list[tuple[Household, list[Resident]]] = [
            (r.household, [r]) for r in elderly[: max(1, len(elderly) // 2)] if elderly
        ]
        planned += [(h, []) for h in rng.sample(households, min(len(households), 5))]
        for household, seen in planned:
            day = timezone.localdate(now) - datetime.timedelta(days=rng.randint(5, 45))
            at = datetime.datetime.combine(day, datetime.time(rng.randint(14, 16)), tzinfo=tz)
            visit = Visit.objects.create(
                household=household,
                visitor=officer,
                visited_at=at,
                minutes=rng.choice((15, 20, 30, 40)),
                notes=rng.choice(NOTES),
                grid=grid,
                area_path=grid.path,
                created_at=at,
            )
            visit.residents_seen.set(seen or list(household.residents.all()[:2]))
            tally.visits += 1


def seed_grid_work(*, now: datetime.datetime | None = None, seed: int = SEED) -> DemoTally:
    """The registry, patrols, visits and duty days of the demo city (once)."""
    now = now or clock.now()
    started = time.monotonic()
    tally = DemoTally()
    seed_registry(buildings=2)
    if Patrol.objects.exists() or Visit.objects.exists():
        return tally
    rng = random.Random(seed)
    seed_patrols(now, rng, tally)
    seed_visits(now, rng, tally)
    today = timezone.localdate(now)
    tally.duty_days = compute_range(today - datetime.timedelta(days=50), today)
    tally.seconds = time.monotonic() - started
    return tally
