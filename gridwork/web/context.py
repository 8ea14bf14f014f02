"""Template context for every page: whether the navigation offers the registry."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from gridwork.access import sees_registry


def registry_navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"may_registry": SimpleLazyObject(lambda: sees_registry(user))}
