"""The carbon page of an area (under /work/sensing/carbon/): this month against last, the daily
trend, the kinds, the ranking of the areas below (with per-capita figures where the registry
counts residents) and the top emitters. Read from the daily rows (`sensing.carbon`), never the
readings; every area through `sensing.alarm_access`.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation.charts import Bar, bar_chart, line_chart
from governance import clock
from governance.models import Area
from governance.web.common import refused
from sensing import carbon
from sensing.alarm_access import home_area, may_see_area, sees_sensing
from sensing.models import MeterKind

TREND_DAYS = 60


def _refuse(request: HttpRequest) -> HttpResponse:
    return refused(request, _("Carbon figures are for the staff of their areas."))


def _kg(value: float) -> str:
    if value >= 10_000:
        return _("%(t).1f t") % {"t": value / 1000}
    return _("%(kg).0f kg") % {"kg": value}


@login_required
@require_GET
def carbon_home(request: HttpRequest) -> HttpResponse:
    """The person's highest area's carbon page."""
    if not sees_sensing(request.user):
        return _refuse(request)
    area = home_area(request.user)
    if area is None:
        return refused(request, _("No area has carbon figures for you yet."), status=404)
    return redirect("sensing_pages:carbon", area_code=area.code)


@login_required
@require_GET
def carbon_area(request: HttpRequest, area_code: str) -> HttpResponse:
    area = Area.objects.filter(code=area_code[:15]).defer("boundary").first()
    if area is None or not may_see_area(request.user, area):
        return _refuse(request)
    today = timezone.localdate(clock.now())
    this, last, same = carbon.month_periods(today)
    this_total = carbon.area_total(area, this)
    last_total = carbon.area_total(area, last)
    same_total = carbon.area_total(area, same)
    change = (this_total - same_total) / same_total * 100 if same_total else None
    people = carbon.population([area]).get(area.pk, 0)
    kinds = carbon.by_kind(area, this)
    kind_names = dict(MeterKind.choices)
    trend = carbon.daily(area, today - timedelta(days=TREND_DAYS - 1), today)
    trend_chart = line_chart(
        _("CO₂e per day, last %(n)d days (kg)") % {"n": TREND_DAYS},
        [(date_format(day, "m-d"), value) for day, value in trend],
        label_header=_("Day"),
        value_header=_("kg CO₂e"),
    )
    month_chart = bar_chart(
        _("This month against last (kg CO₂e)"),
        [
            Bar(_("This month so far"), round(this_total, 1), shown=_kg(this_total)),
            Bar(_("Last month, same days"), round(same_total, 1), shown=_kg(same_total)),
            Bar(_("Last month, whole"), round(last_total, 1), shown=_kg(last_total)),
        ],
        label_header=_("Period"),
        value_header=_("kg CO₂e"),
    )
    kind_chart = bar_chart(
        _("By kind, this month (kg CO₂e)"),
        [
            Bar(str(kind_names.get(kind, kind)), round(value, 1), shown=_kg(value))
            for kind, value in sorted(kinds.items(), key=lambda kv: -kv[1])
        ],
        label_header=_("Kind"),
        value_header=_("kg CO₂e"),
    )
    ranking = carbon.children_ranking(area, this)
    ranking_chart = bar_chart(
        _("Areas below, by CO₂e this month"),
        [
            Bar(
                child.display_name,
                round(total, 1),
                shown=_kg(total),
                url=reverse("sensing_pages:carbon", kwargs={"area_code": child.code}),
                note=(_("%(kg).1f kg per person") % {"kg": total / n}) if n else "",
            )
            for child, total, n in ranking
        ],
        label_header=_("Area"),
        value_header=_("kg CO₂e"),
    )
    top = carbon.top_emitters(area, this)
    parent = Area.objects.filter(pk=area.parent_id).defer("boundary").first()
    return render(
        request,
        "sensing/carbon.html",
        {
            "area": area,
            "parent": parent if parent is not None and may_see_area(request.user, parent) else None,
            "this": this,
            "last": last,
            "this_total": this_total,
            "last_total": last_total,
            "same_total": same_total,
            "change": change,
            "people": people,
            "per_capita": this_total / people if people else None,
            "month_chart": month_chart,
            "trend_chart": trend_chart,
            "kind_chart": kind_chart,
            "ranking_chart": ranking_chart,
            "shown": {"this": _kg(this_total), "last": _kg(last_total), "same": _kg(same_total)},
            "ranking": [(c, _kg(t), n, t / n if n else None) for c, t, n in ranking],
            "top": [(m, _kg(t)) for m, t in top],
        },
    )
