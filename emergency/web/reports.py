"""The after-action report of an incident: a printable page and xlsx (the same rows)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from emergency.report import after_action_report, as_xlsx
from emergency.web.incidents import visible_incident

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def report_page(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = visible_incident(request.user, incident_id)
    return render(request, "emergency/report.html", {"report": after_action_report(incident)})


@login_required
@require_GET
def report_xlsx(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = visible_incident(request.user, incident_id)
    response = HttpResponse(as_xlsx(after_action_report(incident)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="incident-{incident.pk}-report.xlsx"'
    return response
