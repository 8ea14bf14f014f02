"""Template context for every page: whether the navigation offers the incidents and tasks."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from emergency.web.incidents import may_see_incidents


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    # Lazy: read (from the request's remembered scope) only by a page that shows the menu.
    return {"may_incidents": SimpleLazyObject(lambda: may_see_incidents(user))}
