"""Who a notice's target is: area subtrees × roles, departments, named people, and residents.

A target is what the sender chose, kept on the notice as chosen:

    {"areas": [area ids], "roles": [role codes], "departments": [department ids],
     "people": [user ids], "residents": bool}

`resolve` turns it into one `Reached` per person, with a few set-based queries however many
people it reaches (one per kind of source, none per person):

- **areas × roles**: the people holding one of `roles` on an area at or beneath one of the
  target areas (a role on a retired area counts for nothing);
- **departments**: the members of the departments' groups;
- **people**: the named accounts;
- **residents**: the residents who opted in (`ResidentEnrolment`) with their home grid at or
  beneath one of the target areas.

Inactive accounts are never reached. Someone reached several ways (roles on several areas, a
role and a department, a role and a home) is reached once, through the highest area that
reached them (the roll-call counts them there); a staff role wins over their home at the same
height.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from emergency.models import Recipient, ResidentEnrolment
from governance.errors import InvalidInput
from governance.models import Area, Assignment, Department, Role

User = get_user_model()

KEYS = ("areas", "roles", "departments", "people", "residents")


@dataclass(frozen=True)
class Reached:
    """One person a target reaches, and the area through which (none for a department or a
    named person)."""

    user_id: int
    area_id: int | None = None
    area_path: str = ""
    is_resident: bool = False

    def rank(self) -> tuple[int, int, int]:
        """Lower is kept: the highest area first (shortest path), staff before residents."""
        depth = self.area_path.count("/") if self.area_path else 10_000
        return (depth, int(self.is_resident), self.area_id or 0)


def _ids(value: Any, field: str) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInput({field: [_("A list of ids is expected.")]})
    try:
        return sorted({int(item) for item in value})
    except (TypeError, ValueError):
        raise InvalidInput({field: [_("A list of ids is expected.")]}) from None


def clean_target(target: dict[str, Any]) -> dict[str, Any]:
    """The target in its normal form, or InvalidInput saying what is wrong with it."""
    if not isinstance(target, dict):
        raise InvalidInput({"target": [_("The target must be an object.")]})
    unknown = sorted(set(target) - set(KEYS))
    if unknown:
        raise InvalidInput({"target": [_("Unknown target keys: %s.") % ", ".join(unknown)]})
    roles = target.get("roles") or []
    if not isinstance(roles, list | tuple) or any(r not in Role.values for r in roles):
        raise InvalidInput({"roles": [_("Choose roles from: %s.") % ", ".join(Role.values)]})
    cleaned = {
        "areas": _ids(target.get("areas"), "areas"),
        "roles": sorted(set(roles)),
        "departments": _ids(target.get("departments"), "departments"),
        "people": _ids(target.get("people"), "people"),
        "residents": bool(target.get("residents")),
    }
    areas = set(Area.objects.active().filter(pk__in=cleaned["areas"]).values_list("pk", flat=True))
    if len(areas) != len(cleaned["areas"]):
        raise InvalidInput({"areas": [_("Some of these areas do not exist.")]})
    found = Department.objects.filter(pk__in=cleaned["departments"]).count()
    if found != len(cleaned["departments"]):
        raise InvalidInput({"departments": [_("Some of these departments do not exist.")]})
    if (cleaned["roles"] or cleaned["residents"]) and not cleaned["areas"]:
        raise InvalidInput({"areas": [_("Roles and residents need the areas they are in.")]})
    if cleaned["areas"] and not (cleaned["roles"] or cleaned["residents"]):
        raise InvalidInput({"roles": [_("Choose the roles (or residents) to tell in the areas.")]})
    if not (cleaned["areas"] or cleaned["departments"] or cleaned["people"]):
        raise InvalidInput({"target": [_("Choose whom to tell.")]})
    return cleaned


def target_paths(target: dict[str, Any]) -> list[str]:
    """The paths of the target's areas (what the sender must manage)."""
    areas = Area.objects.filter(pk__in=target.get("areas") or [])
    return list(areas.values_list("path", flat=True))


def _beneath(paths: Iterable[str], field: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def resolve(target: dict[str, Any]) -> list[Reached]:
    """Everybody the (clean) target reaches, once each, ordered by person."""
    paths = target_paths(target)
    found: list[Reached] = []
    active = {"user__is_active": True}
    if paths and target.get("roles"):
        rows = (
            Assignment.objects.filter(
                _beneath(paths, "area__path"),
                role__in=target["roles"],
                area__retired_at__isnull=True,
                **active,
            )
            .values_list("user_id", "area_id", "area__path")
            .distinct()
        )
        found += [Reached(user, area, path) for user, area, path in rows.iterator(chunk_size=5000)]
    if paths and target.get("residents"):
        rows = ResidentEnrolment.objects.filter(_beneath(paths, "grid_path"), **active).values_list(
            "user_id", "grid_id", "grid_path"
        )
        found += [Reached(user, grid, path, True) for user, grid, path in rows]
    if target.get("departments"):
        rows = (
            User.objects.filter(groups__department__pk__in=target["departments"], is_active=True)
            .values_list("pk", flat=True)
            .distinct()
        )
        found += [Reached(user) for user in rows]
    if target.get("people"):
        rows = User.objects.filter(pk__in=target["people"], is_active=True).values_list(
            "pk", flat=True
        )
        found += [Reached(user) for user in rows]
    kept: dict[int, Reached] = {}
    for reached in found:
        held = kept.get(reached.user_id)
        if held is None or reached.rank() < held.rank():
            kept[reached.user_id] = reached
    return [kept[user] for user in sorted(kept)]


def with_earlier_recipients(reached: list[Reached], earlier_notice_id: int) -> list[Reached]:
    """`reached` and everybody an earlier notice reached who is still active: an update or a
    cancellation is told to whoever heard the alert, even if they have since left its areas
    (and, through the target, to whoever has joined them). Once each, ordered by person."""

    kept = {person.user_id: person for person in reached}
    rows = Recipient.objects.filter(notice_id=earlier_notice_id, user__is_active=True).values_list(
        "user_id", "area_id", "area_path", "is_resident"
    )
    for user, area, path, resident in rows.iterator(chunk_size=5000):
        kept.setdefault(user, Reached(user, area, path, resident))
    return [kept[user] for user in sorted(kept)]
