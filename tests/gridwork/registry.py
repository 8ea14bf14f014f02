"""A small registry on the test city: buildings, households and residents in grids A and B."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from governance.models import Area
from gridwork.idnumbers import fictitious_id_number
from gridwork.models import Building, Household, KeyPlace, Organisation, Resident
from gridwork.placement import place
from gridwork.records import household_add, prepare_resident
from tests.factories import City

# Markers: values that must never reach anyone who may not unmask them.
ID_A = fictitious_id_number(area_code="339901", birth_date=datetime.date(1941, 3, 9), sequence=12)
PHONE_A = "13912345678"
ID_B = fictitious_id_number(area_code="339901", birth_date=datetime.date(1950, 7, 1), sequence=31)
PHONE_B = "13787654321"
CONTACT_PHONE = "13655554444"


@dataclass
class Registry:
    building_a: Building
    building_b: Building
    household_a: Household
    resident_a: Resident
    resident_b: Resident
    key_place_a: KeyPlace
    organisation_a: Organisation


def resident(name: str, *, id_number: str, phone: str, building: Building, **extra) -> Resident:
    household = household_add(building=building, unit="1", room="101")
    made = Resident(
        name=name, id_number=id_number, phone=phone, building=building, household=household, **extra
    )
    prepare_resident(made)
    place(made)
    made.save()
    return made


def building(city: City, address: str, point: tuple[float, float]) -> Building:
    made = place(Building(address=address, lon=point[0], lat=point[1], units=2))
    made.save()
    return made


def make_registry(city: City) -> Registry:
    building_a = building(city, "东街1号", city.point_a)
    building_b = building(city, "西街9号", city.point_b)
    resident_a = resident(
        "王秀英", id_number=ID_A, phone=PHONE_A, building=building_a, tags=["elderly_alone"]
    )
    resident_b = resident("李建国", id_number=ID_B, phone=PHONE_B, building=building_b)
    household_a = resident_a.household
    household_a.head = resident_a
    household_a.save()
    key_place = place(KeyPlace(kind="hazard", name="加油站", lon=120.02, lat=30.02))
    key_place.save()
    organisation = place(
        Organisation(
            kind="school",
            name="东街小学",
            contact_name="赵老师",
            contact_phone=CONTACT_PHONE,
            lon=120.03,
            lat=30.02,
        )
    )
    organisation.save()
    return Registry(
        building_a, building_b, household_a, resident_a, resident_b, key_place, organisation
    )


def grid_of(record) -> Area:
    return record.grid
