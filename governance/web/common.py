"""Shared bits of the staff and citizen pages: refusals, maps, staff detection."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from governance.access import AREA_PERMISSION, Action, Person, cases_for
from governance.errors import InvalidInput
from governance.models import Area, Case
from governance.scope import scope_of


def refused(
    request: HttpRequest, message: str, status: int = 403, *, back: str | None = None
) -> HttpResponse:
    """A clear page saying what was refused and that nothing changed, with a way back: `back`
    (the page the person acted from) or else the page they came from (`came_from`)."""
    return render(
        request, "governance/refused.html", {"message": message, "back": back}, status=status
    )


def apply_errors(form: forms.Form, error: InvalidInput) -> None:
    """Put a domain refusal's field errors next to the form's fields (the rest above it)."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


def came_from(request: HttpRequest) -> str | None:
    """The page of this site the person came from (its path and query), if the browser said
    and it is not this one: the "back" link of refusal and error pages."""
    referer = request.headers.get("referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(referer)
    path = parts.path + ("?" + parts.query if parts.query else "")
    if not path.startswith("/") or parts.path == request.path:
        return None
    return path


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


def may_file(user: Person) -> bool:
    """Whether the person files hotline and patrol cases somewhere (each filing is checked
    against the place by the workflow): who is offered "File a case"."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(scope_of(user).area_paths(AREA_PERMISSION[Action.REPORT]))


def scoped_case(
    user: Person, tracking_id: str, action: Action = Action.VIEW, *, as_staff: bool = False
) -> Case:
    """The case with this tracking id if `user` may act on it (`as_staff`: through a staff
    role, not as its reporter), else 404 (nothing revealed)."""
    case = (
        cases_for(user, action, as_staff=as_staff)
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
