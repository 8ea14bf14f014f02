"""The monthly duty sheet (巡查履职): per grid (the officers beneath an area, one row each) and
per officer (their days), read from the computed `DutyDay` rows; exported as xlsx or CSV with
officer names only (no resident, no personal data)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.models import Area
from governance.web.common import refused
from gridwork.duty import (
    OfficerDuty,
    duty_of,
    managed_paths,
    may_read_officer,
    may_see_duty,
    month_bounds,
    officers_under,
    parse_month,
)
from gridwork.exporting import as_csv, as_xlsx
from gridwork.models import DutyRules


def _area(request: HttpRequest) -> Area | None:
    code = (request.GET.get("area") or "")[:15]
    if not code:
        return None
    return Area.objects.filter(code=code).defer("boundary").first() or Area(path="/-/")


def _months(month: datetime.date) -> tuple[str, str]:
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return f"{previous:%Y-%m}", f"{following:%Y-%m}"


def sheet(user, month: datetime.date, area: Area | None) -> list[OfficerDuty]:
    first, last = month_bounds(month)
    return duty_of(officers_under(user, area), first, last)


def _areas(user) -> list[Area]:
    if user.is_superuser:
        return list(Area.objects.all().defer("boundary").order_by("path")[:200])
    paths = managed_paths(user)
    if not paths:
        return []
    found = Area.objects.none()
    for path in paths:
        found = found | Area.objects.filter(path__startswith=path)
    return list(found.defer("boundary").order_by("path")[:200])


@login_required
@require_GET
def duty(request: HttpRequest) -> HttpResponse:
    if not may_see_duty(request.user):
        return refused(
            request, _("Duty sheets are for grid officers and the leaders of their areas.")
        )
    month = parse_month(request.GET.get("month"))
    area = _area(request)
    previous, following = _months(month)
    return render(
        request,
        "gridwork/duty.html",
        {
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "previous": previous,
            "following": following,
            "area": area,
            "areas": _areas(request.user),
            "rows": sheet(request.user, month, area),
            "rules": DutyRules.current(),
        },
    )


@login_required
@require_GET
def duty_officer(request: HttpRequest, officer_id: int) -> HttpResponse:
    officer = get_user_model().objects.filter(pk=officer_id, is_active=True).first()
    if officer is None or not may_read_officer(request.user, officer):
        raise Http404
    month = parse_month(request.GET.get("month"))
    first, last = month_bounds(month)
    found = duty_of([officer], first, last)[0]
    previous, following = _months(month)
    return render(
        request,
        "gridwork/duty_officer.html",
        {
            "duty": found,
            "month": month,
            "previous": previous,
            "following": following,
            "rules": found.rules,
        },
    )


HEADER = [
    "姓名 Officer",
    "网格 Grids",
    "巡查时长(小时) Patrol hours",
    "里程(公里) Distance km",
    "巡查次数 Patrols",
    "打卡 Check-ins",
    "上报 Reports",
    "走访 Visits",
    "工作日 Working days",
    "达标天数 Days met",
    "应上报 Reports expected",
    "应走访 Visits expected",
    "履职达标率 Duty met rate",
    "达标 Met",
]


def export_rows(rows: list[OfficerDuty]) -> list[list[str]]:
    out = [HEADER]
    for row in rows:
        data = row.as_dict()
        out.append(
            [
                row.name,
                "、".join(row.grids),
                str(row.patrol_hours),
                str(row.distance_km),
                str(data["patrols"]),
                str(data["check_ins"]),
                str(data["reports"]),
                str(data["visits"]),
                str(data["working_days"]),
                str(data["days_met"]),
                str(data["reports_expected"]),
                str(data["visits_expected"]),
                "" if row.rate is None else f"{row.rate * 100:.1f}%",
                {True: "是 yes", False: "否 no", None: ""}[row.met],
            ]
        )
    return out


@login_required
@require_GET
def duty_export(request: HttpRequest) -> HttpResponse:
    if not may_see_duty(request.user):
        return refused(
            request, _("Duty sheets are for grid officers and the leaders of their areas.")
        )
    month = parse_month(request.GET.get("month"))
    rows = export_rows(sheet(request.user, month, _area(request)))
    if request.GET.get("format") == "xlsx":
        content = as_xlsx(rows, title="履职 Duty")
        kind, suffix = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    else:
        content, kind, suffix = as_csv(rows), "text/csv; charset=utf-8", "csv"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="duty-{month:%Y-%m}.{suffix}"'
    response["Cache-Control"] = "private, no-store"
    return response
