"""The notification centre's pages: thin views over `citizens.notifications`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import centre as notifications
from notifications.models import Notification, NotificationKind, NotificationPreference

CHANNELS = ("in_app", "email", "sms")


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "citizens:notifications")


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    rows = Notification.objects.filter(user=request.user, in_app=True).select_related("case")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    preferences = {p.kind: p for p in NotificationPreference.objects.filter(user=request.user)}
    kinds = []
    receivable = notifications.kinds_for(request.user)
    for value, label in NotificationKind.choices:
        if value not in receivable:  # a citizen is not asked about staff-only kinds
            continue
        row = preferences.get(value)
        current = (
            {channel: getattr(row, channel) for channel in CHANNELS}
            if row
            else NotificationPreference.defaults_for(value)
        )
        always = value in notifications.ALWAYS_DELIVERED
        kinds.append({"value": value, "label": label, "always": always, **current})
    return render(
        request,
        "citizens/notifications.html",
        {"page": page, "kinds": kinds, "unread": notifications.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notifications.mark_read(user=request.user, notification_id=notification_id)
    return _back(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(user=request.user)
    return _back(request)


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    choices: dict[str, dict[str, bool]] = {}
    for kind in notifications.kinds_for(request.user):  # the kinds the form offered
        choices[kind] = {channel: f"{kind}.{channel}" in request.POST for channel in CHANNELS}
    unknown = [
        key
        for key in request.POST
        if "." in key and key.split(".")[0] not in NotificationKind.values
    ]
    if unknown:
        return HttpResponseBadRequest(
            _("Unknown notification kind: %(kind)s") % {"kind": unknown[0]}
        )
    notifications.set_preferences(user=request.user, choices=choices)
    return _back(request)


@require_GET
def unread_fragment(request: HttpRequest) -> HttpResponse:
    """The header's unread count, re-fetched by live.js when a notification arrives."""
    return render(
        request,
        "citizens/unread.html",
        {"unread": notifications.unread_count(request.user)},
    )
