"""The incident pages: the list, the declare form, the board and its map data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case as CaseWhen
from django.db.models import Count, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from emergency import incidents as domain
from emergency import rollcall
from emergency.access import IncidentAction, Person, held_paths, incidents_for, may
from emergency.linking import TOGETHER_ACTIONS, linked_cases, suggested_cases
from emergency.maps import incident_map
from emergency.models import Incident, IncidentStatus, MessageType, Task
from emergency.notice_access import may_manage_notice
from emergency.plans import is_owner, plans_for
from emergency.web.forms import ChangeAreasForm, DeclareForm, LevelForm, NoteForm, TogetherForm
from governance.errors import NotPermitted, WorkflowError
from governance.models import Department
from governance.web.common import map_settings, refused


def may_see_incidents(user: Person) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool(held_paths(user, IncidentAction.VIEW))
    )


def may_declare(user: Person) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool(held_paths(user, IncidentAction.MANAGE))
    )


def visible_incident(user: Person, incident_id: int) -> Incident:
    """The incident if the person may see it, else 404 (nothing revealed)."""
    incident = incidents_for(user, IncidentAction.VIEW).filter(pk=incident_id).first()
    if incident is None:
        raise Http404
    return incident


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    if not may_see_incidents(request.user):
        return refused(request, _("Incidents are for staff with areas."))
    incidents = (
        incidents_for(request.user)
        .annotate(
            closed_last=CaseWhen(
                When(status=IncidentStatus.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .prefetch_related("affected__area")
        .order_by("closed_last", "level", "-created_at", "-pk")[:200]
    )
    return render(
        request,
        "emergency/incidents.html",
        {"incidents": incidents, "may_declare": may_declare(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest) -> HttpResponse:
    if not may_declare(request.user):
        return refused(request, _("Declaring an incident is for dispatchers and leaders."))
    form = DeclareForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = domain.declare_incident(
                by=request.user,
                title=data["title"],
                title_en=data["title_en"],
                kind=data["kind"],
                level=data["level"],
                areas=None if data["polygon"] else data["all_areas"],
                polygon=data["polygon"],
                exercise=data["exercise"],
                occurred_at=data["occurred_at"],
                categories=data["categories"],
                description=data["description"],
            )
        except NotPermitted as error:
            form.add_error(None, error.message)
        except WorkflowError as error:
            for field, problems in getattr(error, "errors", {"__all__": [error.message]}).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The incident was declared."))
            return redirect("emergency:incident", incident.pk)
    return render(request, "emergency/declare.html", {"form": form, "map": map_settings()})


@login_required
@require_http_methods(["GET", "POST"])
def change_areas(request: HttpRequest, incident_id: int) -> HttpResponse:
    """Widen or narrow the affected areas: the same choices as declaring."""
    incident = visible_incident(request.user, incident_id)
    if not may(request.user, IncidentAction.MANAGE, incident):
        return refused(request, _("You may not do this on this incident."))
    form = ChangeAreasForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.set_areas(
                incident_id=incident.pk,
                by=request.user,
                areas=None if data["polygon"] else data["all_areas"],
                polygon=data["polygon"],
                note=data["note"],
            )
        except NotPermitted as error:
            form.add_error(None, error.message)
        except WorkflowError as error:
            for field, problems in getattr(error, "errors", {"__all__": [error.message]}).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("The affected areas were changed."))
            return redirect("emergency:incident", incident.pk)
    return render(
        request,
        "emergency/declare.html",
        {
            "form": form,
            "map": map_settings(),
            "incident": incident,
            "areas": domain.affected_areas(incident),
        },
    )


def board_context(request: HttpRequest, incident: Incident) -> dict:
    user = request.user
    manages = may(user, IncidentAction.MANAGE, incident)
    tasks = list(
        Task.objects.filter(activation__incident=incident)
        .select_related("activation__plan", "owner_department", "feedback_by")
        .prefetch_related("owner_people")
        .order_by("activation__at", "order", "pk")
    )
    groups = set(user.groups.values_list("pk", flat=True))
    for task in tasks:
        task.may_feed_back = (
            task.feedback_at is None
            and incident.is_open
            and (manages or is_owner(user, task, group_ids=groups))
        )
    activated = {task.activation.plan_id for task in tasks}
    notices = list(
        incident.notices.annotate(followers=Count("followed_by")).order_by("-sent_at", "-pk")[:20]
    )
    for notice in notices:  # the Update / Cancel buttons of a public alert not yet revised
        notice.may_revise = (
            notice.public
            and notice.msg_type != MessageType.CANCEL
            and not notice.followers
            and (manages or may_manage_notice(user, notice))
        )
    return {
        "incident": incident,
        "manages": manages,
        "areas": domain.affected_areas(incident),
        "next_statuses": [(s, IncidentStatus(s).label) for s in domain.next_statuses(incident)]
        if manages
        else [],
        "tasks": tasks,
        "plans": [p for p in plans_for(incident) if p.pk not in activated]
        if manages and incident.is_open
        else [],
        "linked": list(linked_cases(incident, user)),
        "suggested": list(suggested_cases(incident, user)) if manages else [],
        "events": incident.events.select_related("actor").order_by("-at", "-pk")[:200],
        "notices": notices,
        # The newest notice's roll-call, live on the board as on its own page (counts only).
        "rollcall": rollcall.summary(notices[0]) if notices else None,
        "level_form": LevelForm(initial={"level": incident.level}),
        "note_form": NoteForm(),
        "together_form": TogetherForm(),
        "together_actions": TOGETHER_ACTIONS,
        "departments": Department.objects.order_by("code"),
        "map": map_settings(),
    }


@login_required
@require_GET
def board(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = visible_incident(request.user, incident_id)
    return render(request, "emergency/board.html", board_context(request, incident))


@login_required
@require_GET
def map_geojson(request: HttpRequest, incident_id: int) -> JsonResponse:
    incident = visible_incident(request.user, incident_id)
    response = JsonResponse(incident_map(incident, request.user))
    response["Cache-Control"] = "private, no-store"
    return response
