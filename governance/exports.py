"""Anonymised open-data exports of cases: CSV and GeoJSON, streamed.

No personal data and no free text a reporter typed: the tracking id, category, status, grid,
dates, and from the case's public form (`governance.public.public_form`) its rounded location
and public summary. Filters: `since` and `until` (dates), `category` (codes, comma list),
`area` (an area code: cases beneath it). Cases come from `cases_for(user, Action.PUBLIC)`,
the public record.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from itertools import islice

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from governance.access import Action, cases_for
from governance.inputs import DayField
from governance.models import Area, Case
from governance.paths import at_or_beneath
from governance.public import CaseFacts, PublicForm, public_form, texts_of

COLUMNS = [
    "id",
    "category",
    "status",
    "open311_status",
    "channel",
    "grid",
    "lon",
    "lat",
    "created_at",
    "closed_at",
    "public_summary",
]
BATCH = 500
MAX_SPAN_DAYS = 366


class ExportFilter(forms.Form):
    since = DayField(required=False, label=gettext_lazy("since"))
    until = DayField(required=False, label=gettext_lazy("until"))
    category = forms.CharField(required=False, max_length=400)
    area = forms.CharField(required=False, max_length=15)

    def clean_area(self) -> Area | None:
        code = self.cleaned_data.get("area")
        if not code:
            return None
        area = Area.objects.active().filter(code=code).first()
        if area is None:
            raise forms.ValidationError(_("There is no such area."))
        return area

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        elif since and until and (until - since).days > MAX_SPAN_DAYS:
            self.add_error("until", _("At most a year at a time."))
        return data


def _cases(request: HttpRequest) -> Iterator[Case] | HttpResponse:
    form = ExportFilter({k: v for k, v in request.GET.items() if v != ""})
    if not form.is_valid():
        errors = {k: list(v) for k, v in form.errors.items()}
        return JsonResponse(
            {"detail": _("The filters are not valid."), "code": "invalid", "errors": errors},
            status=400,
        )
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    until: date = data.get("until") or timezone.localdate()
    since: date = data.get("since") or (until - timedelta(days=90))
    cases = (
        cases_for(request.user, Action.PUBLIC)
        .filter(
            created_at__gte=datetime.combine(since, time.min, tz),
            created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tz),
        )
        .select_related("category", "grid")
        .defer("grid__boundary")  # never exported; kilobytes to decode per row
        .order_by("created_at", "pk")
    )
    if data.get("category"):
        cases = cases.filter(category__code__in=data["category"].split(","))
    if data.get("area"):
        cases = cases.filter(at_or_beneath(data["area"].path))
    return cases.iterator(chunk_size=BATCH)


def _forms(cases: Iterator[Case]) -> Iterator[tuple[Case, PublicForm]]:
    """Each case with its public form, the public texts read a batch at a time."""
    while batch := list(islice(cases, BATCH)):
        texts = texts_of([case.pk for case in batch], steps=False)
        for case in batch:
            yield case, public_form(CaseFacts.of(case), texts=texts.get(case.pk, ()))


def _row(case: Case, form: PublicForm) -> dict[str, object]:
    lon, lat = form.lon, form.lat
    return {
        "id": case.tracking_id,
        "category": case.category.code,
        "status": case.status,
        "open311_status": case.open311_status,
        "channel": case.channel,
        "grid": case.grid.code if case.grid_id else "",
        "lon": lon,
        "lat": lat,
        "created_at": case.created_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else "",
        "public_summary": form.summary or "",
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def cases_csv(request: HttpRequest) -> HttpResponse:
    cases = _cases(request)
    if isinstance(cases, HttpResponse):
        return cases
    writer = csv.DictWriter(_Echo(), fieldnames=COLUMNS)

    def rows() -> Iterator[str]:
        yield writer.writeheader() or ",".join(COLUMNS) + "\r\n"
        for case, form in _forms(cases):
            yield writer.writerow(_row(case, form))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


@require_GET
def cases_geojson(request: HttpRequest) -> HttpResponse:
    cases = _cases(request)
    if isinstance(cases, HttpResponse):
        return cases

    def chunks() -> Iterator[str]:
        yield '{"type": "FeatureCollection", "features": ['
        first = True
        for case, form in _forms(cases):
            row = _row(case, form)
            feature = {
                "type": "Feature",
                "id": row["id"],
                "geometry": {"type": "Point", "coordinates": [row.pop("lon"), row.pop("lat")]},
                "properties": row,
            }
            yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
            first = False
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.geojson"'
    return response
