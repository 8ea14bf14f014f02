"""Template context for every page: whether the navigation offers the registry and patrols."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gridwork.access import sees_registry


def registry_navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    from gridwork.web.patrols import sees_patrols

    return {
        "may_registry": SimpleLazyObject(lambda: sees_registry(user)),
        "may_patrol_pages": SimpleLazyObject(lambda: sees_patrols(user)),
    }
