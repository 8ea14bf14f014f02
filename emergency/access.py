"""Who may see and act on which incident: the one scoped-access path, generalised.

The person's scope is `governance.scope.scope_of` — the same area permissions as for cases,
read in the same one query and remembered for the request; nothing here reads permissions
another way.

- **view**: an incident is seen by whoever may see the cases (`see_cases`) of an area it
  touches — an area at or beneath one of their areas (a leader of the district sees the flood
  in one of its communities), or an area above one of theirs (the grid officer in a flooded
  community sees the flood declared on the community);
- **manage** (declare, change, link cases, activate plans, send notices, edit resources):
  whoever dispatches (`dispatch_cases`) for an area at or above every area the incident
  touches — a street dispatcher manages a flood of two of the street's communities, not one
  that also reaches the next street;
- administrators (superusers) both, everywhere.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from emergency.models import Incident, IncidentArea
from governance.scope import scope_of

Person = AbstractUser | AnonymousUser


class IncidentAction(StrEnum):
    VIEW = "view"
    MANAGE = "manage"


CODENAME = {IncidentAction.VIEW: "see_cases", IncidentAction.MANAGE: "dispatch_cases"}


def prefixes(path: str) -> list[str]:
    """A path and every path above it: "/a/b/c/" → ["/a/", "/a/b/", "/a/b/c/"]."""
    codes = [code for code in path.strip("/").split("/") if code]
    return ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]


def held_paths(user: Person, action: IncidentAction | str) -> list[str]:
    """The area paths where the person holds what `action` needs."""
    if not user.is_authenticated:
        return []
    return scope_of(user).area_paths(CODENAME[IncidentAction(action)])


def covers(paths: list[str], path: str) -> bool:
    return any(path.startswith(held) for held in paths)


def _touching(paths: list[str]) -> Q:
    """Affected-area rows at or beneath one of `paths`, or above one of them."""
    condition = Q(pk__in=[])
    above: set[str] = set()
    for path in paths:
        condition |= Q(path__startswith=path)
        above.update(prefixes(path))
    if above:
        condition |= Q(path__in=sorted(above))
    return condition


def incidents_for(user: Person, action: IncidentAction | str = IncidentAction.VIEW) -> QuerySet:
    """The incidents the person may see (or manage)."""
    action = IncidentAction(action)
    incidents = Incident.objects.all()
    if not user.is_authenticated:
        return incidents.none()
    if user.is_superuser:
        return incidents
    paths = held_paths(user, action)
    if not paths:
        return incidents.none()
    if action == IncidentAction.VIEW:
        touching = IncidentArea.objects.filter(_touching(paths), incident=OuterRef("pk"))
        return incidents.filter(Exists(touching))
    # Manage: no affected area outside the person's dispatch paths (and at least one area).
    outside = IncidentArea.objects.filter(incident=OuterRef("pk")).exclude(_covering_q(paths))
    return incidents.filter(Exists(IncidentArea.objects.filter(incident=OuterRef("pk")))).exclude(
        Exists(outside)
    )


def _covering_q(paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def may(user: Person, action: IncidentAction | str, incident: Incident) -> bool:
    """May the person do `action` on this incident? Answers from the scope and the incident's
    affected paths, no query beyond them."""
    action = IncidentAction(action)
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    paths = held_paths(user, action)
    if not paths:
        return False
    affected = list(incident.affected.values_list("path", flat=True))
    if action == IncidentAction.VIEW:
        return any(
            covers(paths, path) or any(held.startswith(path) for held in paths) for path in affected
        )
    return bool(affected) and all(covers(paths, path) for path in affected)


def may_manage_areas(user: Person, area_paths: list[str]) -> bool:
    """May the person declare an incident on these areas (dispatch over every one of them)?"""
    if not user.is_authenticated or not area_paths:
        return False
    if user.is_superuser:
        return True
    paths = held_paths(user, IncidentAction.MANAGE)
    return all(covers(paths, path) for path in area_paths)
