"""A request's story in words: what its status means, what happens next, and who has it.

The public page, the reporter's page and the map's legend say the same thing about a status,
so the sentences live here, once, in both languages (the catalogs). A status also belongs to
one of five *groups* a map can tell apart at a glance — by colour, and by a shape and a label
for whoever cannot tell the colours apart or does not see the map.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.models import Status


@dataclass(frozen=True)
class StatusGroup:
    """Statuses a map draws alike: a key (the CSS class), a shape and a legend label."""

    key: str
    shape: str  # circle, square, diamond, triangle, cross: drawn by the stylesheet
    label: Promise


GROUPS: tuple[StatusGroup, ...] = (
    StatusGroup("new", "circle", _("New: waiting to be taken on")),
    StatusGroup("progress", "square", _("Being handled")),
    StatusGroup("resolved", "diamond", _("Fixed: being checked")),
    StatusGroup("closed", "triangle", _("Closed")),
    StatusGroup("ended", "cross", _("Not taken on (rejected, withdrawn or merged)")),
)
_BY_KEY = {group.key: group for group in GROUPS}

GROUP_OF: dict[str, str] = {
    Status.SUBMITTED: "new",
    Status.FILED: "new",
    Status.DISPATCHED: "progress",
    Status.IN_PROGRESS: "progress",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
    Status.REJECTED: "ended",
    Status.WITHDRAWN: "ended",
    Status.MERGED: "ended",
}


def status_group(status: str) -> StatusGroup:
    return _BY_KEY[GROUP_OF.get(status, "new")]


# What the status means now, and what happens next: one short sentence each.
_MEANING: dict[str, tuple[Promise, Promise]] = {
    Status.SUBMITTED: (
        _("The request has been received and is waiting to be checked."),
        _("Next: the officers check it and take it on as a case, or say why they cannot."),
    ),
    Status.FILED: (
        _("The request has been accepted as a case."),
        _("Next: it is passed to the department or officer who will fix it."),
    ),
    Status.DISPATCHED: (
        _("The case has been passed to the people who will fix it."),
        _("Next: they start the work and report when it is done."),
    ),
    Status.IN_PROGRESS: (
        _("Work on the problem has started."),
        _("Next: when it is done, the grid officer checks the result on site."),
    ),
    Status.RESOLVED: (
        _("The problem is reported fixed and is waiting to be checked."),
        _("Next: the grid officer checks on site; if it is not fixed it goes back for more work."),
    ),
    Status.CLOSED: (
        _("The problem was fixed and the fix was checked."),
        _("The reporter can rate the result, or reopen the request if the problem comes back."),
    ),
    Status.REJECTED: (
        _("The request was not taken on; the reason is in the steps below."),
        _("Nothing more happens to it. A new request with more details can be made."),
    ),
    Status.WITHDRAWN: (
        _("The person who reported it withdrew the request."),
        _("Nothing more happens to it."),
    ),
    Status.MERGED: (
        _("The request was merged into another one about the same problem."),
        _("Updates continue on the other request."),
    ),
}


def status_meaning(status: str) -> str:
    return str(_MEANING[status][0]) if status in _MEANING else ""


def next_step(status: str) -> str:
    return str(_MEANING[status][1]) if status in _MEANING else ""


def who_handles(*, status: str, grid: str = "", department: str = "", officer: bool = False) -> str:
    """Who has the request now, in words the reporter and the public understand.

    `grid`: the name of the grid it was routed to ("" when the point is outside every grid:
    the city's dispatchers have it); `department`: the department it is dispatched to;
    `officer`: it is dispatched to a person rather than a department.
    """
    if status in (Status.REJECTED, Status.WITHDRAWN, Status.MERGED):
        return gettext("Nobody: the request is no longer open.")
    if not grid and not department:
        return gettext(
            "The city's dispatchers: the place is outside every grid, so they will assign it "
            "to a grid."
        )
    if status == Status.SUBMITTED and grid:
        return gettext("The officers of grid %(grid)s, who will check it.") % {"grid": grid}
    if status == Status.FILED and grid:
        return gettext("The dispatchers for grid %(grid)s, who will pass it on.") % {"grid": grid}
    if status == Status.CLOSED:
        if department:
            return gettext("Nobody now: %(department)s fixed it and it is closed.") % {
                "department": department
            }
        return gettext("Nobody now: it is closed.")
    if department:
        return department
    if officer:
        return gettext("A grid officer of %(grid)s.") % {"grid": grid}
    return gettext("The officers of grid %(grid)s.") % {"grid": grid}
