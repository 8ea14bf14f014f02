"""The sensing pages for staff: the grids with things, a grid's things on the map with their
latest readings (and alarm state, `sensing.status`) and in a paged table, a datastream's chart
from rollups.

Every page starts from `sensing.access` (the one scoped-access path): another area's grid or
datastream is simply not found.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.models import Area
from governance.web.common import map_settings, refused
from sensing.access import datastreams_for, sees_sensing, things_for
from sensing.charts import RANGES, datastream_chart
from sensing.models import Datastream, Thing
from sensing.status import alarm_states

PAGE_SIZE = 50  # things a page of the grid's table (the map shows all of them)


def _refuse(request: HttpRequest) -> HttpResponse:
    return refused(request, _("Sensing is for the staff of the areas where things are placed."))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The grids holding things the person may see, with how many."""
    if not sees_sensing(request.user):
        return _refuse(request)
    counts = dict(
        things_for(request.user)
        .exclude(area=None)
        .values_list("area")
        .annotate(n=Count("pk"))
        .order_by()
    )
    areas = list(Area.objects.filter(pk__in=counts).defer("boundary").order_by("path"))
    unplaced = things_for(request.user).filter(area=None).count()
    return render(
        request,
        "sensing/home.html",
        {"rows": [(a, counts[a.pk]) for a in areas], "unplaced": unplaced},
    )


def _map_points(things: QuerySet[Thing], placed: list[tuple], alarms: dict) -> list[dict]:
    """Every thing of the grid on the map (`placed`: the things' (pk, name, lon, lat) in the
    table's order), each labelled with its latest readings from one light query (no model per
    thing) and linked to its row on its page of the table."""
    latest: dict[int, list[str]] = defaultdict(list)
    streams = Datastream.objects.filter(thing__in=things.values("pk"), active=True)
    for thing_id, name, value, unit in streams.values_list(
        "thing_id", "name", "last_value", "unit_symbol"
    ):
        latest[thing_id].append(f"{name}: {'—' if value is None else f'{value:g}'} {unit}")
    points = []
    for index, (pk, name, lon, lat) in enumerate(placed):
        if lon is None:
            continue
        alarm = alarms.get(pk)
        label = "; ".join(latest[pk])
        points.append(
            {
                "lon": lon,
                "lat": lat,
                "label": f"{name} — {label}" if label else name,
                "url": f"?page={index // PAGE_SIZE + 1}#thing-{pk}",
                "overdue": bool(alarm and alarm.active),
            }
        )
    return points


@login_required
@require_GET
def area(request: HttpRequest, area_id: int) -> HttpResponse:
    """One grid's things on the map, and a page of them at a time in the table, each with its
    datastreams' latest values."""
    if not sees_sensing(request.user):
        return _refuse(request)
    grid = Area.objects.filter(pk=area_id).defer("boundary").first()
    things = things_for(request.user).filter(area_id=area_id).order_by("name", "pk")
    placed = list(things.values_list("pk", "name", "location__lon", "location__lat"))
    if grid is None or not placed:
        raise Http404
    alarms = alarm_states([pk for pk, *_rest in placed])
    page = Paginator(
        things.select_related("location", "component").prefetch_related(
            "datastreams__observed_property"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    rows = []
    for thing in page:
        streams = [s for s in thing.datastreams.all() if s.active]
        rows.append({"thing": thing, "streams": streams, "alarm": alarms.get(thing.pk)})
    return render(
        request,
        "sensing/area.html",
        {
            "grid": grid,
            "rows": rows,
            "page": page,
            "points": _map_points(things, placed, alarms),
            "map": map_settings(),
            "stale": timezone.now() - timedelta(hours=1),
            "box": [grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat]
            if grid.min_lon is not None
            else None,
        },
    )


@login_required
@require_GET
def datastream(request: HttpRequest, datastream_id: int) -> HttpResponse:
    """A datastream's chart over a day, a week or a month (from rollups) with its figures."""
    if not sees_sensing(request.user):
        return _refuse(request)
    stream = (
        datastreams_for(request.user)
        .select_related("thing__area", "observed_property")
        .filter(pk=datastream_id)
        .first()
    )
    if stream is None:
        raise Http404
    span = request.GET.get("range", "day")
    if span not in RANGES:
        span = "day"
    chart = datastream_chart(stream, span=span)
    return render(
        request,
        "sensing/datastream.html",
        {"stream": stream, "chart": chart, "span": span, "ranges": RANGES},
    )
