"""The registry's pages for officers and leaders: my grid's buildings, a building's households
and residents, a resident (with "show personal data", logged), search, coverage, export.

Every page starts from `gridwork.access.records_for`; personal fields are masked unless the
person pressed "show" on one resident (a POST, checked and logged by `disclosure.unmask`) or
asked for an unmasked export.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from governance.models import Area
from governance.web.common import refused
from gridwork.access import RecordAction, may_edit_somewhere, records_for, sees_registry
from gridwork.coverage import registry_coverage
from gridwork.disclosure import Via, masked, unmask, unmaskable
from gridwork.exporting import as_csv, as_xlsx, export_rows
from gridwork.models import Building, Resident
from gridwork.search import residents_search, within

PAGE_SIZE = 50


def _refuse(request: HttpRequest) -> HttpResponse:
    return refused(request, _("The registry is for grid staff and leaders of their areas."))


def _area(request: HttpRequest) -> Area | None:
    code = (request.GET.get("area") or "")[:15]
    if not code:
        return None
    return Area.objects.filter(code=code).defer("boundary").first() or Area(path="/-/")


def _visible_areas(user) -> list[Area]:
    """The grids holding buildings the person may see: the page's area filter."""
    grids = records_for(user, Building, RecordAction.VIEW).values("grid").distinct().order_by()
    return list(Area.objects.filter(pk__in=grids).defer("boundary").order_by("path"))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My grid: the buildings the person may see, with their resident counts; a search box."""
    if not sees_registry(request.user):
        return _refuse(request)
    area = _area(request)
    buildings = within(records_for(request.user, Building, RecordAction.VIEW), area)
    page = Paginator(
        buildings.select_related("grid")
        .defer("grid__boundary")
        .order_by("area_path", "address", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    counts = dict(
        Resident.objects.filter(building__in=[b.pk for b in page])
        .values_list("building")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return render(
        request,
        "gridwork/home.html",
        {
            "page": page,
            "rows": [(b, counts.get(b.pk, 0)) for b in page],
            "areas": _visible_areas(request.user),
            "area": area,
            "may_import": may_edit_somewhere(request.user),
        },
    )


@login_required
@require_GET
def building(request: HttpRequest, building_id: int) -> HttpResponse:
    found = records_for(request.user, Building, RecordAction.VIEW).filter(pk=building_id).first()
    if found is None:
        raise Http404
    households = list(found.households.select_related("head").order_by("unit", "room", "pk"))
    residents = list(
        records_for(request.user, Resident, RecordAction.VIEW)
        .filter(building=found)
        .order_by("household", "name", "pk")
    )
    by_household: dict[int | None, list] = {}
    for resident in residents:
        by_household.setdefault(resident.household_id, []).append((resident, masked(resident)))
    return render(
        request,
        "gridwork/building.html",
        {
            "building": found,
            "households": [(h, by_household.get(h.pk, [])) for h in households],
            "without_household": by_household.get(None, []),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident(request: HttpRequest, resident_id: int) -> HttpResponse:
    found = (
        records_for(request.user, Resident, RecordAction.VIEW)
        .select_related("building", "household", "grid")
        .filter(pk=resident_id)
        .first()
    )
    if found is None:
        raise Http404
    may_unmask = bool(unmaskable(request.user, [found]))
    shown = masked(found)
    unmasked = False
    if request.method == "POST":
        if not may_unmask:
            return refused(request, _("You may not see this resident's personal data."))
        shown = unmask(request.user, [found], via=Via.PAGE)[found.pk]
        unmasked = True
    return render(
        request,
        "gridwork/resident.html",
        {"resident": found, "shown": shown, "may_unmask": may_unmask, "unmasked": unmasked},
    )


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Residents by name, phone or id number. The form posts, so a phone or id number
    searched for stays out of URLs, browser histories and server logs."""
    if not sees_registry(request.user):
        return _refuse(request)
    text = (request.POST.get("q") or request.GET.get("q") or "").strip()[:50]
    rows = []
    if text:
        found = residents_search(user=request.user, text=text, area=_area(request), limit=100)
        rows = [(r, masked(r)) for r in found]
    return render(request, "gridwork/search.html", {"q": text, "rows": rows})


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Leaders: counts per grid and the registry's completeness."""
    if not sees_registry(request.user):
        return _refuse(request)
    rows = registry_coverage(user=request.user, area=_area(request))
    return render(request, "gridwork/coverage.html", {"rows": rows})


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The residents the person may see (beneath ?area=), as CSV or xlsx (?format=xlsx);
    masked unless ?unmask=1 (rows the person may unmask shown plain, each logged)."""
    if not sees_registry(request.user):
        return _refuse(request)
    rows = export_rows(request.user, area=_area(request), unmasked=request.GET.get("unmask") == "1")
    if request.GET.get("format") == "xlsx":
        content, kind, suffix = (
            as_xlsx(rows),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    else:
        content, kind, suffix = as_csv(rows), "text/csv; charset=utf-8", "csv"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="residents.{suffix}"'
    response["Cache-Control"] = "private, no-store"
    return response
