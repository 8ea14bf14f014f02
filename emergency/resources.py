"""Who sees and edits which resources, and the named changes to them.

From the one scope (`emergency.access.held_paths`): a resource is seen by whoever may see the
cases (`see_cases`) of its grid or an area above it, and edited — its contact phones seen too —
by whoever dispatches (`dispatch_cases`) there, like managing an incident; superusers both.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from emergency.access import IncidentAction, Person, covers, held_paths, may_manage_areas
from emergency.models import PERSONAL_FIELDS, Shelter, Supply, Team
from governance.errors import InvalidInput, NotPermitted

Resource = Shelter | Supply | Team
RESOURCE_MODELS: dict[str, type[Model]] = {"shelters": Shelter, "supplies": Supply, "teams": Team}


def _beneath(paths: list[str]) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def resources_for(
    user: Person, model: type[Model], action: IncidentAction | str = IncidentAction.VIEW
) -> QuerySet:
    """The resources of one kind the person may see (or manage)."""
    resources = model.objects.select_related("grid")  # type: ignore[attr-defined]
    if not user.is_authenticated:
        return resources.none()
    if user.is_superuser:
        return resources
    paths = held_paths(user, action)
    return resources.filter(_beneath(paths)) if paths else resources.none()


def may_see(user: Person, resource: Resource) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or covers(held_paths(user, IncidentAction.VIEW), resource.path)


def may_edit(user: Person, resource: Resource) -> bool:
    """May the person edit this resource (and see its contact phones)?"""
    return bool(resource.path) and may_manage_areas(user, [resource.path])


def may_add_anywhere(user: Person) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool(held_paths(user, IncidentAction.MANAGE))
    )


def public_form(user: Person, resource: Resource, data: dict) -> dict:
    """`data` (a resource's fields) with its personal fields blanked unless the person may
    edit it."""
    if may_edit(user, resource):
        return data
    personal = PERSONAL_FIELDS[type(resource)]
    return {key: (None if key in personal else value) for key, value in data.items()}


def save_resource(*, user: Person, resource: Resource) -> Resource:
    """Add or change a resource: placed in its grid, then checked to be inside what the person
    may manage (before and after the change), or nothing is saved."""
    if resource.pk is not None:
        before = type(resource).objects.filter(pk=resource.pk).values_list("path", flat=True)
        if not may_manage_areas(user, list(before)):
            raise NotPermitted(_("You may not change this resource."))
    try:
        with transaction.atomic():
            resource.full_clean()
            resource.save()
            if not may_manage_areas(user, [resource.path]):
                raise NotPermitted(_("You may not place resources in this grid."))
    except ValidationError as error:
        raise InvalidInput(error) from None
    return resource


def delete_resource(*, user: Person, resource: Resource) -> None:
    if not may_edit(user, resource):
        raise NotPermitted(_("You may not remove this resource."))
    resource.delete()


def set_occupancy(*, user: Person, shelter: Shelter, occupancy: int, open: bool) -> Shelter:
    """The shelter's current occupancy and whether it is open (the phone form's change)."""
    if not may_edit(user, shelter):
        raise NotPermitted(_("You may not change this shelter."))
    if occupancy < 0:
        raise InvalidInput({"occupancy": [_("Enter a number of people, 0 or more.")]})
    with transaction.atomic():
        updated = Shelter.objects.filter(pk=shelter.pk).update(
            occupancy=occupancy, open=open, updated_at=timezone.now()
        )
        if not updated:
            raise NotPermitted(_("There is no such shelter."))
    shelter.occupancy, shelter.open = occupancy, open
    return shelter
