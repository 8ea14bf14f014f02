"""Who may send, follow and read the names of a notice: built on `emergency.access` (the one
scoped-access path), nothing read another way.

- **send** (and manage: the roll-call with names, the notice's recipients): administrators;
  whoever manages the incident the notice belongs to; whoever dispatches for every area of
  the target (a target of departments or named people alone needs the incident);
- **view the roll-call** (counts only): whoever may manage it, whoever may see the incident,
  and the staff whose case scope overlaps the target's areas;
- **names**: of the recipients reached through an area the person dispatches for (a street
  leader sees the names in their street on a district-wide notice, not the next street's);
  all names for whoever manages the whole notice.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from emergency import targeting
from emergency.access import (
    IncidentAction,
    Person,
    covers,
    held_paths,
    incidents_for,
    may,
    may_manage_areas,
    prefixes,
)
from emergency.models import Incident, Notice
from governance.models import Area


def may_send(user: Person, target: dict[str, Any], incident: Incident | None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if incident is not None and may(user, IncidentAction.MANAGE, incident):
        return True
    return may_manage_areas(user, targeting.target_paths(target))


def may_manage_notice(user: Person, notice: Notice) -> bool:
    return may_send(user, notice.target, notice.incident)


def may_view_notice(user: Person, notice: Notice) -> bool:
    if may_manage_notice(user, notice):
        return True
    if notice.incident_id and may(user, IncidentAction.VIEW, notice.incident):
        return True
    seen = held_paths(user, IncidentAction.VIEW)
    return any(
        path.startswith(held) or held.startswith(path)
        for path in targeting.target_paths(notice.target)
        for held in seen
    )


class Names:
    """Which recipients' names a person may read on one notice."""

    def __init__(self, user: Person, notice: Notice) -> None:
        self.everyone = may_manage_notice(user, notice)
        self.paths = [] if self.everyone else held_paths(user, IncidentAction.MANAGE)

    def __bool__(self) -> bool:
        return self.everyone or bool(self.paths)

    def allowed(self, area_path: str) -> bool:
        return self.everyone or (bool(area_path) and covers(self.paths, area_path))

    def q(self) -> Q:
        """The recipients (a Recipient queryset filter) whose names may be read."""
        if self.everyone:
            return Q()
        condition = Q(pk__in=[])
        for path in self.paths:
            condition |= Q(area_path__startswith=path)
        return condition


def notices_for(user: Person) -> QuerySet:
    """The notices a person may follow (the API's list): those they sent, those of incidents
    they see, and those whose target areas overlap their case scope.

    The overlap is read from the targets as sent (a few hundred notices, a JSON list of area
    ids each): one query for the areas in the person's scope, one for the targets."""
    notices = Notice.objects.all()
    if not user.is_authenticated:
        return notices.none()
    if user.is_superuser:
        return notices
    seen = held_paths(user, IncidentAction.VIEW)
    condition = Q(sent_by=user) | Q(incident__in=incidents_for(user))
    if seen:
        overlap = Q(pk__in=[])
        for held in seen:
            overlap |= Q(path__startswith=held) | Q(path__in=prefixes(held))
        area_ids = set(Area.objects.filter(overlap).values_list("pk", flat=True))
        matching = [
            pk
            for pk, target in Notice.objects.values_list("pk", "target")
            if set((target or {}).get("areas") or []) & area_ids
        ]
        condition |= Q(pk__in=matching)
    return notices.filter(condition)
