"""Who may open the cockpit, and which areas and departments it shows them.

Read from the person's access scope (`governance.scope.scope_of`), the same one every case query
is built from: the cockpit reaches exactly the areas where the person leads, dispatches or
supervises (with everything beneath them), and the departments they belong to. A grid officer,
a citizen or an outsider reaches nothing, and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from governance.access import Person
from governance.models import Area, Department
from governance.scope import scope_of

# The permissions that make the cockpit someone's: leaders and dispatchers dispatch, leaders and
# supervisors escalate (governance.models.people.ROLE_PERMISSIONS). Both roles also see the
# cases, so every figure's cases open for them.
COCKPIT_PERMISSIONS = ("dispatch_cases", "escalate_cases")


@dataclass(frozen=True)
class Reach:
    """What the cockpit shows a person: the topmost area paths (each covering its subtree),
    the departments (ids) whose figures are theirs, or everything (an administrator)."""

    paths: tuple[str, ...] = ()
    departments: tuple[int, ...] = ()
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.paths or self.departments)

    def covers(self, area: Area) -> bool:
        return self.everything or any(area.path.startswith(p) for p in self.paths)

    def has_department(self, department: Department) -> bool:
        return self.everything or department.pk in self.departments


def _topmost(paths: list[str]) -> tuple[str, ...]:
    kept: list[str] = []
    for path in sorted(set(paths), key=lambda p: (len(p), p)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def reach_of(user: Person) -> Reach:
    if not user.is_authenticated or not user.is_active:
        return Reach()
    if user.is_superuser:
        return Reach(everything=True)
    scope = scope_of(user)  # remembered for the request: shared with the case filter
    see = set(scope.area_paths("see_cases"))
    paths = [
        path
        for codename in COCKPIT_PERMISSIONS
        for path in scope.area_paths(codename)
        if path in see or any(path.startswith(s) for s in see)
    ]
    return Reach(paths=_topmost(paths), departments=tuple(scope.departments))


def may_open_cockpit(user: Person) -> bool:
    return bool(reach_of(user))


def top_areas(reach: Reach) -> list[Area]:
    """The areas the cockpit starts from: the person's topmost ones (an administrator's: the
    cities)."""
    areas = Area.objects.active().defer("boundary")
    if reach.everything:
        return list(areas.filter(parent__isnull=True).order_by("path"))
    if not reach.paths:
        return []
    return list(areas.filter(path__in=reach.paths).order_by("path"))


def reachable_area(reach: Reach, code: str) -> Area | None:
    """The active area with this code, when the person's reach covers it (else None: the page
    answers 404 or 403 without telling what exists)."""
    if not reach.everything and not reach.paths:
        return None
    condition = Q()
    if not reach.everything:
        condition = Q(pk__in=[])
        for path in reach.paths:
            condition |= Q(path__startswith=path)
    return Area.objects.active().filter(condition, code=code).defer("boundary").first()


def reachable_department(reach: Reach, code: str) -> Department | None:
    department = Department.objects.filter(code=code).first()
    if department is None or not reach.has_department(department):
        return None
    return department


def departments_of(reach: Reach) -> list[Department]:
    if reach.everything:
        return list(Department.objects.order_by("code"))
    return list(Department.objects.filter(pk__in=reach.departments).order_by("code"))
