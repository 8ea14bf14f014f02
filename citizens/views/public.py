"""The public record: the map-first home, the public list, a request's public page and its
printable sheet — everything anonymous people see, through `governance.public`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from governance.models import Area, Category, Level, Status
from governance.places import Place, find_places, grid_at, place_of
from governance.public import PAGE_SIZE, public_cases, public_files, public_request, public_rows
from governance.qr import qr_svg
from governance.story import GROUPS
from governance.web.common import map_settings


class AreaSelect(forms.CharField):
    """An area by its code: a list of districts, streets and communities to pick from, and
    any active area's code accepted (a grid, from a link)."""

    widget = forms.Select

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def load_choices(self) -> None:
        areas = (
            Area.objects.active()
            .filter(level__gt=Level.CITY, level__lt=Level.GRID)
            .order_by("path")
            .only("code", "name", "name_en", "level")
        )
        indent = "\u2002"  # an en space per level below the district: the tree, read aloud
        self.widget.choices = [
            ("", _("All areas")),
            *((a.code, indent * (a.level - Level.DISTRICT) + a.display_name) for a in areas),
        ]

    def clean(self, value):
        value = super().clean(value)
        if value and place_of(value) is None:
            raise forms.ValidationError(_("There is no such area."))
        return value


class PublicFilter(forms.Form):
    q = forms.CharField(
        label=_("Near a place"),
        required=False,
        max_length=100,
        help_text=_("A district, street, community or grid name, or an address."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.filter(active=True),
        empty_label=_("All categories"),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    area = AreaSelect(label=_("Area"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].label_from_instance = lambda c: c.display_name
        self.fields["area"].load_choices()


@dataclass
class Where:
    """The place a page looks at: found from a typed text, an area's code or a point."""

    text: str = ""
    place: Place | None = None  # the area it is (or, for a point, the grid it lies in)
    point: tuple[float, float] | None = None  # the browser's location, or the area's centre
    outside: bool = False  # a point outside every grid
    choices: list[Place] = field(default_factory=list)  # several areas matched the text
    not_found: bool = False  # the text matched nothing the platform knows

    @property
    def found(self) -> bool:
        return self.place is not None or self.point is not None

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        if self.point is not None:
            lon, lat = self.point
            return (lon, lat, lon, lat)
        return self.place.box if self.place else None

    @property
    def name(self) -> str:
        return self.place.name if self.place else ""

    @property
    def report_query(self) -> str:
        """The submit page's query: its pin at this place (a point, or the area's centre)."""
        lon, lat = self.point if self.point else (self.place.lon, self.place.lat)
        if lon is None or lat is None:
            return ""
        return f"?lon={lon:.6f}&lat={lat:.6f}"


def _float(value: str | None, limit: float) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if math.isfinite(number) and -limit <= number <= limit else None


def where_from(request: HttpRequest, text: str = "") -> Where:
    """The place asked for: `lon`/`lat` (the person's location), `place` (an area's code, from
    a list of matches) or the typed text `q`."""
    lon, lat = _float(request.GET.get("lon"), 180), _float(request.GET.get("lat"), 90)
    if lon is not None and lat is not None:
        grid = grid_at(lon, lat)
        return Where(place=grid, point=(lon, lat), outside=grid is None)
    code = request.GET.get("place", "")
    if code:
        place = place_of(code)
        if place is not None:
            return Where(text=place.name, place=place)
    if text:
        matches = find_places(text)
        if len(matches) == 1:
            return Where(text=text, place=matches[0])
        return Where(text=text, choices=matches, not_found=not matches)
    return Where()


def _map_points(rows) -> list[dict[str, object]]:
    return [row.as_json() for row in rows if row.lon is not None]


def _legend() -> list[dict[str, str]]:
    return [{"key": g.key, "shape": g.shape, "label": str(g.label)} for g in GROUPS]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Map first: find a place, see the requests near it (one page), report a problem there."""
    text = " ".join(request.GET.get("q", "").split())[:100]
    where = where_from(request, text)
    cases = public_cases(near=where.box) if where.found else public_cases()
    paginator = Paginator(cases, PAGE_SIZE)
    page = paginator.get_page(1)
    rows = public_rows(page.object_list)
    return render(
        request,
        "citizens/home.html",
        {
            "where": where,
            "q": text,
            "rows": rows,
            "total": paginator.count,
            "points": _map_points(rows),
            "legend": _legend(),
            "map": map_settings(),
        },
    )


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    form = PublicFilter(request.GET or None)
    category_id = status = area_path = None
    text = ""
    if form.is_valid():
        category = form.cleaned_data["category"]
        category_id = category.pk if category else None
        status = form.cleaned_data["status"] or None
        area = place_of(form.cleaned_data["area"]) if form.cleaned_data["area"] else None
        area_path = area.path if area else None
        text = form.cleaned_data["q"]
    where = where_from(request, text)
    cases = public_cases(
        category_id=category_id,
        status=status,
        area_path=area_path,
        near=where.box if where.found else None,
    )
    paginator = Paginator(cases, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = public_rows(page.object_list)
    return render(
        request,
        "citizens/public.html",
        {
            "filter": form,
            "where": where,
            "rows": rows,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=1),
            "points": _map_points(rows),
            "legend": _legend(),
            "map": map_settings(),
        },
    )


def _public_or_404(tracking_id: str):
    row = public_request(tracking_id)
    if row is None:
        raise Http404
    return row


@require_GET
def public_detail(request: HttpRequest, tracking_id: str) -> HttpResponse:
    row = _public_or_404(tracking_id)
    link = request.build_absolute_uri(reverse("citizens:public_request", args=[tracking_id]))
    return render(
        request,
        "citizens/public_request.html",
        {
            "row": row,
            "form": row.form,
            "photos": public_files(request, row.form),
            "link": link,
            "points": _map_points([row]),
            "legend": _legend(),
            "map": map_settings(),
        },
    )


@require_GET
def public_print(request: HttpRequest, tracking_id: str) -> HttpResponse:
    """A request on one printed page: its tracking id, story and a QR code of its link."""
    row = _public_or_404(tracking_id)
    link = request.build_absolute_uri(reverse("citizens:public_request", args=[tracking_id]))
    return render(
        request,
        "citizens/public_print.html",
        {
            "row": row,
            "form": row.form,
            "link": link,
            "qr": qr_svg(link, title=str(_("QR code of the link to this request"))),
        },
    )
