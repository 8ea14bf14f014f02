"""Writing registry records (named functions): validated, hashed, placed in a grid by the same
routing as cases, and re-checked inside the transaction — the record, once written, must lie
where the person may edit, or nothing is written."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from governance.errors import InvalidInput, NotPermitted
from governance.models import Area
from gridwork.access import Person, RecordAction, may, may_at, records_for
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


def _checked_resident(resident: Resident) -> None:
    try:
        prepare_resident(resident)
    except InvalidIdNumber as error:
        raise InvalidInput({"id_number": [str(error)]}) from None
    except ValueError as error:
        raise InvalidInput({"tags": [_("unknown tag: %(tag)s") % {"tag": error}]}) from None
    if resident.household_id and resident.household.building_id != resident.building_id:
        raise InvalidInput({"household": [_("The household is not in this building.")]})
    twin = Resident.objects.filter(id_hash=resident.id_hash).exclude(pk=resident.pk)
    if resident.id_hash and twin.exists():
        raise InvalidInput({"id_number": [_("This id number is already registered.")]})


def record_checked(*, by: Person, record: Model, grid: Area | None = None) -> Model:
    """`record` checked (a resident's id number, phone, tags, household) and placed
    (`gridwork.placement`), or refused unless `by` may edit both where it was and where it
    goes. Nothing is written."""
    model = type(record)
    if record.pk is not None and not may(by, RecordAction.EDIT, model.objects.get(pk=record.pk)):
        raise NotPermitted(_("You may not change this record."))
    try:
        _place_checked(by, record, grid)
    except ValidationError as error:  # a point out of range (`routing.validate_point`)
        raise InvalidInput(error) from None
    if not may_at(by, RecordAction.EDIT, record.area_path):
        raise NotPermitted(_("You may not add records there."))
    return record


def _place_checked(by: Person, record: Model, grid: Area | None) -> None:
    if isinstance(record, Resident):
        _checked_resident(record)
        if record.building_id:
            building = records_for(by, Building, RecordAction.VIEW).filter(pk=record.building_id)
            if not building.exists():
                raise InvalidInput({"building": [_("There is no such building.")]})
            copy_building_place(record, record.building)
        else:
            place(record, grid=grid)
    elif isinstance(record, Household):
        place_household(record)
    else:
        place(record, grid=grid)


def record_save(*, by: Person, record: Model, grid: Area | None = None) -> Model:
    """Create or change a registry record as `by` (`record_checked`), and re-check after
    writing: the record, once written, must lie where `by` may edit, or nothing is written."""
    model = type(record)
    record_checked(by=by, record=record, grid=grid)
    try:
        with transaction.atomic():
            record.save()
            if isinstance(record, Building):  # its households and residents move with it
                Household.objects.filter(building=record).update(area_path=record.area_path)
                Resident.objects.filter(building=record).update(
                    grid=record.grid, area_path=record.area_path
                )
            if not records_for(by, model, RecordAction.EDIT).filter(pk=record.pk).exists():
                raise NotPermitted(_("You may not add records there."))
    except IntegrityError:
        raise InvalidInput({"__all__": [_("This record is already registered.")]}) from None
    return record


def record_remove(*, by: Person, record: Model) -> None:
    if not may(by, RecordAction.EDIT, record):
        raise NotPermitted(_("You may not change this record."))
    record.delete()


def resident_add(*, by: Person, name: str, building: Building | None = None, **fields) -> Resident:
    """A new resident, placed with their building (or by their point or grid)."""
    resident = Resident(name=name, building=building, **fields)
    return record_save(by=by, record=resident)


def household_add(*, building: Building, unit: str = "", room: str = "") -> Household:
    """The household in this unit and room of the building, created if there is none."""
    household, _created = Household.objects.get_or_create(
        building=building, unit=unit, room=room, defaults={"area_path": building.area_path}
    )
    if household.area_path != building.area_path:
        place_household(household)
        household.save(update_fields=["area_path"])
    return household
