"""Demo registry records for every active grid: buildings, households, residents with
fictitious (valid) id numbers, a key place and an organisation. Idempotent: a grid that has
demo buildings already is left as it is."""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from governance.models import Area, Level
from gridwork.idnumbers import fictitious_id_number
from gridwork.models import Building, Household, KeyPlace, Organisation, Resident, Tag
from gridwork.placement import place
from gridwork.records import prepare_resident

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英"
DEMO_PREFIX = "演示"


def _point(grid: Area, rng: random.Random) -> tuple[float | None, float | None]:
    if grid.min_lon is None or grid.max_lon is None:
        return None, None
    return (
        round(rng.uniform(grid.min_lon, grid.max_lon), 6),
        round(rng.uniform(grid.min_lat, grid.max_lat), 6),
    )


@transaction.atomic
def seed_grid(grid: Area, *, buildings: int = 3, per_household: int = 3, seed: int = 1) -> int:
    """Demo records in one grid; the number of residents added (0 if it has some already)."""
    if Building.objects.filter(grid=grid, address__startswith=DEMO_PREFIX).exists():
        return 0
    rng = random.Random(f"{seed}-{grid.code}")
    area_code = (grid.code + "000000")[:6]
    added = 0
    for b in range(1, buildings + 1):
        lon, lat = _point(grid, rng)
        building = place(
            Building(address=f"{DEMO_PREFIX}{grid.name}{b}号楼", lon=lon, lat=lat, units=2),
            grid=grid,
        )
        building.save()
        for room in ("101", "102", "201"):
            household = Household.objects.create(
                building=building, unit="1", room=room, area_path=building.area_path
            )
            for _ in range(per_household):
                born = datetime.date(1935, 1, 1) + datetime.timedelta(days=rng.randrange(30000))
                resident = Resident(
                    name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                    id_number=fictitious_id_number(area_code=area_code, birth_date=born, rng=rng),
                    phone=f"139{rng.randrange(10**8):08d}" if rng.random() < 0.85 else "",
                    gender=rng.choice("mf"),
                    building=building,
                    household=household,
                    grid=building.grid,
                    area_path=building.area_path,
                    tags=[Tag.ELDERLY_ALONE] if born.year < 1950 and rng.random() < 0.3 else [],
                )
                prepare_resident(resident)
                if not Resident.objects.filter(id_hash=resident.id_hash).exists():
                    resident.save()
                    added += 1
            head = household.residents.order_by("pk").first()
            if head is not None:
                household.head = head
                household.save(update_fields=["head"])
    lon, lat = _point(grid, rng)
    place(KeyPlace(kind="hazard", name=f"{grid.name}加油站", lon=lon, lat=lat), grid=grid).save()
    place(
        Organisation(
            kind="school",
            name=f"{grid.name}小学",
            contact_name=rng.choice(SURNAMES) + "老师",
            contact_phone=f"137{rng.randrange(10**8):08d}",
            lon=lon,
            lat=lat,
        ),
        grid=grid,
    ).save()
    return added


def seed_registry(*, buildings: int = 3, per_household: int = 3) -> tuple[int, int]:
    """Demo records in every active grid: (grids seeded, residents added)."""
    grids = Area.objects.active().filter(level=Level.GRID).order_by("code")
    seeded = added = 0
    for grid in grids:
        n = seed_grid(grid, buildings=buildings, per_household=per_household)
        seeded += bool(n)
        added += n
    return seeded, added
