"""Template context for every page: whether the navigation offers the sensing pages."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sensing.access import sees_sensing


def sensing_navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"may_sensing": SimpleLazyObject(lambda: sees_sensing(user))}
