"""Shared bits of the staff and citizen pages: refusals, maps, staff detection."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from governance.access import Action, Person, cases_for
from governance.models import Area, Case
from governance.scope import scope_of


def refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    """A clear page saying what was refused and that nothing changed."""
    return render(request, "governance/refused.html", {"message": message}, status=status)


def map_settings() -> dict[str, str]:
    return {"tile_url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def is_staff_member(user: Person) -> bool:
    """Someone with an assignment, a department, or an administrator: sees the work pages."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = scope_of(user)  # read once per request, shared with the case filter
    return scope.assigned or bool(scope.departments)


def scoped_case(user: Person, tracking_id: str, action: Action = Action.VIEW) -> Case:
    """The case with this tracking id if `user` may act on it, else 404 (nothing revealed)."""
    case = (
        cases_for(user, action)
        .select_related("category", "grid", "assignee_department", "merged_into")
        .defer("grid__boundary")  # never shown with a case; kilobytes to decode
        .filter(tracking_id=tracking_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


def grid_outlines(areas=None) -> dict:
    """GeoJSON of area boundaries (default: every active grid) for maps without tiles."""
    areas = areas if areas is not None else Area.objects.active().grids()
    features = [
        {
            "type": "Feature",
            "geometry": area.boundary,
            "properties": {"code": area.code, "name": area.display_name, "level": area.level},
        }
        for area in areas
        if area.boundary
    ]
    return {"type": "FeatureCollection", "features": features}


staff_required = login_required
