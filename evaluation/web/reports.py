"""The monthly evaluation report of an area: a printable page, CSV and xlsx (the same rows)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evaluation import access
from evaluation.periods import Period, PeriodError, parse_period, period_of
from evaluation.report import COLUMNS, as_csv, as_xlsx, display, monthly_report
from governance.models import Area
from governance.web.common import refused

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def last_month() -> Period:
    """The monthly report's default: the month before this one."""
    first = timezone.localdate().replace(day=1)
    return period_of("month", first - timedelta(days=1))


def _period(request: HttpRequest) -> Period:
    value = request.GET.get("period", "").strip()
    return parse_period(value) if value else last_month()


def _report_or_refusal(request: HttpRequest, area_code: str):
    area = Area.objects.active().filter(code=area_code).first()
    if area is None or not access.may_see_area(request.user, area):
        # An area one may not see and one that does not exist look the same.
        return None, refused(request, _("There is no such area among yours."), status=404)
    try:
        period = _period(request)
    except PeriodError as error:
        return None, refused(request, str(error), status=400)
    return monthly_report(area, period), None


@login_required
@require_GET
def reports_index(request: HttpRequest) -> HttpResponse:
    """Where leaders find the reports: each area they see at the top, and its children."""
    tops = access.visible_areas(request.user)
    if not tops:
        return refused(request, _("Evaluation reports are for staff with areas."))
    areas = []
    for top in tops:
        areas.append(top)
        areas += list(Area.objects.active().filter(parent=top).order_by("code"))
    try:
        period = _period(request)
    except PeriodError as error:
        return refused(request, str(error), status=400)
    return render(
        request,
        "evaluation/reports.html",
        {"areas": areas, "tops": tops, "period": period, "previous": period.previous()},
    )


@login_required
@require_GET
def area_report(request: HttpRequest, area_code: str) -> HttpResponse:
    report, refusal = _report_or_refusal(request, area_code)
    if refusal is not None:
        return refusal
    headings = [str(heading) for _key, heading in COLUMNS]
    rows = [
        {
            "rank": row.rank,
            "code": row.code,
            "name": row.name,
            "grade": row.values.get("grade"),
            "cells": [display(key, row.values.get(key)) for key, _h in COLUMNS],
        }
        for row in report.rows
    ]
    total = [
        display(key, value)
        for key, value in (
            (key, {**report.total.counts, **report.total.rates}.get(key)) for key, _h in COLUMNS
        )
    ]
    total[-2] = display("score", report.total.score)
    total[-1] = display("grade", report.total.grade)
    return render(
        request,
        "evaluation/report.html",
        {
            "report": report,
            "headings": headings,
            "rows": rows,
            "total": total,
            "period_value": report.period.label,
            "previous": report.period.previous(),
        },
    )


def _filename(report, extension: str) -> str:
    return f"evaluation-{report.area.code}-{report.period.label.replace('/', '_')}.{extension}"


@login_required
@require_GET
def area_report_csv(request: HttpRequest, area_code: str) -> HttpResponse:
    report, refusal = _report_or_refusal(request, area_code)
    if refusal is not None:
        return refusal
    response = HttpResponse(as_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    return response


@login_required
@require_GET
def area_report_xlsx(request: HttpRequest, area_code: str) -> HttpResponse:
    report, refusal = _report_or_refusal(request, area_code)
    if refusal is not None:
        return refusal
    response = HttpResponse(as_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response
