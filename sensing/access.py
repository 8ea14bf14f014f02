"""Who may see and administer which things: the one scoped-access path, applied to sensing.

A thing lies at its grid's path (`area__path`). Staff see the things at or beneath the areas
where they may see cases (`see_cases`, from `governance.scope.scope_of`); they administer
(add, change) them where they may report cases (`report_cases`) and hold the model permission.
Administrators (superusers) see and administer everything, including things placed in no grid.
Citizens and anonymous visitors: nothing — sensing pages and the read API are for staff;
devices only write, with their own credential (`sensing.devices`).
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Q, QuerySet

from governance.paths import at_or_beneath_any
from governance.scope import scope_of
from sensing.models import Datastream, Thing

Person = AbstractUser | AnonymousUser
NOTHING = Q(pk__in=[])


class SensingAction(StrEnum):
    VIEW = "view"
    EDIT = "edit"


CODENAME = {SensingAction.VIEW: "see_cases", SensingAction.EDIT: "report_cases"}


def thing_filter(user: Person, action: SensingAction | str, *, field: str = "area__path") -> Q:
    """The condition selecting the things `user` may `action` on (`field` names the path)."""
    action = SensingAction(action)
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    if action == SensingAction.EDIT and not user.has_perm("sensing.change_thing"):
        return NOTHING
    return at_or_beneath_any(scope_of(user).area_paths(CODENAME[action]), field=field)


def things_for(user: Person, action: SensingAction | str = SensingAction.VIEW) -> QuerySet[Thing]:
    """The things `user` may `action` on: every page and API path starts here."""
    return Thing.objects.filter(thing_filter(user, action))


def datastreams_for(
    user: Person, action: SensingAction | str = SensingAction.VIEW
) -> QuerySet[Datastream]:
    return Datastream.objects.filter(thing_filter(user, action, field="thing__area__path"))


def sees_sensing(user: Person) -> bool:
    """Whether the sensing pages are for this person at all (the navigation link)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(scope_of(user).area_paths(CODENAME[SensingAction.VIEW]))


def may_place(user: Person, area_path: str | None) -> bool:
    """Whether `user` may administer a thing that lies at `area_path` (None: in no grid)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if area_path is None or not user.has_perm("sensing.change_thing"):
        return False
    held = scope_of(user).area_paths(CODENAME[SensingAction.EDIT])
    return any(area_path.startswith(path) for path in held)
