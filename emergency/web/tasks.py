""" "My tasks": the plan steps a person owns, on the phone, with the feedback form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from emergency.plans import tasks_for
from emergency.web.forms import FeedbackForm
from governance.web.common import is_staff_member, refused


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        return refused(request, _("Emergency tasks are for staff."))
    tasks = list(tasks_for(request.user)[:200])
    for task in tasks:  # the owner's own list: every open step of an open incident
        task.may_feed_back = task.feedback_at is None and task.activation.incident.is_open
    open_tasks = [t for t in tasks if t.feedback_at is None]
    done = [t for t in tasks if t.feedback_at is not None]
    return render(
        request,
        "emergency/tasks.html",
        {"open_tasks": open_tasks, "done_tasks": done, "form": FeedbackForm()},
    )
