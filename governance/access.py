"""The one scoped-access path: (person, action) → the cases they may act on.

Every page, API endpoint, Open311 response, export and websocket consumer starts from
`cases_for`. Nothing else filters cases by who is asking.

Sources of access:
- area permissions (django-guardian, on areas; a permission on an area covers everything
  beneath it, matched by the case's area path);
- the person's department, or the person themselves: cases assigned to them (to see, start
  and resolve);
- the person's own requests (to see, withdraw, reopen, rate, add information);
- sharing grants to the person's departments: cases of the granted categories under the
  granted area, while the grant has not expired (checked at query time, so expiry needs no
  job); personal data only through grants made `with_personal_data`.

What the person holds (area paths, departments, grants) is read in one query by
`governance.scope.scope_of` and, inside a request, remembered until the request ends or one
of those sources changes; the case filter is built from it.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from citizens.models import User
from governance.models import Case
from governance.scope import Scope, scope_of


class Action(StrEnum):
    VIEW = "view"
    REPORT = "report"  # file on a caller's behalf or from patrol, in the person's areas
    INTAKE = "intake"  # accept, reject, merge
    DISPATCH = "dispatch"
    HANDLE = "handle"  # start and resolve: the assigned department
    VERIFY = "verify"
    ESCALATE = "escalate"
    OWN = "own"  # what only the reporter does: withdraw, reopen, rate
    SEE_PERSONAL_DATA = "see_personal_data"
    PUBLIC = "public"  # the anonymised public record (Open311, open-data exports)


# The guardian permission on areas that grants each action, where one does.
AREA_PERMISSION = {
    Action.VIEW: "see_cases",
    Action.REPORT: "report_cases",
    Action.INTAKE: "intake_cases",
    Action.DISPATCH: "dispatch_cases",
    Action.VERIFY: "verify_cases",
    Action.ESCALATE: "escalate_cases",
    Action.SEE_PERSONAL_DATA: "see_personal_data",
}

Person = User | AnonymousUser


def area_paths(user: Person, codename: str) -> list[str]:
    """Paths where the person (or one of their groups) holds `codename` (see `scope_of`)."""
    return scope_of(user).area_paths(codename)


def _covering(paths: list[str]) -> Q:
    """One OR of path prefixes, dropping paths already covered by a shorter one."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    condition = Q(pk__in=[])
    for path in kept:
        condition |= Q(area_path__startswith=path)
    return condition


def _granted(scope: Scope, *, personal_data: bool) -> Q:
    """Cases shared with the person's departments by grants still in force."""
    condition = Q(pk__in=[])
    for grant in scope.grants:
        if grant.with_personal_data or not personal_data:
            condition |= Q(area_path__startswith=grant.path, category__in=grant.categories)
    return condition


def case_filter(user: Person, action: Action | str) -> Q:
    """The condition that selects the cases `user` may act on with `action`."""
    action = Action(action)
    if action == Action.PUBLIC:
        return Q()  # every case, to be shown only through the anonymised public fields
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser and action != Action.OWN:
        return Q()  # an administrator does everything but what only the reporter does
    scope = scope_of(user)
    condition = Q(pk__in=[])
    if action in AREA_PERMISSION:
        condition |= _covering(scope.area_paths(AREA_PERMISSION[action]))
    if action in (Action.VIEW, Action.HANDLE):
        # The person's departments as literal ids (read with the scope), not a subquery: a
        # subquery in this OR makes PostgreSQL filter every open case instead of combining
        # index scans (BENCHMARKS.md, the queue figure).
        if scope.departments:
            condition |= Q(assignee_department__in=scope.departments)
        condition |= Q(assignee=user)  # dispatched to this person
    if action in (Action.VIEW, Action.OWN, Action.SEE_PERSONAL_DATA):
        condition |= Q(reporter=user)
    if action in (Action.VIEW, Action.SEE_PERSONAL_DATA):
        condition |= _granted(scope, personal_data=action == Action.SEE_PERSONAL_DATA)
    return condition


def cases_for(user: Person, action: Action | str = Action.VIEW) -> QuerySet[Case]:
    """The cases `user` may act on with `action`: the only way to query cases for a person."""
    return Case.objects.filter(case_filter(user, action))


def may(user: Person, action: Action | str, case: Case) -> bool:
    return cases_for(user, action).filter(pk=case.pk).exists()


def sees_internal_notes(user: Person, case: Case) -> bool:
    """Staff see a case's internal notes; its reporter (not staff for it) sees the public ones."""
    return case.reporter_id != getattr(user, "pk", None) or may(user, Action.REPORT, case)
