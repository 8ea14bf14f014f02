"""The patrol pages (under /patrol/): the officer's phone page, the leaders' live map, the
history and one patrol's track; and the check-in photos, served to whoever sees the patrol.

The phone page talks to the API (/api/v1/gridwork/patrols/…) with the session; every page
starts from `gridwork.access.patrols_for`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.models import Category
from governance.web.common import map_settings, refused
from gridwork import patrolling
from gridwork.access import leads_patrols, may_patrol, patrols_for
from gridwork.api.patrols import PatrolSerializer, track_json
from gridwork.models import CheckInPhoto, Patrol, PatrolStatus

PAGE_SIZE = 50


def _refuse(request: HttpRequest) -> HttpResponse:
    return refused(request, _("Patrols are for grid officers and the leaders of their areas."))


def sees_patrols(user) -> bool:
    """Whether the patrol pages are for this person at all (the navigation link)."""
    return may_patrol(user) or leads_patrols(user)


@login_required
@require_GET
def patrol(request: HttpRequest) -> HttpResponse:
    """The officer's phone page: start, track, check in, report from here, end."""
    if not may_patrol(request.user):
        return _refuse(request)
    current = (
        Patrol.objects.filter(officer=request.user, status=PatrolStatus.ACTIVE)
        .select_related("officer", "grid")
        .defer("grid__boundary")
        .first()
    )
    categories = [
        {"code": c.code, "name": c.display_name, "questions": _questions(c)}
        for c in Category.objects.filter(active=True)
        .prefetch_related("questions")
        .order_by("family", "code")
    ]
    config = {
        "start_url": reverse("gridwork-api:patrol-list"),
        "nearby_url": reverse("gridwork-api:patrol-nearby-places"),
        "patrol": PatrolSerializer(current).data if current else None,
        "track": track_json(current) if current else [],
        "categories": categories,
        "interval_s": 30,
        "distance_m": 20,
        "radius_m": patrolling.setting("CHECK_IN_RADIUS_M"),
        "max_accuracy_m": patrolling.setting("MAX_ACCURACY_M"),
    }
    return render(
        request,
        "gridwork/patrol.html",
        {
            "config": config,
            "texts": _texts(),
            "categories": categories,
            "map": map_settings(),
            "current": current,
            "leads": leads_patrols(request.user),
        },
    )


def _questions(category: Category) -> list[dict]:
    """A category's questions for the report form (labels in the page's language)."""
    english = (get_language() or "").startswith("en")
    return [
        {
            "code": q.code,
            "label": (q.label_en if english and q.label_en else q.label),
            "datatype": q.datatype,
            "required": q.required,
            "values": [
                {"key": str(v["key"]), "name": (v.get("name_en") if english else None) or v["name"]}
                for v in q.values
            ],
        }
        for q in category.questions.all()
    ]


def _texts() -> dict[str, str]:
    """The phone page's words for its script, in the page's language."""
    return {
        "on_patrol": _("On patrol."),
        "not_on_patrol": _("Not on patrol."),
        "ended": _("Patrol ended."),
        "no_geolocation": _("This phone cannot share its position; a patrol needs it."),
        "denied": _("Allow this site to use your position to patrol."),
        "waiting_fix": _("Waiting for your position…"),
        "online": _("online"),
        "offline": _("offline: points are kept on this phone"),
        "sending": _("sending…"),
        "refused": _("Refused points"),
        "end_offline": _("Points are still kept on this phone: end the patrol once back online."),
        "failed": _("That did not work; try again."),
        "no_places": _("No key place within reach."),
        "checked_in": _("Checked in at %(place)s."),
        "reported": _("Reported: case %(id)s."),
        "no_position": _("Your position is not known yet."),
        "needs_network": _("This needs the network; try again once back online."),
    }


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    """The patrols the person may see, newest first (their own; a leader's subtree's)."""
    if not sees_patrols(request.user):
        return _refuse(request)
    patrols = (
        patrols_for(request.user)
        .select_related("officer", "grid")
        .defer("grid__boundary")
        .order_by("-started_at", "-pk")
    )
    page = Paginator(patrols, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "gridwork/patrol_history.html",
        {"page": page, "leads": leads_patrols(request.user)},
    )


@login_required
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """Who is out now, and where: the leaders' map, updated over the patrols' socket."""
    if not leads_patrols(request.user):
        return refused(request, _("The live patrol map is for the leaders of an area."))
    active = list(
        patrols_for(request.user)
        .filter(status=PatrolStatus.ACTIVE)
        .exclude(officer=request.user)
        .select_related("officer", "grid")
        .defer("grid__boundary")
        .order_by("area_path", "started_at")
    )
    rows = PatrolSerializer(active, many=True).data
    return render(
        request,
        "gridwork/patrol_live.html",
        {"active": active, "rows": rows, "map": map_settings(), "leads": True},
    )


@login_required
@require_GET
def detail(request: HttpRequest, patrol_id: int) -> HttpResponse:
    """One patrol: its track on the map with the grid outlines, its check-ins and reports."""
    found = (
        patrols_for(request.user)
        .select_related("officer", "grid")
        .defer("grid__boundary")
        .filter(pk=patrol_id)
        .first()
    )
    if found is None:
        raise Http404
    check_ins = found.check_ins.select_related("key_place").prefetch_related("photos")
    reports = found.reports.select_related("case__category")
    return render(
        request,
        "gridwork/patrol_detail.html",
        {
            "patrol": found,
            "track": track_json(found),
            "places": [
                {"lon": c.lon, "lat": c.lat, "label": f"{c.key_place.name} {c.at:%H:%M}"}
                for c in check_ins
            ],
            "check_ins": check_ins,
            "leads": leads_patrols(request.user),
            "reports": reports,
            "map": map_settings(),
        },
    )


@require_GET
def photo(request: HttpRequest, photo_id: int, size: str) -> FileResponse:
    """A check-in photo, to whoever may see its patrol (anyone else: not found)."""
    if size not in ("full", "thumb"):
        raise Http404
    item = CheckInPhoto.objects.select_related("check_in").filter(pk=photo_id).first()
    if item is None or not patrols_for(request.user).filter(pk=item.check_in.patrol_id).exists():
        raise Http404
    stored = item.thumbnail if size == "thumb" and item.thumbnail else item.file
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
