"""The sensing pages for staff: the grids with things, a grid's things on the map with their
latest readings (and alarm state, `sensing.status`), a datastream's chart from rollups.

Every page starts from `sensing.access` (the one scoped-access path): another area's grid or
datastream is simply not found.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.models import Area
from governance.web.common import map_settings, refused
from sensing.access import datastreams_for, sees_sensing, things_for
from sensing.charts import RANGES, datastream_chart
from sensing.status import alarm_states


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


@login_required
@require_GET
def area(request: HttpRequest, area_id: int) -> HttpResponse:
    """One grid's things on the map, each with its datastreams' latest values."""
    if not sees_sensing(request.user):
        return _refuse(request)
    grid = Area.objects.filter(pk=area_id).first()
    things = list(
        things_for(request.user)
        .filter(area_id=area_id)
        .select_related("location", "component")
        .prefetch_related("datastreams__observed_property")
        .order_by("name", "pk")[:500]
    )
    if grid is None or not things:
        raise Http404
    alarms = alarm_states([t.pk for t in things])
    stale = timezone.now() - timedelta(hours=1)
    rows = []
    points = []
    for thing in things:
        streams = [s for s in thing.datastreams.all() if s.active]
        alarm = alarms.get(thing.pk)
        rows.append({"thing": thing, "streams": streams, "alarm": alarm})
        if thing.location_id:
            latest = "; ".join(
                f"{s.name}: {'—' if s.last_value is None else f'{s.last_value:g}'} {s.unit_symbol}"
                for s in streams
            )
            points.append(
                {
                    "lon": thing.location.lon,
                    "lat": thing.location.lat,
                    "label": f"{thing.name} — {latest}" if latest else thing.name,
                    "url": f"#thing-{thing.pk}",
                    "overdue": bool(alarm and alarm.active),
                }
            )
    return render(
        request,
        "sensing/area.html",
        {
            "grid": grid,
            "rows": rows,
            "points": points,
            "map": map_settings(),
            "stale": stale,
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
