"""Template context for every page: which navigation the person gets, and the texts of its
scripts."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from governance.access import area_paths
from governance.models import Status
from governance.realtime import schemas
from governance.web.common import came_from, is_staff_member, may_file


def navigation(request: HttpRequest) -> dict:
    back = {"came_from": SimpleLazyObject(lambda: came_from(request) or "")}
    user = getattr(request, "user", None)
    if user is None:  # refused before authentication (governance.web.guard): no menu, a way back
        return back
    return {
        **back,
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


def page_texts(request: HttpRequest) -> dict:
    """`page_texts`: what the static scripts say, in the page's language, handed to them as a
    JSON script element (the CSP allows no inline script): the live announcements' wording
    with the status labels, and the map's zoom buttons."""
    return {
        "page_texts": {
            "statuses": {str(value): str(label) for value, label in Status.choices},
            "live": {
                schemas.CASE_CREATED: _("New case %(id)s: %(status)s"),
                schemas.CASE_TRANSITIONED: _("Case %(id)s is now %(status)s"),
                schemas.CASE_ESCALATED: _("Case %(id)s was escalated"),
                schemas.CASE_DUE_SOON: _("Case %(id)s is nearing its time limit"),
                schemas.CASE_OVERDUE: _("Case %(id)s is past its time limit"),
            },
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
        }
    }
