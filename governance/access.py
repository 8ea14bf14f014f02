"""The one scoped-access path: (person, action) → the cases they may act on.

Every page, API endpoint, Open311 response, export and websocket consumer starts from
`cases_for`. Nothing else filters cases by who is asking.

Sources of access:
- area permissions (django-guardian, on areas; a permission on an area covers everything
  beneath it, matched by the case's area path);
- the person's department, or the person themselves: cases assigned to them (to see, start
  and resolve);
- the person's own requests (to see, withdraw, reopen, rate, add information);
- for a browser not signed in, the requests without an account it holds (`CaseHolder`: the
  ones it filed, or opened with a one-time link sent to their contact): the same as its own;
- sharing grants to the person's departments: cases of the granted categories under the
  granted area, while the grant has not expired (checked at query time, so expiry needs no
  job); personal data only through grants made `with_personal_data`;
- the city's unrouted queue: a case whose pin is outside every grid waits at its city, and
  whoever dispatches for a whole district of that city (`dispatch_cases` on the district)
  sees it, accepts it and dispatches or routes it, as they would one of their district's
  (`UNROUTED_ACTIONS`). A street leader's dispatch right does not reach it.

What the person holds (area paths, departments, grants) is read in one query by
`governance.scope.scope_of` and, inside a request, remembered until the request ends or one
of those sources changes; the case filter is built from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper, IntegerField, Q, QuerySet, Value

from governance.models import Case
from governance.paths import at_or_beneath, at_or_beneath_any
from governance.scope import Scope, read_scopes, scope_of


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


# Where a browser's session keeps the tracking ids it holds (see `CaseHolder`).
HELD_CASES_KEY = "submitted_tracking_ids"


def holder_or_user(user: Person | None, session: Any) -> Person | None:
    """The person a request or socket acts as: a browser not signed in that holds requests
    filed without an account is their `CaseHolder`; anyone else is themselves."""
    if user is not None and not user.is_authenticated and session is not None:
        held = session.get(HELD_CASES_KEY) or []
        if held:
            return CaseHolder(held)
    return user


class CaseHolder(AnonymousUser):
    """A browser not signed in, holding the reporter's part of requests filed without an
    account: those it filed, or opened with the one-time link sent to their contact (the
    tracking ids its session keeps, `citizens.views.requests.SUBMITTED_KEY`). It sees them
    as their reporter does and takes the reporter's actions on them; nothing else."""

    def __init__(self, tracking_ids: Iterable[str]) -> None:
        super().__init__()
        self.held_tracking_ids = frozenset(str(t) for t in tracking_ids)


# The domain names the signed-in person by what `settings.AUTH_USER_MODEL` is (an
# AbstractUser), never by the app that defines it: `governance` imports no page.
Person = AbstractUser | AnonymousUser

# What a district's dispatchers may do on their city's unrouted cases: what their role gives
# them in their district, short of what only the grid's own staff do (verify, escalate).
UNROUTED_ACTIONS = frozenset(
    {Action.VIEW, Action.REPORT, Action.INTAKE, Action.DISPATCH, Action.SEE_PERSONAL_DATA}
)
DISTRICT_DEPTH = 2  # /city/district/: the path of a district has two codes


def city_path(path: str) -> str:
    """The path of the city an area path lies in (its first code)."""
    return "/" + path.strip("/").split("/")[0] + "/"


def unrouted_cities(scope: Scope, action: Action) -> list[str]:
    """The paths of the cities whose unrouted queue the person may `action` on: where they
    hold both the action's permission and `dispatch_cases` on the city or one of its districts.
    """
    if action not in UNROUTED_ACTIONS:
        return []
    held = set(scope.area_paths(AREA_PERMISSION[action]))
    return sorted(
        {
            city_path(path)
            for path in scope.area_paths(AREA_PERMISSION[Action.DISPATCH])
            if path in held and path.strip("/").count("/") < DISTRICT_DEPTH
        }
    )


def _held(user: AnonymousUser, action: Action, *, as_staff: bool) -> Q:
    """What a browser not signed in may act on: the reporter's part of the requests without
    an account that it holds (`CaseHolder`); nothing for anyone else."""
    held = getattr(user, "held_tracking_ids", None)
    if not held or as_staff or action not in (Action.VIEW, Action.OWN):
        return Q(pk__in=[])
    return Q(tracking_id__in=sorted(held), reporter__isnull=True)


def area_paths(user: Person, codename: str) -> list[str]:
    """Paths where the person (or one of their groups) holds `codename` (see `scope_of`)."""
    return scope_of(user).area_paths(codename)


def _covering(paths: list[str]) -> Q:
    """Cases at or beneath any of the paths (`governance.paths`: a grid by equality)."""
    return at_or_beneath_any(paths)


def _granted(scope: Scope, *, personal_data: bool) -> Q:
    """Cases shared with the person's departments by grants still in force."""
    condition = Q(pk__in=[])
    for grant in scope.grants:
        if grant.with_personal_data or not personal_data:
            condition |= at_or_beneath(grant.path) & Q(category__in=grant.categories)
    return condition


def case_filter(
    user: Person, action: Action | str, *, scope: Scope | None = None, as_staff: bool = False
) -> Q:
    """The condition that selects the cases `user` may act on with `action`.

    `scope`: the person's `scope_of`, when the caller has it already (outside a request it is
    read afresh each time). `as_staff`: leave out what the person may do only as a case's
    reporter (the staff pages are for cases the person has a staff role on).
    """
    action = Action(action)
    if action == Action.PUBLIC:
        return Q()  # every case, to be shown only through the anonymised public fields
    if not user.is_authenticated:
        return _held(user, action, as_staff=as_staff)
    if not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser and action != Action.OWN:
        return Q()  # an administrator does everything but what only the reporter does
    return _condition(
        user, action, scope if scope is not None else scope_of(user), as_staff=as_staff
    )


def _condition(user: AbstractUser, action: Action, scope: Scope, *, as_staff: bool = False) -> Q:
    """`case_filter` of an active person who is not an administrator, from their scope: the one
    place for what grants access (`case_filter` and `may_each` both build on it)."""
    condition = Q(pk__in=[])
    if action in AREA_PERMISSION:
        condition |= _covering(scope.area_paths(AREA_PERMISSION[action]))
        cities = unrouted_cities(scope, action)
        if cities:
            condition |= Q(grid__isnull=True, area_path__in=cities)
    if action in (Action.VIEW, Action.HANDLE):
        # The person's departments as literal ids (read with the scope), not a subquery: a
        # subquery in this OR makes PostgreSQL filter every open case instead of combining
        # index scans (BENCHMARKS.md, the queue figure).
        if scope.departments:
            condition |= Q(assignee_department__in=list(scope.departments))
        condition |= Q(assignee=user)  # dispatched to this person
    if action in (Action.VIEW, Action.OWN, Action.SEE_PERSONAL_DATA) and not as_staff:
        condition |= Q(reporter=user)
    if action in (Action.VIEW, Action.SEE_PERSONAL_DATA):
        condition |= _granted(scope, personal_data=action == Action.SEE_PERSONAL_DATA)
    return condition


def cases_for(
    user: Person, action: Action | str = Action.VIEW, *, as_staff: bool = False
) -> QuerySet[Case]:
    """The cases `user` may act on with `action`: the only way to query cases for a person.

    `as_staff`: only through a staff role (not as the case's reporter), see `case_filter`."""
    return Case.objects.filter(case_filter(user, action, as_staff=as_staff))


def may(user: Person, action: Action | str, case: Case) -> bool:
    return cases_for(user, action).filter(pk=case.pk).exists()


def permitted(user: Person, case: Case, actions: Iterable[Action | str]) -> frozenset[Action]:
    """Which of `actions` `user` may take on `case`: `may` for each, read in one query.

    Each action's `case_filter` becomes a column of the case's one row, instead of one EXISTS
    per action (a page showing a case asks about up to seven).
    """
    wanted = sorted({Action(action) for action in actions})
    # The person's scope read once for every column (an administrator's only for OWN).
    scoped = user.is_authenticated and user.is_active and wanted
    scope = scope_of(user) if scoped and (not user.is_superuser or Action.OWN in wanted) else None
    columns = {
        action.value: ExpressionWrapper(
            case_filter(user, action, scope=scope), output_field=BooleanField()
        )
        for action in wanted
    }
    if not columns:
        return frozenset()
    row = Case.objects.filter(pk=case.pk).values(**columns).first()
    if row is None:
        return frozenset()
    return frozenset(action for action in wanted if row[action.value])


def may_each(
    pairs: Iterable[tuple[AbstractUser, Case]], action: Action | str = Action.VIEW
) -> set[tuple[int, int]]:
    """`may` for many (person, case) pairs at once: the (person id, case id) pairs allowed.

    The same conditions as `case_filter`, built from everybody's scopes read together (one
    query, `read_scopes`) and checked against the cases in one UNION query (per 50 people):
    two queries in all, whether it is the officers told about one new case or the hundreds of
    people the time-limit sweep notifies about hundreds of cases (`may` costs two each).
    """
    action = Action(action)
    people: dict[int, AbstractUser] = {}
    cases_of: dict[int, set[int]] = {}
    for person, case in pairs:
        people[person.pk] = person
        cases_of.setdefault(person.pk, set()).add(case.pk)
    if not people:
        return set()
    everything = action == Action.PUBLIC
    # Those whose answer needs their scope: everybody else gets everything or nothing.
    scoped = [
        pk
        for pk, p in people.items()
        if p.is_authenticated
        and p.is_active
        and not everything
        and not (p.is_superuser and action != Action.OWN)
    ]
    scopes = read_scopes(scoped) if scoped else {}
    parts = []
    for pk, person in people.items():
        if pk in scopes:
            condition = _condition(person, action, scopes[pk])
        else:
            condition = case_filter(person, action)  # everything or nothing: no query
        parts.append(
            Case.objects.filter(condition, pk__in=sorted(cases_of[pk]))
            .annotate(person=Value(pk, output_field=IntegerField()))
            .order_by()
            .values_list("pk", "person")
        )
    allowed: set[tuple[int, int]] = set()
    for start in range(0, len(parts), 50):  # SQLite allows 500 terms in a compound SELECT
        chunk = parts[start : start + 50]
        query = chunk[0].union(*chunk[1:], all=True) if len(chunk) > 1 else chunk[0]
        allowed |= {(person, case) for case, person in query}
    return allowed


def sees_internal_notes(user: Person, case: Case) -> bool:
    """Staff see a case's internal entries; its reporter (not staff for it) sees the entries
    whose audience is the reporter or the public (`governance.audience`)."""
    return case.reporter_id != getattr(user, "pk", None) or may(user, Action.REPORT, case)


def with_may(
    cases: QuerySet[Case], user: Person, action: Action | str, *, name: str
) -> QuerySet[Case]:
    """`cases` with a boolean column `name`: whether `user` may `action` on each row.

    `may` for every row of a list in the list's own query (a column, not a query per row).
    """
    condition = case_filter(user, action)
    if not condition:  # everything (an administrator): an empty condition compiles to nothing
        column = Value(True, output_field=BooleanField())
    elif condition == Q(pk__in=[]):
        column = Value(False, output_field=BooleanField())
    else:
        column = ExpressionWrapper(condition, output_field=BooleanField())
    return cases.annotate(**{name: column})
