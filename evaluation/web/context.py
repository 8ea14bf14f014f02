"""Template context for every page: whether the navigation offers the cockpit."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from evaluation.viewers import may_open_cockpit


def cockpit_navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    # Lazy: read (from the request's remembered scope) only by a page that shows the menu.
    return {"may_cockpit": SimpleLazyObject(lambda: may_open_cockpit(user))}
