"""Writing registry records: validated, hashed and placed in a grid (named functions)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from governance.errors import InvalidInput, NotPermitted
from gridwork.access import Person, RecordAction, may_at
from gridwork.idnumbers import (
    InvalidIdNumber,
    id_hash,
    normalise_phone,
    phone_hash,
    validate_id_number,
)
from gridwork.models import Building, Household, Resident, Tag
from gridwork.placement import copy_building_place, place, place_household


def prepare_resident(resident: Resident) -> Resident:
    """Normalise and validate the id number and phone, set their hashes and the birth date
    the id number holds; InvalidIdNumber / ValueError on a bad value."""
    if resident.id_number:
        resident.id_number = validate_id_number(resident.id_number, birth_date=resident.birth_date)
        if resident.birth_date is None:
            number = resident.id_number
            resident.birth_date = datetime.date(
                int(number[6:10]), int(number[10:12]), int(number[12:14])
            )
    resident.id_hash = id_hash(resident.id_number) if resident.id_number else ""
    resident.phone = normalise_phone(resident.phone)
    resident.phone_hash = phone_hash(resident.phone) if resident.phone else ""
    unknown = [tag for tag in resident.tags or [] if tag not in Tag.values]
    if unknown:
        raise ValueError(", ".join(unknown))
    return resident


def resident_add(*, by: Person, name: str, building: Building | None = None, **fields) -> Resident:
    """A new resident, placed with their building (or by the grid given), by someone who may
    edit there; re-checked inside the transaction."""
    resident = Resident(name=name, **fields)
    try:
        prepare_resident(resident)
    except InvalidIdNumber as error:
        raise InvalidInput({"id_number": [str(error)]}) from None
    if building is not None:
        copy_building_place(resident, building)
    else:
        place(resident)
    if not may_at(by, RecordAction.EDIT, resident.area_path):
        raise NotPermitted(_("You may not add residents there."))
    with transaction.atomic():
        resident.save()
    return resident


def building_add(*, by: Person, address: str, **fields) -> Building:
    building = place(Building(address=address, **fields))
    if not may_at(by, RecordAction.EDIT, building.area_path):
        raise NotPermitted(_("You may not add buildings there."))
    building.save()
    return building


def household_add(*, building: Building, unit: str = "", room: str = "") -> Household:
    household, _ = Household.objects.get_or_create(
        building=building, unit=unit, room=room, defaults={"area_path": building.area_path}
    )
    if household.area_path != building.area_path:
        place_household(household)
        household.save(update_fields=["area_path"])
    return household
