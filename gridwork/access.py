"""Who may see, unmask and edit which registry records: the one scoped-access path, generalised.

The person's scope is `governance.scope.scope_of` — the same area permissions, departments and
sharing grants as for cases, read in the same one query and remembered for the request; the
area conditions are `governance.paths.at_or_beneath_any` on the record's `area_path`, as for a
case. Nothing here reads permissions another way.

- **view**: records at or beneath an area where the person may see cases (`see_cases`), and
  records of the kinds a sharing grant to one of their departments names under its area,
  while it is in force;
- **unmask** (the plain id number, phone, contact): where they may see personal data
  (`see_personal_data`), and through grants made `with_personal_data`;
- **edit** (add, change, import): where they may report cases (`report_cases`): the officers
  of the grid and those above them;
- administrators (superusers) everything.
Anyone else — citizens, anonymous visitors, a department without a grant — nothing: the
registry is never public (no Open311, no public page, no open-data export).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Model, Q, QuerySet

from governance.models import RegistryKind
from governance.paths import at_or_beneath, at_or_beneath_any
from governance.scope import Scope, scope_of
from gridwork.models import Building, Household, KeyPlace, Organisation, Patrol, Resident

Person = AbstractUser | AnonymousUser
M = TypeVar("M", bound=Model)


class RecordAction(StrEnum):
    VIEW = "view"
    UNMASK = "unmask"
    EDIT = "edit"


CODENAME = {
    RecordAction.VIEW: "see_cases",
    RecordAction.UNMASK: "see_personal_data",
    RecordAction.EDIT: "report_cases",
}

# The sharing-grant kind of each registry model.
KIND: dict[type[Model], str] = {
    Building: RegistryKind.BUILDINGS,
    Household: RegistryKind.HOUSEHOLDS,
    Resident: RegistryKind.RESIDENTS,
    KeyPlace: RegistryKind.KEY_PLACES,
    Organisation: RegistryKind.ORGANISATIONS,
}

NOTHING = Q(pk__in=[])


def _granted(scope: Scope, kind: str, *, personal_data: bool) -> Q:
    condition = NOTHING
    for grant in scope.grants:
        if kind in grant.registry_kinds and (grant.with_personal_data or not personal_data):
            condition |= at_or_beneath(grant.path)
    return condition


def record_filter(
    user: Person, model: type[Model], action: RecordAction | str, *, scope: Scope | None = None
) -> Q:
    """The condition selecting the `model` records `user` may `action` on."""
    action = RecordAction(action)
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    scope = scope if scope is not None else scope_of(user)
    condition = at_or_beneath_any(scope.area_paths(CODENAME[action]))
    if action in (RecordAction.VIEW, RecordAction.UNMASK):
        condition |= _granted(scope, KIND[model], personal_data=action == RecordAction.UNMASK)
    return condition


def records_for(
    user: Person, model: type[M], action: RecordAction | str = RecordAction.VIEW
) -> QuerySet[M]:
    """The `model` records `user` may `action` on: the only way to query the registry for a
    person (pages, API, search, export, import)."""
    return model._default_manager.filter(record_filter(user, model, action))


def may(user: Person, action: RecordAction | str, record: Model) -> bool:
    return records_for(user, type(record), action).filter(pk=record.pk).exists()


def may_at(user: Person, action: RecordAction | str, path: str) -> bool:
    """Whether `user` may `action` on a record that would lie at `path` (a new one, or a row
    of an import) — the area part of `record_filter`, without a query."""
    action = RecordAction(action)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(path.startswith(held) for held in scope_of(user).area_paths(CODENAME[action]))


def sees_registry(user: Person) -> bool:
    """Whether the registry's pages are for this person at all (the navigation link)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = scope_of(user)
    return bool(scope.area_paths(CODENAME[RecordAction.VIEW])) or any(
        grant.registry_kinds for grant in scope.grants
    )


def may_edit_somewhere(user: Person) -> bool:
    """Whether the person may add or import records anywhere (the import page)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(scope_of(user).area_paths(CODENAME[RecordAction.EDIT]))


# Patrols (巡查). An officer sees their own patrols; a leader (who may supervise cases,
# `escalate_cases`, on an area) sees every patrol at or beneath that area, live and past;
# administrators all. Whoever may report cases somewhere (`report_cases`) may patrol.
PATROL_LEAD = "escalate_cases"
PATROL_DUTY = "report_cases"


def patrol_filter(user: Person, *, scope: Scope | None = None) -> Q:
    """The condition selecting the patrols `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    scope = scope if scope is not None else scope_of(user)
    return Q(officer_id=user.pk) | at_or_beneath_any(scope.area_paths(PATROL_LEAD))


def patrols_for(user: Person) -> QuerySet[Patrol]:
    """The patrols `user` may see: the only way pages, API and sockets query patrols."""
    return Patrol.objects.filter(patrol_filter(user))


def may_patrol(user: Person) -> bool:
    """Whether the person may start a patrol (the officer's patrol page)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(scope_of(user).area_paths(PATROL_DUTY))


def leads_patrols(user: Person) -> bool:
    """Whether the person sees others' patrols somewhere (the leaders' live and history pages)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(scope_of(user).area_paths(PATROL_LEAD))


def patrol_paths(user: Person) -> list[str] | None:
    """The areas whose patrols the person leads (None: every area, an administrator)."""
    if user.is_superuser:
        return None
    return scope_of(user).area_paths(PATROL_LEAD)
