"""Patrols (巡查): start, record a batch of positions, end; check in at a key place; report a
case from where the officer stands.

The limits are settings (`GRIDWORK_PATROL`, a dict; defaults in `DEFAULTS`): the accuracy cap,
the fastest credible speed, the check-in radius, the largest gap between two points still
counted as time inside the grid, and the largest batch.

`record_own_points` is the phone's ingest path, the hottest write of a city's day (20,000
officers sending every few minutes): the patrol's row is found and locked in one query by its id
and its officer (only the officer writes their patrol, so no scope is computed), the batch
validated point by point against the last accepted point, and what passes is written as ONE
packed segment row (`gridwork.models.patrols`) with the patrol's summaries updated by one
UPDATE; the new position goes to the leaders' live map after commit (`patrol_live.moved`).
Four statements a batch. `record_points` is the same for a patrol already in hand.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from governance import clock
from governance.attachments import clean_upload
from governance.errors import InvalidInput, NotPermitted
from governance.models import Area, Case, Category, Channel, Level
from governance.paths import GRID_DEPTH, depth
from governance.routing import grid_index
from governance.scope import scope_of
from governance.workflow.submission import submit_case
from gridwork import patrol_live
from gridwork.access import PATROL_DUTY, RecordAction, may_patrol, records_for
from gridwork.models import (
    CheckIn,
    CheckInPhoto,
    KeyPlace,
    Patrol,
    PatrolReport,
    PatrolSegment,
    PatrolStatus,
)
from gridwork.track_codec import TrackPoint, decode, encode

DEFAULTS: dict[str, float] = {
    "MAX_ACCURACY_M": 100,  # a point less accurate than this is refused
    "MAX_SPEED_MPS": 40,  # 144 km/h: faster than this between two points is a GPS jump
    "CHECK_IN_RADIUS_M": 100,  # a check-in within this distance of the key place
    "MAX_GAP_S": 600,  # two points further apart in time do not add to the time inside
    "MAX_BATCH": 2000,  # points in one batch
    "CLOCK_SKEW_S": 120,  # a phone's clock may run this far ahead of the server's
    "MAX_PHOTOS": 6,
    # The phone sends its kept points when this many wait, or when the oldest has waited this
    # long: at most a request every ten minutes per officer on patrol (sooner while walking),
    # not one per point — 20,000 officers at a point a minute are 33 requests a second.
    "SEND_POINTS": 10,
    "SEND_AFTER_S": 600,
}

EARTH_RADIUS_M = 6_371_008.8


def setting(name: str) -> float:
    return getattr(settings, "GRIDWORK_PATROL", {}).get(name, DEFAULTS[name])


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


# -- the city's bounds -----------------------------------------------------------------------

_bounds: tuple[float, tuple[float, float, float, float] | None] = (0.0, None)


def city_bounds() -> tuple[float, float, float, float] | None:
    """(min lon, min lat, max lon, max lat) of the active cities (or, without a city boundary,
    of the grids); read at most once a minute per process."""
    global _bounds
    read_at, box = _bounds
    if box is not None and time.monotonic() - read_at < 60:
        return box
    areas = Area.objects.active().exclude(min_lon=None)
    box = None
    for level_filter in ({"level": Level.CITY}, {}):
        found = areas.filter(**level_filter).aggregate(
            a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat")
        )
        if found["a"] is not None:
            box = (found["a"], found["b"], found["c"], found["d"])
            break
    _bounds = (time.monotonic(), box)
    return box


def forget_city_bounds() -> None:
    global _bounds
    _bounds = (0.0, None)


# -- start and end ---------------------------------------------------------------------------


def officer_grids(officer: Any) -> list[Area]:
    """The active grids where the person may report cases (those they patrol for)."""
    paths = [p for p in scope_of(officer).area_paths(PATROL_DUTY) if depth(p) >= GRID_DEPTH]
    if not paths:
        return []
    return list(Area.objects.active().grids().filter(path__in=paths).defer("boundary"))


def start_patrol(*, officer: Any, now: datetime | None = None) -> Patrol:
    """Start a patrol (or give back the one already under way: a reloaded page resumes it)."""
    if not may_patrol(officer):
        raise NotPermitted(_("Only grid staff who may report cases go on patrol."))
    now = now or clock.now()
    current = Patrol.objects.filter(officer=officer, status=PatrolStatus.ACTIVE).first()
    if current is not None:
        return current
    grids = officer_grids(officer)
    if grids:
        grid, path = grids[0], grids[0].path
    else:  # a leader above the grids: scoped by the highest area they report for
        grid, path = None, min(scope_of(officer).area_paths(PATROL_DUTY) or ["/"], key=len)
    try:
        with transaction.atomic():
            patrol = Patrol.objects.create(
                officer=officer,
                grid=grid,
                area_path=path,
                started_at=now,
                grid_seconds={str(g.pk): 0 for g in grids},
            )
            patrol.grids.set(grids)
            patrol_live.changed_on_commit(patrol)
    except IntegrityError:  # a second tab started one at the same moment
        return Patrol.objects.get(officer=officer, status=PatrolStatus.ACTIVE)
    return patrol


def _own_patrol(patrol: Patrol, actor: Any) -> None:
    if patrol.officer_id != getattr(actor, "pk", None):
        raise NotPermitted(_("Only the officer on this patrol may record it."))


def end_patrol(*, patrol: Patrol, actor: Any, now: datetime | None = None) -> Patrol:
    """End the patrol (ending an ended patrol changes nothing)."""
    _own_patrol(patrol, actor)
    now = now or clock.now()
    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
        if patrol.status == PatrolStatus.ACTIVE:
            patrol.status = PatrolStatus.ENDED
            patrol.ended_at = max(now, patrol.last_t or now)
            patrol.save(update_fields=["status", "ended_at"])
            patrol_live.changed_on_commit(patrol)
    return patrol


# -- positions -------------------------------------------------------------------------------

REASONS = {
    "invalid": lambda: _("Not a point: it needs a time, a longitude, a latitude and an accuracy."),
    "future": lambda: _("Its time is in the future."),
    "before_start": lambda: _("Its time is before the patrol started."),
    "after_end": lambda: _("Its time is after the patrol ended."),
    "duplicate": lambda: _("Already received (or older than the last point received)."),
    "outside_city": lambda: _("Outside the city."),
    "inaccurate": lambda: _("Less accurate than %(cap)d m.") % {"cap": setting("MAX_ACCURACY_M")},
    "too_fast": lambda: _("Too far from the previous point for the time between them."),
}


@dataclass(frozen=True)
class Refusal:
    index: int  # the point's place in the batch as sent
    t: str
    reason: str

    @property
    def message(self) -> str:
        return str(REASONS[self.reason]())

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "t": self.t, "reason": self.reason, "message": self.message}


@dataclass
class BatchResult:
    batch: str
    accepted: int
    refused: list[Refusal] = field(default_factory=list)
    repeated: bool = False  # this batch id was received before: nothing new was stored
    total_points: int = 0
    distance_m: float = 0.0  # the patrol's distance so far

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "accepted": self.accepted,
            "refused": [r.as_dict() for r in self.refused],
            "repeated": self.repeated,
            "total_points": self.total_points,
            "distance_m": round(self.distance_m),
        }


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or not 0 < value < 1e14:
            return None
        moment = datetime.fromtimestamp(value / 1000, tz=UTC)  # epoch milliseconds
    elif isinstance(value, str) and len(value) <= 40:
        try:
            moment = parse_datetime(value)
        except ValueError:
            return None
        if moment is None:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _parse(raw: Any) -> TrackPoint | None:
    if not isinstance(raw, Mapping):
        return None
    t = _parse_time(raw.get("t"))
    lon, lat = number(raw.get("lon")), number(raw.get("lat"))
    accuracy = number(raw.get("acc", raw.get("accuracy")))
    if t is None or lon is None or lat is None or accuracy is None or accuracy < 0:
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return TrackPoint(t, lon, lat, min(round(accuracy), 32_767))


def record_points(
    patrol: Patrol,
    points: Sequence[Mapping[str, Any]],
    *,
    batch: str | None = None,
    actor: Any = None,
    now: datetime | None = None,
) -> BatchResult:
    """Validate and store a batch of positions (`[{"t", "lon", "lat", "acc"}]`; `t` an ISO 8601
    time or epoch milliseconds); say which were refused and why.

    Idempotent: a batch id seen before on this patrol answers as it did then; a point at or
    before the last accepted one is refused as a duplicate. `actor`, when given, must be the
    patrol's officer. One segment row and one patrol UPDATE per batch; `patrol` is given the
    new summaries.
    """
    if actor is not None:
        _own_patrol(patrol, actor)
    result = _record({"pk": patrol.pk}, points, batch, now, officer=None, into=patrol)
    assert result is not None  # the patrol is in hand: its row exists
    return result


def record_own_points(
    *,
    officer: Any,
    patrol_id: int,
    points: Sequence[Mapping[str, Any]],
    batch: str | None = None,
    now: datetime | None = None,
) -> BatchResult:
    """The officer's phone sending a batch to their patrol `patrol_id` (as `record_points`).
    Raises `Patrol.DoesNotExist` when it is not a patrol of theirs (the caller tells a leader
    who may read it from someone who may not)."""
    result = _record(
        {"pk": patrol_id, "officer_id": officer.pk}, points, batch, now, officer=officer
    )
    if result is None:
        raise Patrol.DoesNotExist
    return result


def _record(
    key: dict[str, Any],
    points: Sequence[Mapping[str, Any]],
    batch: str | None,
    now: datetime | None,
    *,
    officer: Any,
    into: Patrol | None = None,
) -> BatchResult | None:
    batch = (batch or "").strip()[:64] or uuid.uuid4().hex
    now = now or clock.now()
    with transaction.atomic():
        locked = Patrol.objects.select_for_update().filter(**key).first()
        if locked is None:
            return None
        if officer is not None:
            locked.officer = officer  # the live message names them: no query for it
        if not isinstance(points, Sequence) or isinstance(points, str | bytes):
            raise InvalidInput({"points": [_("Send a list of points.")]})
        if len(points) > setting("MAX_BATCH"):
            raise InvalidInput(
                {"points": [_("At most %(n)d points in one batch.") % {"n": setting("MAX_BATCH")}]}
            )
        seen = PatrolSegment.objects.filter(patrol=locked, batch=batch).first()
        if seen is not None:
            return BatchResult(
                batch,
                seen.count,
                [Refusal(r["index"], r["t"], r["reason"]) for r in seen.refused],
                repeated=True,
                total_points=locked.point_count,
                distance_m=locked.distance_m,
            )
        result = _accept(locked, points, batch, now)
    if into is not None:
        _copy_summary(locked, into)
    return result


def _copy_summary(source: Patrol, target: Patrol) -> None:
    for name in (
        "point_count",
        "refused_count",
        "distance_m",
        "seconds_in_grid",
        "grid_seconds",
        "day_figures",
        "last_t",
        "last_lon",
        "last_lat",
        "last_accuracy",
        "last_inside",
        "status",
        "ended_at",
    ):
        setattr(target, name, getattr(source, name))


def _local_midnight_after(day: date) -> datetime:
    return datetime.combine(
        day + timedelta(days=1), time_of_day.min, tzinfo=timezone.get_current_timezone()
    )


def _accept(patrol: Patrol, points: Sequence[Any], batch: str, now: datetime) -> BatchResult:
    max_accuracy = setting("MAX_ACCURACY_M")
    max_speed = setting("MAX_SPEED_MPS")
    max_gap = setting("MAX_GAP_S")
    latest = now + timedelta(seconds=setting("CLOCK_SKEW_S"))
    earliest = patrol.started_at - timedelta(seconds=setting("CLOCK_SKEW_S"))
    box = city_bounds()
    index = grid_index()
    own_grids = set(patrol.grid_seconds)

    parsed = [(i, _parse(raw), raw) for i, raw in enumerate(points)]
    refused: list[Refusal] = []
    good: list[tuple[int, TrackPoint]] = []
    for i, point, raw in parsed:
        if point is None:
            t = raw.get("t") if isinstance(raw, Mapping) else None
            refused.append(Refusal(i, str(t)[:40] if t is not None else "", "invalid"))
        else:
            good.append((i, point))
    good.sort(key=lambda item: item[1].t)

    kept: list[TrackPoint] = []
    last = (
        TrackPoint(patrol.last_t, patrol.last_lon, patrol.last_lat, patrol.last_accuracy or 0)
        if patrol.last_t is not None
        else None
    )
    inside = patrol.last_inside
    distance, seconds = 0.0, 0
    grid_seconds = dict(patrol.grid_seconds)
    days = {day: dict(figures) for day, figures in patrol.day_figures.items()}
    day, day_ends = None, None  # the local day of the points so far (they come in time order)
    for i, point in good:
        reason = None
        if point.t > latest:
            reason = "future"
        elif point.t < earliest:
            reason = "before_start"
        elif patrol.ended_at is not None and point.t > patrol.ended_at:
            reason = "after_end"
        elif last is not None and point.t <= last.t:
            reason = "duplicate"
        elif box is not None and not (
            box[0] <= point.lon <= box[2] and box[1] <= point.lat <= box[3]
        ):
            reason = "outside_city"
        elif point.accuracy > max_accuracy:
            reason = "inaccurate"
        if reason is None and last is not None:
            step = distance_m(last.lon, last.lat, point.lon, point.lat)
            elapsed = (point.t - last.t).total_seconds()
            # A step within both points' accuracy is noise, never "too fast".
            if step > point.accuracy + last.accuracy and step > max_speed * elapsed:
                reason = "too_fast"
        if reason is not None:
            refused.append(Refusal(i, point.t.isoformat(), reason))
            continue
        grid_id = index.locate(point.lon, point.lat)
        now_inside = grid_id is not None and str(grid_id) in own_grids
        if last is not None:
            step = distance_m(last.lon, last.lat, point.lon, point.lat)
            distance += step
            # A step counts on the (local) day it ended: across midnight, at most one step
            # (MAX_GAP_S) of the night falls on the next day.
            if day_ends is None or point.t >= day_ends:
                local = timezone.localdate(point.t)
                day = days.setdefault(local.isoformat(), {"s": 0, "m": 0.0})
                day_ends = _local_midnight_after(local)
            day["m"] += step
            elapsed = (point.t - last.t).total_seconds()
            if inside and now_inside and elapsed <= max_gap:
                seconds += round(elapsed)
                grid_seconds[str(grid_id)] = grid_seconds.get(str(grid_id), 0) + round(elapsed)
                day["s"] += round(elapsed)
        kept.append(point)
        last, inside = point, now_inside

    refused.sort(key=lambda r: r.index)
    PatrolSegment.objects.create(
        patrol=patrol,
        batch=batch,
        first_t=kept[0].t if kept else None,
        last_t=kept[-1].t if kept else None,
        count=len(kept),
        points=encode(kept),
        refused=[{"index": r.index, "t": r.t, "reason": r.reason} for r in refused],
        received_at=now,
    )
    if kept or refused:
        patrol.point_count += len(kept)
        patrol.refused_count += len(refused)
        patrol.distance_m += distance
        patrol.seconds_in_grid += seconds
        patrol.grid_seconds = grid_seconds
        patrol.day_figures = {
            key: {"s": figures["s"], "m": round(figures["m"], 1)} for key, figures in days.items()
        }
        if kept:
            patrol.last_t, patrol.last_lon, patrol.last_lat = last.t, last.lon, last.lat
            patrol.last_accuracy, patrol.last_inside = last.accuracy, inside
        patrol.save(
            update_fields=[
                "point_count",
                "refused_count",
                "distance_m",
                "seconds_in_grid",
                "grid_seconds",
                "day_figures",
                "last_t",
                "last_lon",
                "last_lat",
                "last_accuracy",
                "last_inside",
            ]
        )
        if kept:
            patrol_live.moved(patrol)
    return BatchResult(
        batch, len(kept), refused, total_points=patrol.point_count, distance_m=patrol.distance_m
    )


def track_of(patrol: Patrol) -> list[TrackPoint]:
    """The patrol's accepted points in time order (one query)."""
    segments = (
        PatrolSegment.objects.filter(patrol=patrol)
        .exclude(count=0)
        .order_by("first_t")
        .values_list("points", "first_t")
    )
    points: list[TrackPoint] = []
    for data, first_t in segments:
        points.extend(decode(data, first_t))
    return points


# -- check-ins -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NearbyPlace:
    place: KeyPlace
    distance_m: float


def nearby_key_places(
    *, actor: Any, lon: float, lat: float, radius_m: float | None = None, limit: int = 20
) -> list[NearbyPlace]:
    """The key places the person may see within `radius_m` of the point, nearest first."""
    radius = radius_m if radius_m is not None else setting("CHECK_IN_RADIUS_M")
    dlat = radius / 111_000
    dlon = radius / (111_000 * max(0.01, math.cos(math.radians(lat))))
    places = records_for(actor, KeyPlace, RecordAction.VIEW).filter(
        lon__gte=lon - dlon, lon__lte=lon + dlon, lat__gte=lat - dlat, lat__lte=lat + dlat
    )[:500]
    found = [NearbyPlace(p, distance_m(lon, lat, p.lon, p.lat)) for p in places]
    return sorted((n for n in found if n.distance_m <= radius), key=lambda n: n.distance_m)[:limit]


def _point(lon: Any, lat: Any) -> tuple[float, float]:
    lon_f, lat_f = number(lon), number(lat)
    if lon_f is None or lat_f is None or not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90):
        raise InvalidInput({"lon": [_("Your position is needed (longitude and latitude).")]})
    return lon_f, lat_f


def _active(patrol: Patrol) -> None:
    if patrol.status != PatrolStatus.ACTIVE:
        raise InvalidInput({"patrol": [_("This patrol has ended.")]})


def check_in(
    *,
    patrol: Patrol,
    actor: Any,
    key_place: KeyPlace,
    lon: Any,
    lat: Any,
    note: str = "",
    photos: Iterable[UploadedFile] = (),
    now: datetime | None = None,
) -> CheckIn:
    """Check in at a key place the officer stands near (within the radius), with a note and
    photos (cleaned as a case's are: pixel cap from the header, metadata dropped)."""
    _own_patrol(patrol, actor)
    _active(patrol)
    if not records_for(actor, KeyPlace, RecordAction.VIEW).filter(pk=key_place.pk).exists():
        raise NotPermitted(_("This key place is not in your areas."))
    lon_f, lat_f = _point(lon, lat)
    if key_place.lon is None or key_place.lat is None:
        raise InvalidInput({"key_place": [_("This key place has no position on the map.")]})
    away = distance_m(lon_f, lat_f, key_place.lon, key_place.lat)
    radius = setting("CHECK_IN_RADIUS_M")
    if away > radius:
        raise InvalidInput(
            {
                "key_place": [
                    _("You are %(away)d m from %(place)s; check in within %(radius)d m.")
                    % {"away": away, "place": key_place.name, "radius": radius}
                ]
            }
        )
    note = (note or "").strip()
    if len(note) > 500:
        raise InvalidInput({"note": [_("At most 500 characters.")]})
    photos = list(photos)
    if len(photos) > setting("MAX_PHOTOS"):
        raise InvalidInput({"photos": [_("At most %(n)d photos.") % {"n": setting("MAX_PHOTOS")}]})
    cleaned = []
    for upload in photos:
        try:
            clean = clean_upload(upload)
        except ValidationError as error:
            raise InvalidInput({"photos": error.messages}) from None
        if not clean.content_type.startswith("image/"):
            raise InvalidInput({"photos": [_("%(name)s is not a photo.") % {"name": upload.name}]})
        cleaned.append(clean)
    with transaction.atomic():
        visit = CheckIn.objects.create(
            patrol=patrol,
            key_place=key_place,
            at=now or clock.now(),
            lon=lon_f,
            lat=lat_f,
            distance_m=round(away, 1),
            note=note,
        )
        for clean in cleaned:
            photo = CheckInPhoto(check_in=visit, content_type=clean.content_type, size=clean.size)
            photo.file.save("photo", clean.content, save=False)
            if clean.thumbnail is not None:
                photo.thumbnail.save("thumb", clean.thumbnail, save=False)
            photo.save()
    return visit


# -- report from here ------------------------------------------------------------------------


def report_from_here(
    *,
    patrol: Patrol,
    actor: Any,
    category: Category,
    lon: Any,
    lat: Any,
    description: str = "",
    answers: dict[str, Any] | None = None,
    files: Sequence[UploadedFile] = (),
    request_id: str = "",
) -> PatrolReport:
    """File a case where the officer stands (channel patrol) and link it to the patrol. A
    repeated `request_id` (a second tap, a resend) gives back the first report."""
    _own_patrol(patrol, actor)
    _active(patrol)
    request_id = (request_id or "").strip()[:64]
    if request_id:
        earlier = PatrolReport.objects.filter(patrol=patrol, request_id=request_id).first()
        if earlier is not None:
            return earlier
    lon_f, lat_f = _point(lon, lat)
    description = (description or "").strip() or str(
        _("Reported on patrol: %(category)s") % {"category": category.display_name}
    )
    with transaction.atomic():
        case: Case = submit_case(
            actor=actor,
            category=category,
            description=description,
            lon=lon_f,
            lat=lat_f,
            channel=Channel.PATROL,
            answers=answers,
            files=files,
        )
        return PatrolReport.objects.create(
            patrol=patrol, case=case, request_id=request_id, lon=lon_f, lat=lat_f
        )
