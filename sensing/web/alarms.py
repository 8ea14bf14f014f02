"""The alarm pages (under /work/sensing/alarms/): the list (active or cleared, by area), the
acknowledgement, and the alarm counts per area with the active alarms' points, for the map.

Every view starts from `sensing.alarm_access`; acknowledging is a named function
(`sensing.alarms.acknowledge`).
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from governance.access import Action, cases_for
from governance.models import Area
from governance.web.common import map_settings, refused
from sensing import alarms as alarm_actions
from sensing.alarm_access import AlarmAction, alarms_for, area_filter, may_see_area, sees_sensing
from sensing.models import Alarm

PAGE_SIZE = 50
STATES = ("active", "cleared", "all")


def _refuse(request: HttpRequest) -> HttpResponse:
    return refused(request, _("Alarms are for the staff of their areas."))


def _area(request: HttpRequest) -> Area | None:
    code = (request.GET.get("area") or "")[:15]
    if not code:
        return None
    return Area.objects.filter(code=code).defer("boundary").first() or Area(path="/-/")


def _filtered(request: HttpRequest, state: str, area: Area | None) -> QuerySet[Alarm]:
    found = alarms_for(request.user)
    if state == "active":
        found = found.filter(active=True)
    elif state == "cleared":
        found = found.filter(active=False)
    if area is not None:
        found = found.filter(area_path__startswith=area.path)
    return found


def area_counts(user, *, only: Area | None = None) -> list[tuple[Area, int]]:
    """Active alarms per area the person sees (each grid's count added to every area above
    it), in tree order: one grouped query and one query for the areas."""
    grouped = Counter()
    rows = alarms_for(user).filter(active=True).values_list("area_path").order_by()
    for (path,) in rows:
        codes = [c for c in path.strip("/").split("/") if c]
        for i in range(len(codes)):
            grouped["/" + "/".join(codes[: i + 1]) + "/"] += 1
    areas = Area.objects.filter(path__in=list(grouped)).filter(
        area_filter(user, AlarmAction.VIEW, "path")
    )
    if only is not None:
        areas = areas.filter(path__startswith=only.path)
    return [(a, grouped[a.path]) for a in areas.defer("boundary").order_by("path")]


def _points(found: QuerySet[Alarm]) -> list[dict]:
    rows = found.filter(active=True, thing__location__isnull=False).values_list(
        "pk", "thing__name", "rule__name", "thing__location__lon", "thing__location__lat"
    )[:500]
    return [
        {
            "lon": lon,
            "lat": lat,
            "label": f"{thing} · {rule}",
            "url": reverse("sensing_pages:alarms") + f"#alarm-{pk}",
            "overdue": True,
            "group": "alarm",
        }
        for pk, thing, rule, lon, lat in rows
    ]


@login_required
@require_GET
def alarm_list(request: HttpRequest) -> HttpResponse:
    """Alarms of the person's areas: active first by default, or cleared, or all; by area."""
    if not sees_sensing(request.user):
        return _refuse(request)
    state = request.GET.get("state", "active")
    if state not in STATES:
        state = "active"
    area = _area(request)
    if area is not None and area.pk and not may_see_area(request.user, area):
        area = Area(path="/-/")
    found = _filtered(request, state, area)
    page = Paginator(
        found.select_related("rule", "thing", "thing__area", "case", "acknowledged_by")
        .defer("thing__area__boundary")
        .order_by("-active", "-raised_at", "-pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    cases = [a.case_id for a in page if a.case_id]
    visible_cases = set(
        cases_for(request.user, Action.VIEW).filter(pk__in=cases).values_list("pk", flat=True)
    )
    acknowledgeable = set(
        alarms_for(request.user, AlarmAction.ACKNOWLEDGE)
        .filter(pk__in=[a.pk for a in page])
        .values_list("pk", flat=True)
    )
    rows = [(a, a.case_id in visible_cases, a.pk in acknowledgeable) for a in page]
    return render(
        request,
        "sensing/alarms.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "states": [
                ("active", _("Active")),
                ("cleared", _("Cleared")),
                ("all", _("All")),
            ],
            "area": area if area is not None and area.pk else None,
            "counts": area_counts(request.user),
            "points": _points(found),
            "map": map_settings(),
        },
    )


@login_required
@require_POST
def acknowledge(request: HttpRequest, alarm_id: int) -> HttpResponse:
    """Acknowledge one alarm (those who may report cases in its area)."""
    alarm = alarms_for(request.user, AlarmAction.VIEW).filter(pk=alarm_id).first()
    if alarm is None:
        return refused(request, _("There is no such alarm."), status=404)
    if not alarms_for(request.user, AlarmAction.ACKNOWLEDGE).filter(pk=alarm.pk).exists():
        return refused(request, _("You may not acknowledge this alarm."))
    alarm_actions.acknowledge(alarm=alarm, actor=request.user)
    back = request.POST.get("next", "")
    if not back.startswith("/work/sensing/alarms/"):
        back = reverse("sensing_pages:alarms")
    return redirect(f"{back}#alarm-{alarm.pk}")


@login_required
@require_GET
def alarm_map(request: HttpRequest) -> JsonResponse:
    """Active alarms per area, and their points, for a map: {"areas": [...], "points": [...]}."""
    if not sees_sensing(request.user):
        return JsonResponse({"detail": _("Alarms are for the staff of their areas.")}, status=403)
    areas = [
        {
            "code": a.code,
            "name": a.display_name,
            "level": a.level,
            "path": a.path,
            "active": n,
        }
        for a, n in area_counts(request.user)
    ]
    return JsonResponse({"areas": areas, "points": _points(alarms_for(request.user))})
