"""Who may open the cockpit, and where it starts for them.

The cockpit is for leaders, supervisors, dispatchers and departments (DESIGN: "leaders,
supervisors, dispatchers, department heads"): whoever holds `dispatch_cases` or `escalate_cases`
on an area, belongs to a department, or administers. A grid officer, a citizen or an outsider
is refused. Which figures they then see is `evaluation.access` (the API's rule, read from the
same scope as every case query): an area's figures for whoever sees its cases, a department's
for its members; and the cases behind a figure are always cut by `cases_for`.
"""

from __future__ import annotations

from django.db.models import Q

from evaluation import access
from governance.access import Person
from governance.models import Area, Department
from governance.scope import scope_of

# The permissions that open the cockpit: leaders and dispatchers dispatch, leaders and
# supervisors escalate (governance.models.people.ROLE_PERMISSIONS).
COCKPIT_PERMISSIONS = ("dispatch_cases", "escalate_cases")


def may_open_cockpit(user: Person) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = scope_of(user)  # remembered for the request: shared with the case filter
    return bool(scope.departments) or any(scope.area_paths(c) for c in COCKPIT_PERMISSIONS)


def top_areas(user: Person) -> list[Area]:
    """Where the cockpit starts: the person's topmost areas (an administrator's: the cities)."""
    return access.visible_areas(user)


def reachable_area(user: Person, code: str) -> Area | None:
    """The active area with this code when the person may see its figures, else None (the page
    refuses without telling whether it exists)."""
    area = Area.objects.active().filter(code=code).defer("boundary").first()
    if area is None or not access.may_see_area(user, area):
        return None
    return area


def reachable_department(user: Person, code: str) -> Department | None:
    department = Department.objects.filter(code=code).first()
    if department is None or not access.may_see_department(user, department.pk):
        return None
    return department


def own_departments(user: Person) -> list[Department]:
    """The departments the person belongs to (an administrator's: none of their own)."""
    if not user.is_authenticated or user.is_superuser:
        return []
    return list(
        Department.objects.filter(Q(pk__in=list(scope_of(user).departments))).order_by("code")
    )


def may_open_department(user: Person, department: Department) -> bool:
    return access.may_see_department(user, department.pk)
