"""The registry of the benchmark city (`bench.registry`), built on the test city: every
resident valid and hashed as the app hashes, housed and placed in a grid; the identities the
measurements name exist; an import's new identities collide with nobody."""

from __future__ import annotations

import datetime

import pytest

from bench import registry
from governance.models import Area, Level
from gridwork.idnumbers import id_hash, is_valid_id_number, phone_hash
from gridwork.models import Building, Household, KeyPlace, Organisation, Resident


@pytest.mark.django_db
def test_the_registry_is_built_over_the_grids_as_the_app_would_store_it(city):
    grids = Area.objects.filter(level=Level.GRID).count()
    result = registry.build(residents_per_grid=20)

    rows = result["rows"]
    assert rows["residents"] == Resident.objects.count() == 20 * grids
    assert rows["buildings"] == Building.objects.count() > 0
    assert rows["households"] == Household.objects.count() >= rows["buildings"]
    assert Organisation.objects.count() == rows["organisations"]
    assert KeyPlace.objects.count() == rows["key_places"]

    for resident in Resident.objects.select_related("building", "household", "grid"):
        assert is_valid_id_number(resident.id_number), resident.id_number
        assert resident.id_hash == id_hash(resident.id_number)
        assert resident.phone_hash == phone_hash(resident.phone)
        assert resident.household.building_id == resident.building_id
        assert resident.area_path == resident.building.area_path == resident.grid.path
        assert resident.birth_date.strftime("%Y%m%d") == resident.id_number[6:14]
    assert Resident.objects.values("id_hash").distinct().count() == rows["residents"]
    # Every household has a head who lives in it, every building at least one household.
    for household in Household.objects.select_related("head"):
        assert household.head.household_id == household.pk
    assert not Building.objects.filter(households__isnull=True).exists()
    assert Resident.objects.exclude(tags=[]).exists()
    # Rebuilt from scratch, not added to.
    registry.clear()
    registry.build(residents_per_grid=5)
    assert Resident.objects.count() == 5 * grids


def test_identities_are_valid_distinct_and_computable_from_their_index():
    numbers = {registry.resident_identity(i, "110101").id_number for i in range(50_000)}
    assert len(numbers) == 50_000
    person = registry.resident_identity(123_456, "110105")
    assert is_valid_id_number(person.id_number) and person.id_number.startswith("110105")
    assert person.birth_date <= datetime.date.today() and len(person.phone) == 11
    assert person == registry.resident_identity(123_456, "110105")
