"""Administering things and their datastreams: placed by routing, checked against the scope.

`thing_save` places the thing in its grid from its location (`sensing.placement`), refuses
when the person may not administer a thing there, and re-checks inside the transaction.
`datastream_save` and `device_token` do the same for a datastream's thing and a device.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from governance.errors import NotPermitted
from sensing.access import SensingAction, may_place, things_for
from sensing.models import Datastream, Device, Thing
from sensing.placement import place_thing


def _path(thing: Thing) -> str | None:
    return thing.area.path if thing.area_id else None


def thing_save(*, by: Any, thing: Thing) -> Thing:
    """Place and save `thing` (new or changed) where `by` may administer things."""
    if thing.pk:
        before = Thing.objects.select_related("area").filter(pk=thing.pk).first()
        if before is not None and not may_place(by, _path(before)):
            raise NotPermitted(_("You may not change this thing."))
    with transaction.atomic():
        location = thing.location
        if location is not None and location.pk is None:
            location.save()
            thing.location = location
        place_thing(thing)
        if not may_place(by, _path(thing)):
            raise NotPermitted(_("You may not place a thing in this grid."))
        thing.save()
        if not things_for(by, SensingAction.EDIT).filter(pk=thing.pk).exists():
            transaction.set_rollback(True)
            raise NotPermitted(_("You may not place a thing in this grid."))
    return thing


def thing_remove(*, by: Any, thing: Thing) -> None:
    if not may_place(by, _path(thing)):
        raise NotPermitted(_("You may not remove this thing."))
    thing.delete()


def datastream_save(*, by: Any, stream: Datastream) -> Datastream:
    """Save `stream`, whose thing `by` must be allowed to administer (before and after)."""
    editable = things_for(by, SensingAction.EDIT)
    if stream.pk:
        before = Datastream.objects.filter(pk=stream.pk).values_list("thing_id", flat=True).first()
        if before is not None and not editable.filter(pk=before).exists():
            raise NotPermitted(_("You may not change this datastream."))
    if not editable.filter(pk=stream.thing_id).exists():
        raise NotPermitted(_("You may not add a datastream to this thing."))
    stream.save()
    return stream


def datastream_remove(*, by: Any, stream: Datastream) -> None:
    if not things_for(by, SensingAction.EDIT).filter(pk=stream.thing_id).exists():
        raise NotPermitted(_("You may not remove this datastream."))
    stream.delete()


def device_token(*, by: Any, device: Device) -> str:
    """A new token for `device` (its old one stops working); administrators only."""
    if not (by.is_authenticated and by.is_active and by.is_superuser):
        raise NotPermitted(_("Only administrators manage device credentials."))
    token = device.set_new_token()
    device.save()
    return token


def new_device(*, name: str) -> tuple[Device, str]:
    """A device with its first token (the seeding, the simulator, the tests)."""
    device = Device(name=name)
    token = device.set_new_token()
    device.save()
    return device, token
