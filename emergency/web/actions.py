"""The board's buttons: each posts a form, calls one domain function and comes back to the board
saying what happened (or, refused, why — and that nothing changed)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from emergency import incidents as domain
from emergency import linking, plans
from emergency.models import Plan, Task
from emergency.web.forms import (
    ActivateForm,
    FeedbackForm,
    LevelForm,
    LinkForm,
    NoteForm,
    StatusForm,
    TogetherForm,
)
from emergency.web.incidents import visible_incident
from governance.errors import NotPermitted, WorkflowError
from governance.web.common import refused


def _run(
    request: HttpRequest, back: str, change: Callable[[], str], *, form_ok: bool = True
) -> HttpResponse:
    if not form_ok:
        messages.error(request, _("Please check what you entered; nothing was changed."))
        return redirect(back)
    try:
        done = change()
    except NotPermitted as error:
        return refused(request, error.message, back=back)
    except WorkflowError as error:
        messages.error(request, _("%(why)s Nothing was changed.") % {"why": error.message})
    else:
        messages.success(request, done)
    return redirect(back)


def _board(incident_id: int) -> str:
    return reverse("emergency:incident", args=[incident_id])


@login_required
@require_POST
def change_status(request: HttpRequest, incident_id: int) -> HttpResponse:
    visible_incident(request.user, incident_id)
    form = StatusForm(request.POST)

    def change() -> str:
        incident = domain.change_status(
            incident_id=incident_id,
            by=request.user,
            to=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
        )
        return _("The incident is now %(status)s.") % {"status": incident.get_status_display()}

    return _run(request, _board(incident_id), change, form_ok=form.is_valid())


@login_required
@require_POST
def change_level(request: HttpRequest, incident_id: int) -> HttpResponse:
    visible_incident(request.user, incident_id)
    form = LevelForm(request.POST)

    def change() -> str:
        incident = domain.change_level(
            incident_id=incident_id,
            by=request.user,
            level=form.cleaned_data["level"],
            note=form.cleaned_data["note"],
        )
        return _("The level is now %(level)s.") % {"level": incident.get_level_display()}

    return _run(request, _board(incident_id), change, form_ok=form.is_valid())


@login_required
@require_POST
def add_note(request: HttpRequest, incident_id: int) -> HttpResponse:
    visible_incident(request.user, incident_id)
    form = NoteForm(request.POST)

    def change() -> str:
        domain.add_note(incident_id=incident_id, by=request.user, text=form.cleaned_data["text"])
        return _("The note was added to the timeline.")

    return _run(request, _board(incident_id), change, form_ok=form.is_valid())


@login_required
@require_POST
def link_cases(request: HttpRequest, incident_id: int) -> HttpResponse:
    visible_incident(request.user, incident_id)
    form = LinkForm(request.POST)

    def change() -> str:
        linked = linking.link_cases(
            incident_id=incident_id, by=request.user, case_ids=form.cleaned_data["cases"]
        )
        return _("Cases linked: %(n)d.") % {"n": len(linked)}

    return _run(request, _board(incident_id), change, form_ok=form.is_valid())


@login_required
@require_POST
def unlink_case(request: HttpRequest, incident_id: int, case_id: int) -> HttpResponse:
    visible_incident(request.user, incident_id)

    def change() -> str:
        linking.unlink_case(incident_id=incident_id, by=request.user, case_id=case_id)
        return _("The case was unlinked.")

    return _run(request, _board(incident_id), change)


@login_required
@require_POST
def together(request: HttpRequest, incident_id: int) -> HttpResponse:
    visible_incident(request.user, incident_id)
    form = TogetherForm(request.POST)

    def change() -> str:
        result = linking.handle_together(
            incident_id=incident_id,
            by=request.user,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            department=form.cleaned_data["department"],
        )
        for tracking_id, why in sorted(result.refused.items()):
            messages.warning(
                request,
                _("%(id)s was left as it is: %(why)s") % {"id": tracking_id, "why": why},
            )
        return _("Done on %(n)d linked cases.") % {"n": len(result.done)}

    return _run(request, _board(incident_id), change, form_ok=form.is_valid())


@login_required
@require_POST
def activate(request: HttpRequest, incident_id: int) -> HttpResponse:
    incident = visible_incident(request.user, incident_id)
    form = ActivateForm(request.POST)
    plan = Plan.objects.filter(pk=request.POST.get("plan") or 0, active=True).first()

    def change() -> str:
        activation, created = plans.activate_plan(incident=incident, plan=plan, by=request.user)
        if not created:
            return _("This plan was activated already.")
        return _("The plan was activated: %(n)d tasks, their owners told.") % {
            "n": activation.tasks.count()
        }

    return _run(request, _board(incident_id), change, form_ok=form.is_valid() and plan is not None)


@login_required
@require_POST
def feedback(request: HttpRequest, task_id: int) -> HttpResponse:
    task = Task.objects.select_related("activation").filter(pk=task_id).first()
    if task is None or not plans.may_see_task(request.user, task):
        return refused(request, _("There is no such task among yours."), status=404)
    pages = {"tasks": "emergency:my_tasks", "mine": "emergency:my_notices"}
    page = pages.get(request.POST.get("back", ""))
    back = reverse(page) if page else _board(task.activation.incident_id)
    form = FeedbackForm(request.POST)

    def change() -> str:
        plans.record_feedback(task_id=task_id, by=request.user, text=form.cleaned_data["feedback"])
        return _("Your feedback was recorded.")

    return _run(request, back, change, form_ok=form.is_valid())
