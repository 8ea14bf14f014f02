"""Template context for every page: which navigation the person gets."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from governance.access import area_paths
from governance.web.common import came_from, is_staff_member, may_file


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "came_from": SimpleLazyObject(lambda: came_from(request) or ""),
        "is_staff_member": SimpleLazyObject(lambda: is_staff_member(user)),
        "may_file": SimpleLazyObject(lambda: may_file(user)),
        "may_overview": SimpleLazyObject(
            lambda: (
                user.is_authenticated
                and (
                    user.is_superuser
                    or bool(
                        area_paths(user, "escalate_cases") or area_paths(user, "dispatch_cases")
                    )
                )
            )
        ),
    }
