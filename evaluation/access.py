"""Who may see which evaluation: the same scope as cases (`governance.scope.scope_of`).

- an area's figures: whoever may see the cases of that area (a permission on it or an area
  above it): a grid officer their grids, a leader their subtree;
- a department's figures: its members, and whoever sees the cases of a whole city;
- a person's figures: the person, and whoever supervises (`escalate_cases`) every area the
  person is assigned to;
- administrators (superusers) everything.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from citizens.models import User
from evaluation.indicators import Scope
from governance.models import Area, Assignment
from governance.scope import scope_of

CITY_DEPTH = 1  # "/<city>/": one code


def _depth(path: str) -> int:
    return path.strip("/").count("/") + 1


def covers(paths: list[str], path: str) -> bool:
    return any(path.startswith(held) for held in paths)


def may_see_area(user: User | AnonymousUser, area: Area) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return covers(scope_of(user).area_paths("see_cases"), area.path)


def may_see_department(user: User | AnonymousUser, department_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = scope_of(user)
    if department_id in scope.departments:
        return True
    return any(_depth(path) == CITY_DEPTH for path in scope.area_paths("see_cases"))


def may_see_person(user: User | AnonymousUser, person: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk == person.pk:
        return True
    supervised = scope_of(user).area_paths("escalate_cases")
    if not supervised:
        return False
    paths = list(Assignment.objects.filter(user=person).values_list("area__path", flat=True))
    return bool(paths) and all(covers(supervised, path) for path in paths)


def may_see(user: User | AnonymousUser, scope: Scope) -> bool:
    """May `user` read the figures of `scope`?"""
    if scope.kind == "area" and scope.area is not None:
        return may_see_area(user, scope.area)
    if scope.kind == "department" and scope.department is not None:
        return may_see_department(user, scope.department.pk)
    if scope.kind == "person" and scope.person is not None:
        return may_see_person(user, scope.person)
    return False


def visible_areas(user: User | AnonymousUser) -> list[Area]:
    """The highest areas whose figures the person may see (where the cockpit starts)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Area.objects.active().filter(parent__isnull=True).order_by("code"))
    paths = sorted(scope_of(user).area_paths("see_cases"), key=len)
    tops: list[str] = []
    for path in paths:
        if not covers(tops, path):
            tops.append(path)
    return list(Area.objects.active().filter(path__in=tops).order_by("path"))
