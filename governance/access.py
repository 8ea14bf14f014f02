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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, CharField, ExpressionWrapper, Q, QuerySet, Value

from citizens.models import User
from governance import clock
from governance.models import (
    AreaGroupObjectPermission,
    AreaUserObjectPermission,
    Case,
    Department,
    SharingGrant,
)


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
    """Paths where the person (or one of their groups) holds `codename`.

    A permission counts on an active area, and on a retired area that was redrawn (replaced by
    an active one): there it covers the cases filed in the old drawing and those in its
    replacement, so a redrawn grid keeps its officers.
    """
    if not user.is_authenticated:
        return []
    current = Q(content_object__retired_at__isnull=True) | Q(
        content_object__replaced_by__isnull=False,
        content_object__replaced_by__retired_at__isnull=True,
    )
    columns = ("content_object__path", "content_object__replaced_by__path")
    direct = (
        AreaUserObjectPermission.objects.filter(user=user, permission__codename=codename)
        .filter(current)
        .values_list(*columns)
    )
    via_groups = (
        AreaGroupObjectPermission.objects.filter(group__user=user, permission__codename=codename)
        .filter(current)
        .values_list(*columns)
    )
    return sorted({path for row in direct.union(via_groups) for path in row if path})


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


def _granted(user: Person, *, personal_data: bool) -> Q:
    """Cases shared with the person's departments by grants still in force."""
    grants = SharingGrant.objects.current(clock.now()).filter(
        department__group__user=user, area__retired_at__isnull=True
    )
    if personal_data:
        grants = grants.filter(with_personal_data=True)
    condition = Q(pk__in=[])
    for grant in grants.select_related("area").prefetch_related("categories"):
        categories = [c.pk for c in grant.categories.all()]
        if categories:
            condition |= Q(area_path__startswith=grant.area.path, category__in=categories)
    return condition


@dataclass(frozen=True)
class Sources:
    """What one person's access is made of, read once for several actions (`permits`)."""

    paths: dict[str, list[str]]  # area permission codename → paths, as `area_paths`
    departments: list[int]
    grants: list[tuple[str, list[int], bool]]  # area path, categories, with personal data

    @classmethod
    def read(cls, user: User) -> Sources:
        """Three queries: the area permissions of every codename, departments, grants."""
        current = Q(content_object__retired_at__isnull=True) | Q(
            content_object__replaced_by__isnull=False,
            content_object__replaced_by__retired_at__isnull=True,
        )
        columns = (
            "permission__codename",
            "content_object__path",
            "content_object__replaced_by__path",
        )
        direct = (
            AreaUserObjectPermission.objects.filter(user=user).filter(current).values_list(*columns)
        )
        via_groups = (
            AreaGroupObjectPermission.objects.filter(group__user=user)
            .filter(current)
            .values_list(*columns)
        )
        paths: dict[str, set[str]] = {}
        for codename, *found in direct.union(via_groups):
            paths.setdefault(codename, set()).update(path for path in found if path)
        departments = list(Department.objects.filter(group__user=user).values_list("pk", flat=True))
        grants: dict[int, tuple[str, list[int], bool]] = {}
        rows = (
            SharingGrant.objects.current(clock.now())
            .filter(department__group__user=user, area__retired_at__isnull=True)
            .values_list("pk", "area__path", "with_personal_data", "categories")
        )
        for pk, path, personal, category in rows:
            grant = grants.setdefault(pk, (path, [], personal))
            if category is not None:
                grant[1].append(category)
        return cls(
            {codename: sorted(found) for codename, found in paths.items()},
            departments,
            list(grants.values()),
        )


def case_filter(user: Person, action: Action | str, *, sources: Sources | None = None) -> Q:
    """The condition that selects the cases `user` may act on with `action`.

    `sources`: the person's access read once already (`Sources.read`), for several actions.
    """
    action = Action(action)
    if action == Action.PUBLIC:
        return Q()  # every case, to be shown only through the anonymised public fields
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser and action != Action.OWN:
        return Q()  # an administrator does everything but what only the reporter does
    condition = Q(pk__in=[])
    if action in AREA_PERMISSION:
        codename = AREA_PERMISSION[action]
        paths = sources.paths.get(codename, []) if sources else area_paths(user, codename)
        condition |= _covering(paths)
    if action in (Action.VIEW, Action.HANDLE):
        # The person's departments as literal ids (one small query), not a subquery: a
        # subquery in this OR makes PostgreSQL filter every open case instead of combining
        # index scans (BENCHMARKS.md, the queue figure).
        departments = (
            sources.departments
            if sources
            else list(Department.objects.filter(group__user=user).values_list("pk", flat=True))
        )
        if departments:
            condition |= Q(assignee_department__in=departments)
        condition |= Q(assignee=user)  # dispatched to this person
    if action in (Action.VIEW, Action.OWN, Action.SEE_PERSONAL_DATA):
        condition |= Q(reporter=user)
    if action in (Action.VIEW, Action.SEE_PERSONAL_DATA):
        personal_data = action == Action.SEE_PERSONAL_DATA
        if sources is None:
            condition |= _granted(user, personal_data=personal_data)
        else:
            for path, categories, with_personal_data in sources.grants:
                if categories and (with_personal_data or not personal_data):
                    condition |= Q(area_path__startswith=path, category__in=categories)
    return condition


def cases_for(user: Person, action: Action | str = Action.VIEW) -> QuerySet[Case]:
    """The cases `user` may act on with `action`: the only way to query cases for a person."""
    return Case.objects.filter(case_filter(user, action))


def may(user: Person, action: Action | str, case: Case) -> bool:
    return cases_for(user, action).filter(pk=case.pk).exists()


def permits(user: Person, case: Case, actions: Iterable[Action | str]) -> dict[Action, bool]:
    """`may(user, action, case)` for each of several actions, in at most four queries in all
    (a case's page or API answer asks for up to six actions, four queries each)."""
    wanted = sorted({Action(action) for action in actions})
    if not wanted:
        return {}
    simple = not user.is_authenticated or not user.is_active or user.is_superuser
    sources = None if simple else Sources.read(user)
    checks = {
        f"may_{action.value}": ExpressionWrapper(
            case_filter(user, action, sources=sources), output_field=BooleanField()
        )
        for action in wanted
    }
    row = Case.objects.filter(pk=case.pk).annotate(**checks).values(*checks).first()
    if row is None:
        return dict.fromkeys(wanted, False)
    return {action: bool(row[f"may_{action.value}"]) for action in wanted}


def sees_internal_notes(user: Person, case: Case) -> bool:
    """Staff see a case's internal notes; its reporter (not staff for it) sees the public ones."""
    return case.reporter_id != getattr(user, "pk", None) or may(user, Action.REPORT, case)


def viewers(people: Iterable[User], case: Case) -> set[int]:
    """The ids of those among `people` who may view `case`: `may(person, VIEW, case)` for each,
    in one query whatever their number (two once the case is dispatched): notifying a grid's
    officers must not cost four queries per person.

    The same sources as `case_filter`, matched against the case's own fields (the case as
    saved, e.g. inside the transaction that saves it): area permissions covering its path,
    its department or assignee, its reporter, and sharing grants in force for its category.
    """
    people = [p for p in people if p.is_authenticated and p.is_active]
    allowed = {
        p.pk
        for p in people
        if p.is_superuser or p.pk == case.assignee_id or p.pk == case.reporter_id
    }
    rest = [p.pk for p in people if p.pk not in allowed]
    if not rest:
        return allowed
    codename = AREA_PERMISSION[Action.VIEW]
    current = Q(content_object__retired_at__isnull=True) | Q(
        content_object__replaced_by__isnull=False,
        content_object__replaced_by__retired_at__isnull=True,
    )
    columns = ("content_object__path", "content_object__replaced_by__path")
    direct = (
        AreaUserObjectPermission.objects.filter(user__in=rest, permission__codename=codename)
        .filter(current)
        .values_list("user", *columns)
    )
    via_groups = (
        AreaGroupObjectPermission.objects.filter(
            group__user__in=rest, permission__codename=codename
        )
        .filter(current)
        .values_list("group__user", *columns)
    )
    granted = (
        SharingGrant.objects.current(clock.now())
        .filter(
            department__group__user__in=rest,
            area__retired_at__isnull=True,
            categories__pk=case.category_id,
        )
        .annotate(no_path=Value(None, output_field=CharField()))
        .order_by()
        .values_list("department__group__user", "area__path", "no_path")
    )
    # The paths that admit each person, from area permissions and grants, in one query.
    for user_id, *paths in direct.union(via_groups, granted):
        if any(path and case.area_path.startswith(path) for path in paths):
            allowed.add(user_id)
    if case.assignee_department_id:
        allowed.update(
            User.objects.filter(
                pk__in=rest, groups__department__pk=case.assignee_department_id
            ).values_list("pk", flat=True)
        )
    return allowed
