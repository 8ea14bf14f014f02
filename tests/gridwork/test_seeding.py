from django.core.management import call_command

from gridwork.idnumbers import is_valid_id_number
from gridwork.models import Building, Resident


def test_demo_registry_is_valid_placed_and_idempotent(city, capsys):
    call_command("seed_registry", buildings=1)
    residents = list(Resident.objects.all())
    assert len(residents) >= 30  # four grids, nine people each (before the rare twin)
    assert all(is_valid_id_number(r.id_number) for r in residents)
    assert {r.grid for r in residents} == {city.grid_a, city.grid_a2, city.grid_b, city.grid_b2}
    assert all(r.area_path == r.grid.path for r in residents)
    call_command("seed_registry", buildings=1)
    assert Resident.objects.count() == len(residents) and Building.objects.count() == 4
