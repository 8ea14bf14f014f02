"""The registry of the benchmark city (issue 14): buildings, households, residents, key places
and organisations spread over the grids already loaded by `bench.city.build`.

At full scale: 300,000 buildings, 400,000 households, 1,000,000 residents, 50,000
organisations and 20,000 key places over 20,000 grids, written with COPY in one transaction
(`bench.loader.bulk`: the tables' indexes rebuilt once at the end). Residents have fictitious
names, id numbers valid under GB 11643 (address code of their district, a real birth date, the
check character) stored with their keyed hashes exactly as the app stores them
(`gridwork.idnumbers.id_hash`), mobile phones likewise, and tags (elderly living alone, ...).

Every value is a function of the resident's index, so the measurements can name people who
exist (`resident_identity`) without reading them back, and an import can make new ones that
collide with nobody (`IDENTITY_SPACE`).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from django.db import connection

from bench.loader import analyze, bulk, load, prepare_stamps, reset_sequences, stamp
from gridwork.idnumbers import _key, check_character
from gridwork.models import Building, Household, KeyPlace, Organisation, Resident

# Per grid, on average (the city: 300,000 / 1,000,000 / 50,000 over 20,000 grids).
BUILDINGS_PER_GRID = 15
HOUSEHOLDS_PER_GRID = 20
RESIDENTS_PER_GRID = 50
ORGANISATIONS_PER_GRID = 2.5
KEY_PLACES_PER_GRID = 1

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力宁林晨浩宇轩然欣怡梓涵子墨"
    "嘉俊佳琪思源博文雨萱梦瑶一诺安琪家豪志强国庆春梅海燕金凤永红德胜立新淑珍秀兰凤英玉兰桂英"
)
ROADS = "幸福和平建设人民解放胜利光明友谊团结新华长安朝阳东风青年文化育才振兴繁荣"
ORGANISATION_KINDS = (
    ("business", 0.70, "商贸有限公司"),
    ("social", 0.06, "志愿服务协会"),
    ("school", 0.05, "小学"),
    ("hospital", 0.03, "社区卫生服务站"),
    ("market", 0.06, "农贸市场"),
    ("construction", 0.07, "建设工程项目部"),
    ("hazardous_chemicals", 0.03, "化工仓储站"),
)
KEY_PLACE_KINDS = (
    ("hazard", "危险源"),
    ("facility", "公共设施"),
    ("component", "城市部件"),
    ("gathering", "人员密集场所"),
)
TAGS = (
    ("elderly_alone", 0.03),
    ("disability", 0.02),
    ("low_income", 0.02),
    ("left_behind_child", 0.01),
    ("key_group", 0.005),
)
FIRST_BORN = datetime.date(1930, 1, 1)
BIRTH_DAYS = 30_000  # 1930-01-01 .. 2012-02-19
IDENTITY_SPACE = BIRTH_DAYS * 1000  # distinct (birth date, sequence) pairs per address code
SCRAMBLE = 1_000_003  # a multiplier prime to IDENTITY_SPACE: neighbours get unrelated numbers


@dataclass(frozen=True)
class Identity:
    name: str
    id_number: str
    phone: str
    birth_date: datetime.date
    gender: str


def _name(i: int) -> str:
    surname = SURNAMES[(i * 7919) % len(SURNAMES)]
    first = GIVEN[(i * 104_729) % len(GIVEN)]
    if i % 3:  # two thirds have a two-character given name
        return surname + first + GIVEN[(i * 15_485_863 + 7) % len(GIVEN)]
    return surname + first


def resident_identity(i: int, district_code: str) -> Identity:
    """The identity of resident number `i` (0-based) of the city, or of an imported one when
    `i` ≥ the city's residents: every `i` below IDENTITY_SPACE gets its own id number."""
    j = (i * SCRAMBLE) % IDENTITY_SPACE
    born = FIRST_BORN + datetime.timedelta(days=j % BIRTH_DAYS)
    sequence = j // BIRTH_DAYS
    first17 = f"{district_code[:6]}{born:%Y%m%d}{sequence:03d}"
    number = first17 + check_character(first17)
    phone = f"1{3 + i % 7}{(i * 7_654_321 + 12_345) % 10**9:09d}"
    gender = "m" if sequence % 2 else "f"  # as the id number's sequence says
    return Identity(_name(i), number, phone, born, gender)


def _hasher():
    base = hmac.new(_key(), digestmod=hashlib.sha256)

    def keyed(value: str) -> str:
        h = base.copy()
        h.update(value.encode())
        return h.hexdigest()

    return keyed


def _groups(owner: np.ndarray) -> np.ndarray:
    """For rows sorted by owner: each row's 0-based position within its owner."""
    starts = np.r_[0, np.flatnonzero(np.diff(owner)) + 1]
    counts = np.diff(np.r_[starts, len(owner)])
    return np.arange(len(owner)) - np.repeat(starts, counts)


def _spread(rng, parents: int, total: int) -> np.ndarray:
    """`total` children over `parents`: every parent gets one, the rest at random; sorted."""
    if total < parents:
        return np.sort(rng.integers(0, parents, size=total))
    return np.sort(np.r_[np.arange(parents), rng.integers(0, parents, size=total - parents)])


@dataclass
class Grid:
    id: int
    path: str
    code: str
    lon: float
    lat: float
    span: float  # a tenth of the grid's smaller side, in degrees: how far points stray
    bounds: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)


def grids() -> list[Grid]:
    import shapely

    from governance.models import Area, Level

    found = []
    rows = Area.objects.filter(level=Level.GRID).order_by("path")
    for pk, path, code, boundary in rows.values_list("pk", "path", "code", "boundary"):
        shape = shapely.from_geojson(
            boundary if isinstance(boundary, str) else json.dumps(boundary)
        )
        centre = shape.representative_point()
        x0, y0, x1, y1 = shape.bounds
        span = min(x1 - x0, y1 - y0) / 10
        found.append(Grid(pk, path, code, centre.x, centre.y, span, (x0, y0, x1, y1)))
    return found


def clear() -> None:
    """Empty the registry's tables (the city's areas and people stay)."""
    tables = [m._meta.db_table for m in (Resident, Household, Building, Organisation, KeyPlace)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def build(
    *,
    residents_per_grid: float = RESIDENTS_PER_GRID,
    seed: int = 20261129,
    now: float | None = None,
) -> dict:
    """Fill the registry over the city's grids; the counts and the seconds of each step."""
    prepare_stamps()
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    now = now if now is not None else time.time()
    made = stamp(now - 30 * 86400)
    timings: dict = {}
    tick = time.perf_counter()
    city = grids()
    n_grids = len(city)
    scale = residents_per_grid / RESIDENTS_PER_GRID
    n_buildings = round(n_grids * BUILDINGS_PER_GRID * scale)
    n_households = round(n_grids * HOUSEHOLDS_PER_GRID * scale)
    n_residents = round(n_grids * residents_per_grid)
    n_organisations = round(n_grids * ORGANISATIONS_PER_GRID * scale)
    n_places = round(n_grids * KEY_PLACES_PER_GRID * scale)

    building_grid = _spread(rng, n_grids, n_buildings)
    building_number = _groups(building_grid)  # "n号楼" within the grid
    building_units = rng.integers(1, 7, size=n_buildings)
    household_building = _spread(rng, n_buildings, n_households)
    household_index = _groups(household_building)
    resident_household = _spread(rng, n_households, n_residents)
    first_resident = np.r_[0, np.flatnonzero(np.diff(resident_household)) + 1]
    head_of = np.full(n_households, -1, dtype=np.int64)
    head_of[resident_household[first_resident]] = first_resident
    jitter = rng.uniform(-1, 1, size=(max(n_buildings, n_organisations, n_places), 2))
    tag_draw = rng.random(size=(n_residents, len(TAGS)))
    timings["plan_s"] = time.perf_counter() - tick

    def district(grid: Grid) -> str:
        return grid.code[:6]

    def address(grid: Grid, number: int) -> str:
        road = ROADS[2 * (int(grid.code[-6:]) % (len(ROADS) // 2)) :][:2]
        return f"第{grid.code[4:6]}区{grid.code[6:9]}街道{road}路{grid.code[-6:]}-{number + 1}号"

    def building_rows() -> Iterator[tuple]:
        for b in range(n_buildings):
            grid = city[int(building_grid[b])]
            lon = grid.lon + float(jitter[b, 0]) * grid.span
            lat = grid.lat + float(jitter[b, 1]) * grid.span
            yield (
                b + 1,
                f"{building_number[b] + 1}号楼",
                address(grid, int(building_number[b])),
                lon,
                lat,
                None,
                int(building_units[b]),
                grid.id,
                grid.path,
                made,
                made,
            )

    def household_rows() -> Iterator[tuple]:
        for h in range(n_households):
            b = int(household_building[h])
            k = int(household_index[h])
            units = int(building_units[b])
            head = int(head_of[h])
            yield (
                h + 1,
                str(k % units + 1),
                f"{k // units + 1:02d}01",
                b + 1,
                head + 1 if head >= 0 else None,
                city[building_grid[b]].path,
                made,
            )

    keyed = _hasher()
    tag_limits = np.array([share for _tag, share in TAGS])

    def resident_rows() -> Iterator[tuple]:
        for r in range(n_residents):
            h = int(resident_household[r])
            b = int(household_building[h])
            grid = city[building_grid[b]]
            person = resident_identity(r, district(grid))
            tags = [TAGS[int(t)][0] for t in np.flatnonzero(tag_draw[r] < tag_limits)]
            yield (
                r + 1,
                person.name,
                person.id_number,
                keyed(person.id_number),
                person.phone,
                keyed(person.phone),
                person.birth_date,
                person.gender,
                h + 1,
                b + 1,
                "registered" if r % 4 else "actual",
                json.dumps(tags),
                grid.id,
                grid.path,
                made,
                made,
            )

    def organisation_rows() -> Iterator[tuple]:
        kinds = [k for k, _share, _suffix in ORGANISATION_KINDS]
        shares = np.array([share for _k, share, _suffix in ORGANISATION_KINDS])
        drawn = rng.choice(len(kinds), size=n_organisations, p=shares / shares.sum())
        where = rng.integers(0, n_grids, size=n_organisations)
        for o in range(n_organisations):
            grid = city[int(where[o])]
            kind, _share, suffix = ORGANISATION_KINDS[int(drawn[o])]
            contact = resident_identity(o * 13 + 7, district(grid))
            yield (
                o + 1,
                kind,
                f"基准市{ROADS[o % len(ROADS)]}{o + 1}号{suffix}",
                f"91110{o:013d}"[:18],
                address(grid, 100 + o % 50),
                contact.name,
                contact.phone,
                grid.lon + float(jitter[o, 0]) * grid.span,
                grid.lat + float(jitter[o, 1]) * grid.span,
                grid.id,
                grid.path,
                made,
                made,
            )

    def place_rows() -> Iterator[tuple]:
        for p in range(n_places):
            grid = city[p % n_grids]
            kind, label = KEY_PLACE_KINDS[p % len(KEY_PLACE_KINDS)]
            yield (
                p + 1,
                kind,
                f"{grid.code[-6:]}{label}{p // n_grids + 1}",
                address(grid, 200 + p // n_grids),
                grid.lon - float(jitter[p, 1]) * grid.span,
                grid.lat - float(jitter[p, 0]) * grid.span,
                "",
                grid.id,
                grid.path,
                made,
                made,
            )

    placed = ["grid_id", "area_path", "created_at", "updated_at"]
    counts = {}
    with bulk(Building, Household, Resident, Organisation, KeyPlace):
        tick = time.perf_counter()
        counts["buildings"] = load(
            Building,
            ["id", "name", "address", "lon", "lat", "footprint", "units", *placed],
            building_rows(),
        )
        counts["households"] = load(
            Household,
            ["id", "unit", "room", "building_id", "head_id", "area_path", "created_at"],
            household_rows(),
        )
        timings["buildings_households_s"] = time.perf_counter() - tick
        tick = time.perf_counter()
        counts["residents"] = load(
            Resident,
            [
                "id",
                "name",
                "id_number",
                "id_hash",
                "phone",
                "phone_hash",
                "birth_date",
                "gender",
                "household_id",
                "building_id",
                "residence",
                "tags",
                *placed,
            ],
            resident_rows(),
        )
        timings["residents_s"] = time.perf_counter() - tick
        tick = time.perf_counter()
        counts["organisations"] = load(
            Organisation,
            [
                "id",
                "kind",
                "name",
                "credit_code",
                "address",
                "contact_name",
                "contact_phone",
                "lon",
                "lat",
                *placed,
            ],
            organisation_rows(),
        )
        counts["key_places"] = load(
            KeyPlace,
            ["id", "kind", "name", "address", "lon", "lat", "note", *placed],
            place_rows(),
        )
        timings["organisations_places_s"] = time.perf_counter() - tick
        tick = time.perf_counter()
    timings["indexes_s"] = time.perf_counter() - tick
    tick = time.perf_counter()
    reset_sequences([Building, Household, Resident, Organisation, KeyPlace])
    analyze()
    timings["analyze_s"] = time.perf_counter() - tick
    timings["total_s"] = time.perf_counter() - started
    return {"rows": counts, "grids": n_grids, "timings": timings}


def command(scale_name: str, *, city: bool, residents_per_grid: float | None = None) -> dict:
    """`python -m bench registry`: optionally the city (cleared and built), then the registry."""
    from django.core.cache import cache
    from django.core.management import call_command

    from bench import city as city_module
    from bench.scale import SCALES

    result: dict = {"scale": scale_name}
    if city:
        call_command("migrate", verbosity=0)
        city_module.clear()
        cache.clear()
        built = city_module.build(SCALES[scale_name])
        result["city"] = {k: v for k, v in built.timings.items() if k.endswith("_s")}
    clear()
    result["registry"] = build(residents_per_grid=residents_per_grid or RESIDENTS_PER_GRID)
    return result
