"""The synthetic city: areas with Voronoi grids, officers, categories, cases and their events.

Everything is written with COPY (PostgreSQL) in a few passes; rows carry explicit ids so the
cases' events, contacts and permissions can refer to them without reading anything back.

Geometry: the city is a rectangle cut into districts, streets and communities by jittered
rows and columns; each community is tiled by the Voronoi cells of random seeds
(`shapely.voronoi_polygons`), clipped to the community, so the grids tile the city exactly.
Grid codes follow the 15-digit standard (6 district + 3 street + 3 community + 3 grid),
numbered west → east, north → south inside their community.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from shapely.geometry import MultiPoint, box, mapping
from shapely.strtree import STRtree

from bench.loader import (
    analyze,
    bulk,
    is_postgresql,
    load,
    prepare_stamps,
    reset_sequences,
    stamp,
)
from bench.scale import Scale
from citizens.models import User
from governance.models import (
    Area,
    AreaUserObjectPermission,
    Assignment,
    Case,
    CaseContact,
    CaseEvent,
    Category,
    Department,
    Level,
)
from governance.models.people import ROLE_PERMISSIONS
from governance.workflow import WARN_AT

CITY_CODE = "110100"
CENTER = (116.40, 39.90)
GRID_KM2 = 0.25  # a social-governance grid: about 500 households
KM_PER_DEG_LAT = 111.0
PASSWORD = "bench-password"  # every generated account signs in with it

DEPARTMENTS = [
    ("urban", "城管", "City management"),
    ("environment", "环保", "Environment"),
    ("water", "水务", "Water"),
    ("roads", "交通", "Roads and traffic"),
    ("greening", "园林", "Landscaping"),
    ("housing", "住建", "Housing"),
    ("civil", "民政", "Civil affairs"),
    ("market", "市场监管", "Market regulation"),
]
# (family, code, name, English, department, unit, general, urgent, weight)
CATEGORIES = [
    ("component", "c-0101", "上水井盖", "Water manhole cover", "water", "working_hours", 6, 2, 3),
    ("component", "c-0102", "污水井盖", "Sewage manhole cover", "water", "working_hours", 6, 2, 3),
    ("component", "c-0103", "雨水井盖", "Storm-drain cover", "water", "working_hours", 6, 2, 2),
    ("component", "c-0118", "路灯", "Street lamp", "roads", "working_days", 2, 1, 6),
    ("component", "c-0214", "交通信号灯", "Traffic light", "roads", "working_hours", 4, 1, 2),
    ("component", "c-0301", "公共厕所", "Public toilet", "urban", "working_days", 1, None, 2),
    ("component", "c-0305", "垃圾箱", "Litter bin", "urban", "working_days", 1, None, 4),
    ("component", "c-0402", "行道树", "Street tree", "greening", "working_days", 3, 1, 3),
    ("event", "e-0101", "私搭乱建", "Illegal construction", "urban", "working_days", 15, 1, 5),
    ("event", "e-0102", "暴露垃圾", "Exposed garbage", "urban", "working_hours", 4, 2, 14),
    ("event", "e-0103", "积存垃圾渣土", "Accumulated waste", "urban", "working_days", 1, None, 6),
    ("event", "e-0104", "道路不洁", "Dirty road", "urban", "working_hours", 5, 2, 8),
    ("event", "e-0105", "水域不洁", "Dirty water body", "water", "working_days", 2, None, 2),
    ("event", "e-0201", "非法小广告", "Illegal flyers", "urban", "working_days", 1, None, 8),
    ("event", "e-0301", "施工扰民", "Construction noise", "environment", "working_hours", 8, 2, 5),
    ("event", "e-0302", "工地扬尘", "Construction dust", "environment", "working_hours", 8, 2, 3),
    ("event", "e-0401", "路面塌陷", "Road collapse", "roads", "working_hours", 4, 1, 1),
    ("event", "e-0501", "无照经营游商", "Unlicensed vendor", "market", "working_days", 1, None, 6),
    ("event", "e-0505", "机动车乱停放", "Illegal parking", "roads", "working_hours", 4, 2, 9),
    ("service", "s-0001", "居住证明", "Residence certificate", "civil", "working_days", 5, None, 4),
    ("complaint", "p-0001", "噪声投诉", "Noise complaint", "environment", "working_days", 3, 1, 6),
]

# Final and open states after two years: (status, weight) among cases older than a month.
SETTLED = [("closed", 88.0), ("rejected", 6.0), ("withdrawn", 3.5), ("merged", 2.5)]
OPEN = ["submitted", "filed", "dispatched", "in_progress", "resolved"]
PATHS = {  # the events each state's timeline holds (after `submitted`)
    "submitted": [],
    "filed": ["filed"],
    "dispatched": ["filed", "dispatched"],
    "in_progress": ["filed", "dispatched", "started"],
    "resolved": ["filed", "dispatched", "started", "resolved"],
    "closed": ["filed", "dispatched", "started", "resolved", "closed"],
    "rejected": ["rejected"],
    "withdrawn": ["withdrawn"],
    "merged": ["merged"],
}
EVENT_STATUS = {
    "filed": ("submitted", "filed"),
    "dispatched": ("filed", "dispatched"),
    "started": ("dispatched", "in_progress"),
    "resolved": ("in_progress", "resolved"),
    "closed": ("resolved", "closed"),
    "rejected": ("submitted", "rejected"),
    "withdrawn": ("submitted", "withdrawn"),
    "merged": ("submitted", "merged"),
    "rated": ("closed", "closed"),
}
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class City:
    """What the benchmarks need to know about the city they run on."""

    scale: Scale
    now: float
    bounds: tuple[float, float, float, float]
    grid_ids: np.ndarray
    grid_paths: list[str]
    grid_geometries: list
    officer_ids: np.ndarray  # officers[i] = (lead officer, officer) of grid i
    community_leaders: list[int] = field(default_factory=list)
    street_dispatchers: list[int] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    department_ids: list[int] = field(default_factory=list)
    citizen_ids: tuple[int, int] = (0, 0)
    open_cases: int = 0
    overdue_cases: int = 0
    events: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _split(rect: tuple[float, float, float, float], k: int, rng) -> list[tuple]:
    """Cut a rectangle into k tiles: rows north → south, each row west → east, jittered."""
    x0, y0, x1, y1 = rect
    width, height = x1 - x0, y1 - y0
    rows = max(1, min(k, round(math.sqrt(k * height / width))))
    counts = [k // rows + (1 if i < k % rows else 0) for i in range(rows)]
    cuts_y = _cuts(y1, y0, rows, rng)  # north first
    tiles = []
    for r, count in enumerate(counts):
        top, bottom = cuts_y[r], cuts_y[r + 1]
        cuts_x = _cuts(x0, x1, count, rng)
        for c in range(count):
            tiles.append((cuts_x[c], bottom, cuts_x[c + 1], top))
    return tiles


def _cuts(start: float, end: float, n: int, rng) -> list[float]:
    step = (end - start) / n
    inner = [start + step * (i + rng.uniform(-0.2, 0.2)) for i in range(1, n)]
    return [start, *inner, end]


def _grid_cells(rect: tuple, n: int, rng) -> list:
    """n Voronoi cells tiling the rectangle, ordered west → east, north → south."""
    x0, y0, x1, y1 = rect
    frame = box(x0, y0, x1, y1)
    seeds = MultiPoint(np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)]).tolist())
    cells = [
        shapely.set_precision(cell.intersection(frame), 1e-7)
        for cell in shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    ]
    cells = [c for c in cells if not c.is_empty and c.area > 0]
    band = (y1 - y0) / max(1, round(math.sqrt(len(cells))))
    cells.sort(key=lambda c: (int((y1 - c.centroid.y) / band), c.centroid.x))
    return cells


def _geojson(geometry) -> str:
    geo = mapping(geometry)
    return json.dumps({"type": geo["type"], "coordinates": geo["coordinates"]})


def _tracking_ids(n: int, created: list[float]) -> Iterator[str]:
    """Unique public ids: the date plus a scrambled sequence number (a bijection mod 32^6)."""
    space = 32**6
    for i in range(n):
        number = (i * 741_103_597 + 12_345) % space
        chars = []
        for _ in range(6):
            number, digit = divmod(number, 32)
            chars.append(_ALPHABET[digit])
        yield f"{stamp(created[i])[2:10].replace('-', '')}-{''.join(chars)}"


def clear() -> None:
    """Empty the database (keeping its schema), ready for a fresh city."""
    call_command("flush", interactive=False, verbosity=0)


def build(scale: Scale, *, seed: int = 20260101, now: float | None = None) -> City:
    """Build the city; timings per step land in `City.timings` (seconds)."""
    prepare_stamps()
    rng = np.random.default_rng(seed)
    import random

    jitter = random.Random(seed)
    now = now if now is not None else time.time()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # --- geometry and areas
    tick = time.perf_counter()
    communities = math.ceil(scale.grids / scale.grids_per_community)
    streets = math.ceil(communities / scale.communities_per_street)
    districts = math.ceil(streets / scale.streets_per_district)
    side_km = math.sqrt(scale.grids * GRID_KM2)
    half_lat = side_km / KM_PER_DEG_LAT / 2
    half_lon = side_km / (KM_PER_DEG_LAT * math.cos(math.radians(CENTER[1]))) / 2
    bounds = (
        CENTER[0] - half_lon,
        CENTER[1] - half_lat,
        CENTER[0] + half_lon,
        CENTER[1] + half_lat,
    )

    area_rows: list[tuple] = []
    next_id = iter(range(1, 10**9))
    valid_from = stamp(now - scale.days * 86400 - 86400)

    def add_area(code: str, level: int, parent: tuple | None, name: str, geometry) -> tuple:
        pk = next(next_id)
        path = (parent[1] if parent else "/") + code + "/"
        min_lon, min_lat, max_lon, max_lat = geometry.bounds
        area_rows.append(
            (
                pk,
                code,
                name,
                "",
                level,
                parent[0] if parent else None,
                path,
                _geojson(geometry),
                min_lon,
                min_lat,
                max_lon,
                max_lat,
                valid_from,
                valid_from,
            )
        )
        return (pk, path)

    city = add_area(CITY_CODE, Level.CITY, None, "基准市", box(*bounds))
    grid_ids: list[int] = []
    grid_paths: list[str] = []
    grid_geometries: list = []
    community_ids: list[int] = []
    street_ids: list[int] = []
    district_ids: list[int] = []
    grids_left = scale.grids
    communities_left = communities
    streets_left = streets
    for d, d_rect in enumerate(_split(bounds, districts, jitter), start=1):
        d_code = f"{CITY_CODE[:4]}{d:02d}"
        district = add_area(d_code, Level.DISTRICT, city, f"第{d}区", box(*d_rect))
        district_ids.append(district[0])
        n_streets = min(scale.streets_per_district, streets_left)
        streets_left -= n_streets
        for s, s_rect in enumerate(_split(d_rect, n_streets, jitter), start=1):
            s_code = f"{d_code}{s:03d}"
            street = add_area(s_code, Level.STREET, district, f"第{d}区{s}街道", box(*s_rect))
            street_ids.append(street[0])
            n_communities = min(scale.communities_per_street, communities_left)
            communities_left -= n_communities
            for c, c_rect in enumerate(_split(s_rect, n_communities, jitter), start=1):
                c_code = f"{s_code}{c:03d}"
                community = add_area(c_code, Level.COMMUNITY, street, f"{c_code}社区", box(*c_rect))
                community_ids.append(community[0])
                n_grids = min(scale.grids_per_community, grids_left)
                cells = _grid_cells(c_rect, n_grids, rng)
                grids_left -= len(cells)
                for g, cell in enumerate(cells, start=1):
                    g_code = f"{c_code}{g:03d}"
                    grid = add_area(g_code, Level.GRID, community, f"{g_code}网格", cell)
                    grid_ids.append(grid[0])
                    grid_paths.append(grid[1])
                    grid_geometries.append(cell)
    timings["geometry_s"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with transaction.atomic():
        load(
            Area,
            [
                "id",
                "code",
                "name",
                "name_en",
                "level",
                "parent_id",
                "path",
                "boundary",
                "min_lon",
                "min_lat",
                "max_lon",
                "max_lat",
                "valid_from",
                "updated_at",
            ],
            area_rows,
        )

        # --- departments and categories (a few rows: the ORM is fine)
        departments = {}
        for code, name, name_en in DEPARTMENTS:
            departments[code] = Department.objects.create(code=code, name=name, name_en=name_en)
        categories = []
        weights = []
        for family, code, name, name_en, dept, unit, general, urgent, weight in CATEGORIES:
            categories.append(
                Category.objects.create(
                    family=family,
                    code=code,
                    name=name,
                    name_en=name_en,
                    default_department=departments[dept],
                    limit_unit=unit,
                    general_limit=general,
                    urgent_limit=urgent,
                )
            )
            weights.append(weight)
    timings["areas_s"] = time.perf_counter() - tick

    # --- people: officers, leaders, department clerks, citizens
    tick = time.perf_counter()
    password = make_password(PASSWORD)
    joined = stamp(now - scale.days * 86400 - 86400)
    user_id = iter(range(1, 10**9))
    user_rows: list[tuple] = []
    assignment_rows: list[tuple] = []

    def person(username: str, display: str) -> int:
        pk = next(user_id)
        user_rows.append(
            (
                pk,
                password,
                False,
                username,
                "",
                "",
                False,
                True,
                joined,
                None,
                None,
                display,
                "zh-hans",
            )
        )
        return pk

    def assign(user: int, area: int, role: str) -> None:
        assignment_rows.append((len(assignment_rows) + 1, role, joined, area, user))

    officers = np.zeros((len(grid_ids), 2), dtype=np.int64)
    for i, area in enumerate(grid_ids):
        code = grid_paths[i].rstrip("/").rsplit("/", 1)[1]
        lead = person(f"lead-{code}", f"网格长{code}")
        officer = person(f"officer-{code}", f"网格员{code}")
        assign(lead, area, "lead_officer")
        assign(officer, area, "officer")
        officers[i] = (lead, officer)
    community_leaders = []
    for area in community_ids:
        pk = person(f"community-leader-{area}", f"社区书记{area}")
        assign(pk, area, "leader")
        community_leaders.append(pk)
    street_dispatchers = []
    for area in street_ids:
        pk = person(f"street-dispatcher-{area}", f"街道调度{area}")
        assign(pk, area, "dispatcher")
        street_dispatchers.append(pk)
        pk = person(f"street-leader-{area}", f"街道主任{area}")
        assign(pk, area, "leader")
    for area in district_ids:
        assign(person(f"district-leader-{area}", f"区领导{area}"), area, "leader")
        assign(person(f"district-supervisor-{area}", f"区督查{area}"), area, "supervisor")
    clerks: dict[str, list[int]] = {}
    for code, *_names in DEPARTMENTS:
        clerks[code] = [person(f"clerk-{code}-{n}", f"{code}办事员{n}") for n in range(5)]
    n_citizens = max(10, int(scale.cases * scale.citizens_per_case))
    first_citizen = next(user_id)
    last_citizen = first_citizen + n_citizens - 1

    def citizens() -> Iterator[tuple]:
        for pk in range(first_citizen, last_citizen + 1):
            yield (
                pk,
                "!",
                False,
                f"citizen-{pk}",
                "",
                "",
                False,
                True,
                joined,
                f"+86139{pk:08d}",
                None,
                "",
                "zh-hans",
            )

    content_type = ContentType.objects.get_for_model(Area)
    permission_ids = dict(
        Permission.objects.filter(content_type=content_type).values_list("codename", "id")
    )

    def permission_rows() -> Iterator[tuple]:
        # Exactly what governance.permissions.sync_area_permissions writes for each assignment.
        wanted: dict[tuple[int, int], set[str]] = {}
        for _pk, role, _joined, area, user in assignment_rows:
            wanted.setdefault((user, area), set()).update(ROLE_PERMISSIONS[role])
        pk = 0
        for (user, area), codenames in wanted.items():
            for codename in sorted(codenames):
                pk += 1
                yield (pk, area, permission_ids[codename], user)

    user_columns = [
        "id",
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "date_joined",
        "phone",
        "email",
        "display_name",
        "preferred_language",
    ]
    with bulk(User, Assignment, AreaUserObjectPermission):
        load(User, user_columns, user_rows)
        load(User, user_columns, citizens())
        load(Assignment, ["id", "role", "created_at", "area_id", "user_id"], assignment_rows)
        permissions = load(
            AreaUserObjectPermission,
            ["id", "content_object_id", "permission_id", "user_id"],
            permission_rows(),
        )
        memberships = User.groups.through
        load(
            memberships,
            ["user_id", "group_id"],
            [
                (clerk, departments[code].group_id)
                for code, members in clerks.items()
                for clerk in members
            ],
        )
    timings["people_s"] = time.perf_counter() - tick

    # --- cases and their events
    tick = time.perf_counter()
    n = scale.cases
    # Where: a mix of uniform spread and hot spots (markets, stations), routed to their grid.
    hot = rng.uniform(
        [bounds[0], bounds[1]], [bounds[2], bounds[3]], size=(max(5, n // 20_000 + 5), 2)
    )
    spread = (bounds[2] - bounds[0]) / 30
    from_hot = rng.random(n) < 0.4
    centres = hot[rng.integers(0, len(hot), n)]
    points = np.where(
        from_hot[:, None],
        rng.normal(centres, spread),
        rng.uniform([bounds[0], bounds[1]], [bounds[2], bounds[3]], size=(n, 2)),
    )
    points[:, 0] = points[:, 0].clip(bounds[0] + 1e-6, bounds[2] - 1e-6)
    points[:, 1] = points[:, 1].clip(bounds[1] + 1e-6, bounds[3] - 1e-6)
    tree = STRtree(grid_geometries)
    point_index, grid_index = tree.query(shapely.points(points), predicate="intersects")
    case_grid = np.full(n, -1, dtype=np.int64)
    # a border point may hit two grids: keep the one with the smaller code (lower index)
    order = np.lexsort((grid_index, point_index))
    first = np.unique(point_index[order], return_index=True)[1]
    case_grid[point_index[order][first]] = grid_index[order][first]
    points_ok = case_grid >= 0

    created = np.sort(now - rng.uniform(0, scale.days, n) * 86400)  # ids ascend with time
    age_days = (now - created) / 86400
    category_index = rng.choice(len(categories), n, p=np.array(weights) / sum(weights))
    urgent = rng.random(n) < 0.12
    channel = rng.choice(
        ["web", "hotline", "patrol", "api", "sensor"], n, p=[0.35, 0.3, 0.25, 0.07, 0.03]
    )
    # Open with a probability falling with age: most cases settle within days, a few linger.
    p_open = 0.015 + 0.9 * np.exp(-age_days / 6)
    is_open = rng.random(n) < p_open
    settled = rng.choice([s for s, _w in SETTLED], n, p=np.array([w for _s, w in SETTLED]) / 100)
    progress = np.minimum(4, (age_days / 1.5 + rng.random(n) * 2).astype(int))
    status = np.where(is_open, np.array(OPEN)[progress], settled)
    rated = (status == "closed") & (rng.random(n) < 0.6)
    citizen = rng.integers(first_citizen, last_citizen + 1, n)
    limit_hours = np.array(
        [
            (c.limit_for("urgent") if c.allows_urgent else c.general_limit)
            * (1.0 if c.limit_unit == "working_hours" else 8.0)
            for c in categories
        ]
    )
    general_hours = np.array(
        [c.general_limit * (1.0 if c.limit_unit == "working_hours" else 8.0) for c in categories]
    )
    hours = np.where(urgent, limit_hours[category_index], general_hours[category_index])
    due = created + hours * 3 * 3600  # working hours are about a third of the clock
    # The sweep has been running all along: open cases past their warning point were warned;
    # an overdue case was escalated when it fell due and again after each further limit, one
    # level up each time, until the top of the tree (a grid's case: community, street,
    # district, city — four levels; an unrouted case has none above it).
    limit_s = np.maximum(due - created, 60.0)
    open_mask = np.isin(status, OPEN)
    warned = open_mask & (now >= created + limit_s * 0.8)
    overdue = open_mask & (due < now)
    top = np.where(case_grid >= 0, 4, 0)
    limits_past = np.floor(np.maximum(now - due, 0) / limit_s)
    level = np.where(overdue, np.minimum(1 + limits_past, top), 0).astype(int)
    escalated_at = due + np.maximum(level - 1, 0) * limit_s  # the latest escalation
    category_ids = [c.pk for c in categories]
    department_of = [departments[row[4]].pk for row in CATEGORIES]
    descriptions = [f"{c.name}：请尽快处理。{c.name_en}, please see to it." for c in categories]
    lead_of_grid = officers[:, 0].tolist()
    officer_of_grid = officers[:, 1].tolist()
    grid_id_list = [int(x) for x in grid_ids]
    # Plain lists: indexing them is several times cheaper than numpy scalars in the loops.
    status_l, grid_l, channel_l = status.tolist(), case_grid.tolist(), channel.tolist()
    created_l, due_l, progress_l = created.tolist(), due.tolist(), progress.tolist()
    rated_l, urgent_l, citizen_l = rated.tolist(), urgent.tolist(), citizen.tolist()
    category_l, lon_l, lat_l = category_index.tolist(), points[:, 0].tolist(), points[:, 1].tolist()
    warned_l, level_l, escalated_l = warned.tolist(), level.tolist(), escalated_at.tolist()
    limit_l = limit_s.tolist()

    def case_rows() -> Iterator[tuple]:
        ids = _tracking_ids(n, created_l)
        for i in range(n):
            cat = category_l[i]
            st = status_l[i]
            g = grid_l[i]
            chan = channel_l[i]
            if chan == "patrol" and g >= 0:
                reporter = officer_of_grid[g]
            else:
                reporter = None if chan == "hotline" else citizen_l[i]
            made = created_l[i]
            dispatched = st in ("dispatched", "in_progress", "resolved", "closed")
            resolved = st in ("resolved", "closed")
            start = made + 1800 if dispatched else made
            closed = st in ("closed", "rejected", "withdrawn", "merged")
            yield (
                i + 1,
                next(ids),
                descriptions[cat],
                lon_l[i],
                lat_l[i],
                "",
                grid_paths[g] if g >= 0 else city[1],
                chan,
                "urgent" if urgent_l[i] else "general",
                st,
                "{}",
                0,  # rework count
                1 + (i % 5) if rated_l[i] else None,
                "",
                stamp(due_l[i]),
                stamp(made),
                stamp(made + 3600 * (1 + progress_l[i])),
                stamp(made + 1800) if dispatched else None,
                stamp(made + 3600 * 20) if resolved else None,
                stamp(made + 3600 * 30) if closed else None,
                grid_id_list[g] if g >= 0 else None,
                reporter,
                category_ids[cat],
                department_of[cat] if dispatched else None,
                stamp(made + 0.8 * limit_l[i]) if warned_l[i] else None,
                stamp(escalated_l[i]) if level_l[i] else None,
                level_l[i],
                # workflow.warning_time: 80 % of the way from dispatch (or submission) to due
                stamp(start + (due_l[i] - start) * WARN_AT),
            )

    def event_rows() -> Iterator[tuple]:
        pk = 0
        for i in range(n):
            st = status_l[i]
            g = grid_l[i]
            made = created_l[i]
            chan = channel_l[i]
            lead = lead_of_grid[g] if g >= 0 else None
            if chan == "patrol" and g >= 0:
                reporter = officer_of_grid[g]
            else:
                reporter = None if chan == "hotline" else citizen_l[i]
            pk += 1
            data = f'{{"channel": "{chan}", "routed": {"true" if g >= 0 else "false"}}}'
            yield (
                pk,
                "submitted",
                "",
                "submitted",
                "",
                "public",
                data,
                stamp(made),
                reporter,
                i + 1,
            )
            kinds = PATHS[st] + (["rated"] if rated_l[i] else [])
            for step, kind in enumerate(kinds, start=1):
                pk += 1
                before, after = EVENT_STATUS[kind]
                actor = reporter if kind in ("withdrawn", "rated") else lead
                at = stamp(made + 1800 * step)
                yield (pk, kind, before, after, "", "reporter", "{}", at, actor, i + 1)

    def contact_rows() -> Iterator[tuple]:
        for i in range(n):
            if channel_l[i] == "hotline":
                yield (i + 1, f"市民{i % 1000}", f"1380{i % 10_000_000:07d}", "")

    with bulk(Case, CaseEvent, CaseContact):
        cases = load(
            Case,
            [
                "id",
                "tracking_id",
                "description",
                "lon",
                "lat",
                "address",
                "area_path",
                "channel",
                "urgency",
                "status",
                "answers",
                "rework_count",
                "rating",
                "rating_comment",
                "due_at",
                "created_at",
                "updated_at",
                "dispatched_at",
                "resolved_at",
                "closed_at",
                "grid_id",
                "reporter_id",
                "category_id",
                "assignee_department_id",
                "warned_at",
                "escalated_at",
                "escalation_level",
                "warn_at",
            ],
            case_rows(),
        )
        timings["cases_s"] = time.perf_counter() - tick
        tick = time.perf_counter()
        events = load(
            CaseEvent,
            [
                "id",
                "kind",
                "from_status",
                "to_status",
                "note",
                "audience",
                "data",
                "created_at",
                "actor_id",
                "case_id",
            ],
            event_rows(),
        )
        load(CaseContact, ["case_id", "name", "phone", "email"], contact_rows())
        timings["events_s"] = time.perf_counter() - tick
        tick = time.perf_counter()
    timings["indexes_s"] = time.perf_counter() - tick
    tick = time.perf_counter()
    reset_sequences([Area, User, Assignment, AreaUserObjectPermission, Case, CaseEvent])
    analyze()
    timings["analyze_s"] = time.perf_counter() - tick
    timings["total_s"] = time.perf_counter() - started

    return City(
        scale=scale,
        now=now,
        bounds=bounds,
        grid_ids=np.array(grid_ids, dtype=np.int64),
        grid_paths=grid_paths,
        grid_geometries=grid_geometries,
        officer_ids=officers,
        community_leaders=community_leaders,
        street_dispatchers=street_dispatchers,
        category_ids=category_ids,
        department_ids=[d.pk for d in departments.values()],
        citizen_ids=(first_citizen, last_citizen),
        open_cases=int(open_mask.sum()),
        overdue_cases=int(overdue.sum()),
        events=events,
        timings={
            **timings,
            "cases": cases,
            "permissions": permissions,
            "routed_share": float(points_ok.mean()),
        },
    )


def sizes() -> dict[str, int]:
    """Row counts of the big tables, as loaded."""
    tables = {
        "areas": Area,
        "users": User,
        "assignments": Assignment,
        "area_permissions": AreaUserObjectPermission,
        "cases": Case,
        "case_events": CaseEvent,
    }
    result = {}
    with connection.cursor() as cursor:
        for name, model in tables.items():
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            result[name] = cursor.fetchone()[0]
    return result


__all__ = ["PASSWORD", "City", "build", "clear", "is_postgresql", "sizes"]
