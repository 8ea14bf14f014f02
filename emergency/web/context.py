"""Template context for every page: which emergency pages the navigation offers (incidents,
notices, my notices, resources; "Emergency tasks" is offered to all staff)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from emergency.models import Recipient
from emergency.web.incidents import may_see_incidents
from emergency.web.notices import may_send_any
from emergency.web.resources import may_use


def _has_notices(user) -> bool:
    """Whoever has received a notice (staff or resident) or may send one."""
    return user.is_authenticated and (
        may_send_any(user) or Recipient.objects.filter(user=user).exists()
    )


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    # Lazy: read (from the request's remembered scope) only by a page that shows the menu.
    return {
        "may_incidents": SimpleLazyObject(lambda: may_see_incidents(user)),
        "may_send_notices": SimpleLazyObject(lambda: user.is_authenticated and may_send_any(user)),
        "has_notices": SimpleLazyObject(lambda: _has_notices(user)),
        "may_resources": SimpleLazyObject(lambda: user.is_authenticated and may_use(user)),
    }
