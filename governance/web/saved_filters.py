"""Saved queue filters: a person names the queue's current filter and taps it later.

Each person's own only: listed, saved and deleted through `owner=request.user`, so another
person's filter is a 404 like one that does not exist. What is kept is the queue's query
string, cut to the filter's own fields, and read back through the queue's form (which checks
an area against what the person may see today, not when it was saved).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.models import SavedFilter
from governance.web.queue import filter_query

MAX_PER_PERSON = 30
NAME_LENGTH = SavedFilter._meta.get_field("name").max_length


def _back(query: str) -> str:
    return reverse("governance:queue") + ("?" + query if query else "")


@login_required
@require_POST
def save_filter(request: HttpRequest) -> HttpResponse:
    query = filter_query(request.POST.get("query", ""))
    name = " ".join(request.POST.get("name", "").split())[:NAME_LENGTH]
    if not name:
        messages.error(request, _("Give the filter a name."))
        return redirect(_back(query))
    if SavedFilter.objects.filter(owner=request.user).count() >= MAX_PER_PERSON:
        messages.error(
            request,
            _("You have %(n)d saved filters already; delete one first.") % {"n": MAX_PER_PERSON},
        )
        return redirect(_back(query))
    try:
        with transaction.atomic():
            SavedFilter.objects.create(owner=request.user, name=name, query=query)
    except IntegrityError:
        messages.error(request, _("You already have a filter with that name."))
    else:
        messages.success(request, _("Filter saved: %(name)s.") % {"name": name})
    return redirect(_back(query))


@login_required
@require_POST
def delete_filter(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
    saved.delete()
    messages.success(request, _("Filter deleted: %(name)s.") % {"name": saved.name})
    return redirect(reverse("governance:queue"))
