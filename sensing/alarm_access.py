"""Who may see and acknowledge which alarms, and whose carbon figures: the one scoped-access
path, generalised (as `gridwork.access` and `emergency.access` do).

The person's scope is `governance.scope.scope_of`; the area conditions are
`governance.paths.at_or_beneath_any` on the alarm's `area_path` (its thing's grid).

- **view** alarms, and an area's carbon page: at or beneath an area where the person may see
  cases (`see_cases`);
- **acknowledge**: where they may report cases (`report_cases`): the grid's officers and those
  above them;
- administrators (superusers) everything. Anyone else — citizens, anonymous visitors, a
  department without an area — nothing: alarms and carbon figures are never public.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Q, QuerySet

from governance.models import Area
from governance.paths import at_or_beneath_any
from governance.scope import scope_of
from sensing.access import sees_sensing
from sensing.models import Alarm

__all__ = [
    "AlarmAction",
    "alarms_for",
    "area_filter",
    "areas_for",
    "home_area",
    "may_alarm",
    "may_see_area",
    "sees_sensing",
]

Person = AbstractUser | AnonymousUser


class AlarmAction(StrEnum):
    VIEW = "view"
    ACKNOWLEDGE = "acknowledge"


CODENAME = {AlarmAction.VIEW: "see_cases", AlarmAction.ACKNOWLEDGE: "report_cases"}
NOTHING = Q(pk__in=[])


def held_paths(user: Person, action: AlarmAction | str) -> list[str]:
    if not user.is_authenticated or not user.is_active:
        return []
    return scope_of(user).area_paths(CODENAME[AlarmAction(action)])


def area_filter(user: Person, action: AlarmAction | str, field: str = "area_path") -> Q:
    """The condition on `field` (an area path) selecting what `user` may `action` on."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    return at_or_beneath_any(held_paths(user, action), field)


def alarms_for(user: Person, action: AlarmAction | str = AlarmAction.VIEW) -> QuerySet[Alarm]:
    """The alarms `user` may `action` on: the only way to query alarms for a person."""
    return Alarm.objects.filter(area_filter(user, action))


def may_alarm(user: Person, action: AlarmAction | str, alarm: Alarm) -> bool:
    return alarms_for(user, action).filter(pk=alarm.pk).exists()


def may_see_area(user: Person, area: Area) -> bool:
    """Whether the area's figures (alarm counts, carbon) are the person's to see."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(area.path.startswith(p) for p in held_paths(user, AlarmAction.VIEW))


def areas_for(user: Person) -> QuerySet[Area]:
    """The areas whose figures the person may see."""
    return Area.objects.filter(area_filter(user, AlarmAction.VIEW, "path"))


def home_area(user: Person) -> Area | None:
    """The highest area the person sees: where their carbon page starts."""
    return areas_for(user).defer("boundary").order_by("level", "code").first()
