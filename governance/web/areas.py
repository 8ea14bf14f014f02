"""The area tree for leaders and administrators: per-area counts and boundaries on a map."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance import clock
from governance.access import Action, area_paths, cases_for
from governance.models import Level, Status
from governance.models.case import OPEN_STATUSES
from governance.web.common import grid_outlines, map_settings, refused
from governance.web.queue import visible_areas


def _may_overview(user) -> bool:
    return user.is_superuser or bool(
        area_paths(user, "escalate_cases") or area_paths(user, "dispatch_cases")
    )


def area_counts(user, now: datetime) -> dict[str, dict[str, int]]:
    """Per grid path: open, overdue and closed-this-month counts of the cases the person sees."""
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = (
        cases_for(user, Action.VIEW)
        .values("area_path")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
            closed=Count("pk", filter=Q(status=Status.CLOSED, closed_at__gte=month_start)),
        )
        .order_by()
    )
    return {row["area_path"]: row for row in rows}


@login_required
@require_GET
def area_tree(request: HttpRequest) -> HttpResponse:
    if not _may_overview(request.user):
        return refused(request, _("The area overview is for leaders and administrators."))
    areas = list(visible_areas(request.user).order_by("path"))
    by_path = area_counts(request.user, clock.now())
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"open": 0, "overdue": 0, "closed": 0})
    for path, row in by_path.items():
        for area in areas:
            if path.startswith(area.path):
                for key in ("open", "overdue", "closed"):
                    totals[area.path][key] += row[key]
    top = min((a.level for a in areas), default=Level.CITY)
    rows = [{"area": a, "depth": a.level - top, "counts": totals[a.path]} for a in areas]
    selected = request.GET.get("area")
    shown = [a for a in areas if a.code == selected] or [a for a in areas if a.level == Level.GRID]
    return render(
        request,
        "governance/areas.html",
        {
            "rows": rows,
            "map": map_settings(),
            "outlines": grid_outlines(shown),
            "selected": selected,
        },
    )
