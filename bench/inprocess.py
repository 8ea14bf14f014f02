"""Figures measured inside this process: routing, filing, the scoped queue, the baselines."""

from __future__ import annotations

import time
import uuid
from typing import Any

import numpy as np
import shapely
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from guardian.conf import settings as guardian_settings
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from bench.city import City
from bench.loader import is_postgresql, load, stamp
from bench.stats import summary, timed
from citizens.models import User
from governance import routing
from governance.access import Action, cases_for
from governance.models import Case, Category
from governance.models.case import OPEN_STATUSES
from governance.workflow import submit_case

QUEUE_PAGE = 50


def _points(city: City, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = city.bounds
    return rng.uniform([x0, y0], [x1, y1], size=(n, 2))


def routing_figures(city: City) -> dict[str, Any]:
    """µs per point through the process's STRtree index, and through a loop over every grid."""
    routing.grid_copy.invalidate()
    tick = time.perf_counter()
    index = routing.grid_index()
    build_s = time.perf_counter() - tick
    points = _points(city, city.scale.route_points, 1)
    samples = []
    routed = 0
    for lon, lat in points:
        start = time.perf_counter_ns()
        found = index.locate(float(lon), float(lat))
        samples.append((time.perf_counter_ns() - start) / 1e9)
        routed += found is not None
    indexed = summary(samples)
    exact_samples = []
    agree_exact = 0
    for lon, lat in points[: min(len(points), 5000)]:
        start = time.perf_counter_ns()
        exact = index.locate_exact(float(lon), float(lat))
        exact_samples.append((time.perf_counter_ns() - start) / 1e9)
        agree_exact += exact == index.locate(float(lon), float(lat))

    geometries = index.geometries  # prepared, in code order: the first hit is the answer
    naive_samples = []
    agree = 0
    for lon, lat in points[: city.scale.naive_route_points]:
        point = shapely.Point(float(lon), float(lat))
        start = time.perf_counter_ns()
        hit = None
        for position, geometry in enumerate(geometries):
            if geometry.intersects(point):
                hit = int(index.area_ids[position])
                break
        naive_samples.append((time.perf_counter_ns() - start) / 1e9)
        agree += hit == index.locate(float(lon), float(lat))
    naive = summary(naive_samples)
    return {
        "grids": len(geometries),
        "index_build_s": build_s,
        "indexed": indexed,
        "strtree_geos": summary(exact_samples),
        "fast_path_agrees": agree_exact / max(1, len(exact_samples)),
        "routed_share": routed / len(points),
        "naive": naive,
        "naive_agrees": agree / max(1, len(naive_samples)),
        "speedup_p50": naive["p50_ms"] / indexed["p50_ms"],
    }


def _raw_connection():
    """A plain psycopg connection to the same database (no Django in the way)."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    return psycopg.connect(**params, autocommit=False)


def filing_figures(city: City, repeats: int) -> dict[str, Any]:
    """A case filed through `submit_case` (the server's work) vs the raw INSERT of its rows."""
    points = _points(city, repeats * 2, 3)
    citizen = User.objects.get(pk=city.citizen_ids[0])
    category = Category.objects.get(pk=city.category_ids[0])
    routing.grid_index()  # built already, as in a running server
    position = iter(range(repeats * 2))

    def domain() -> None:
        i = next(position)
        submit_case(
            actor=citizen,
            category=category,
            description="井盖缺失 — bench",
            lon=float(points[i, 0]),
            lat=float(points[i, 1]),
        )

    domain()  # warm up (imports, calendar, prepared plans)
    domain_samples, domain_wall = timed(domain, repeats)
    with CaptureQueriesContext(connection) as queries:
        domain()
    domain_queries = len(queries)
    query_list = [q["sql"][:120] for q in queries.captured_queries]

    floor: dict[str, Any]
    if is_postgresql():
        grid_path = city.grid_paths[0]
        grid_id = int(city.grid_ids[0])
        with _raw_connection() as raw:
            counter = iter(range(10**9))

            def insert() -> None:
                n = next(counter)
                now = time.time()
                with raw.cursor() as cursor:
                    cursor.execute(
                        "INSERT INTO governance_case (tracking_id, description, lon, lat, address,"
                        " area_path, channel, urgency, status, answers, escalation_level,"
                        " rework_count, rating_comment, due_at, created_at, updated_at, grid_id,"
                        " reporter_id, category_id) VALUES (%s, %s, %s, %s, '', %s, 'web',"
                        " 'general', 'submitted', '{}', 0, 0, '', %s, %s, %s, %s, %s, %s)"
                        " RETURNING id",
                        (
                            f"F-{uuid.uuid4().hex[:12]}",
                            "井盖缺失 — bench",
                            float(points[n % len(points), 0]),
                            float(points[n % len(points), 1]),
                            grid_path,
                            stamp(now + 86400),
                            stamp(now),
                            stamp(now),
                            grid_id,
                            citizen.pk,
                            category.pk,
                        ),
                        prepare=True,
                    )
                    case_id = cursor.fetchone()[0]
                    cursor.execute(
                        "INSERT INTO governance_caseevent (kind, from_status, to_status, note,"
                        " audience, data, created_at, actor_id, case_id) VALUES ('submitted', '',"
                        " 'submitted', '', 'public',"
                        ' \'{"channel": "web", "routed": true}\', %s, %s, %s)',
                        (stamp(now), citizen.pk, case_id),
                        prepare=True,
                    )
                raw.commit()

            insert()
            floor_samples, floor_wall = timed(insert, repeats)
        floor = summary(floor_samples, wall=floor_wall)
    else:
        # No raw psycopg on SQLite: the floor is two bare INSERTs through the same connection.
        def insert_sqlite() -> None:
            with transaction.atomic():
                case = Case.objects.create(
                    category=category,
                    description="floor",
                    lon=float(city.bounds[0]),
                    lat=float(city.bounds[1]),
                    area_path=city.grid_paths[0],
                    grid_id=int(city.grid_ids[0]),
                )
                case.events.create(kind="submitted", to_status="submitted")

        floor_samples, floor_wall = timed(insert_sqlite, repeats)
        floor = summary(floor_samples, wall=floor_wall)
    domain_summary = summary(domain_samples, wall=domain_wall)
    return {
        "submit_case": domain_summary,
        "submit_case_queries": domain_queries,
        "submit_case_sql": query_list,
        "raw_insert_floor": floor,
        "ratio_p50": domain_summary["p50_ms"] / floor["p50_ms"],
    }


def _queue(user: User) -> list[Case]:
    return list(
        cases_for(user, Action.VIEW)
        .filter(status__in=OPEN_STATUSES)
        .select_related("category")
        .order_by("due_at", "pk")[:QUEUE_PAGE]
    )


def queue_figures(city: City, repeats: int) -> dict[str, Any]:
    """The scoped queue query (first page of open cases, most urgent first) per role."""
    rng = np.random.default_rng(4)
    result: dict[str, Any] = {}
    who = {
        "grid_officer": [int(x) for x in city.officer_ids[:, 1]],
        "community_leader": city.community_leaders,
        "street_dispatcher": city.street_dispatchers,
    }
    for role, ids in who.items():
        users = list(User.objects.filter(pk__in=rng.choice(ids, min(len(ids), repeats))))
        for user in users[:3]:
            _queue(user)  # warm up
        samples = []
        sizes = []
        for i in range(repeats):
            user = users[i % len(users)]
            tick = time.perf_counter()
            page = _queue(user)
            samples.append(time.perf_counter() - tick)
            sizes.append(len(page))
        with CaptureQueriesContext(connection) as queries:
            _queue(users[0])
        result[role] = {
            **summary(samples),
            "queries": len(queries),
            "mean_rows": float(np.mean(sizes)),
        }
        if is_postgresql() and role == "grid_officer":
            sql, params = queries.captured_queries[-1]["sql"], None
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                result[role]["plan"] = [row[0] for row in cursor.fetchall()][:12]
    return result


def _guardian_rows(city: City, rows: int) -> tuple[list[int], int]:
    """One generic view_case row per officer and case, for the first rows/2 cases' grids."""
    content_type = ContentType.objects.get_for_model(Case)
    permission = Permission.objects.get(content_type=content_type, codename="view_case")
    grid_to_officers = {int(g): city.officer_ids[i] for i, g in enumerate(city.grid_ids)}
    UserObjectPermission.objects.all().delete()
    cases = Case.objects.filter(grid__isnull=False).order_by("pk").values_list("pk", "grid_id")

    cases = list(cases[: rows // 2 + 1])  # read before COPY: the connection is busy during it

    def generate():
        made = 0
        for case_id, grid_id in cases:
            for officer in grid_to_officers[grid_id]:
                yield (int(officer), content_type.pk, str(case_id), permission.pk)
                made += 1
            if made >= rows:
                return

    count = load(
        UserObjectPermission,
        ["user_id", "content_type_id", "object_pk", "permission_id"],
        generate(),
    )
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {UserObjectPermission._meta.db_table}")
    officers = list(UserObjectPermission.objects.values_list("user_id", flat=True).distinct()[:200])
    return officers, count


def _naive_queue(user: User) -> list[Case]:
    queryset = get_objects_for_user(
        user,
        "governance.view_case",
        klass=Case.objects.filter(status__in=OPEN_STATUSES).select_related("category"),
        accept_global_perms=False,
    )
    return list(queryset.order_by("due_at", "pk")[:QUEUE_PAGE])


def guardian_figures(city: City, sizes: tuple[int, ...], repeats: int) -> dict[str, Any]:
    """guardian.shortcuts.get_objects_for_user over generic per-case rows, at several sizes."""
    saved = (guardian_settings.USER_OBJ_PERMS_MODEL, guardian_settings.GROUP_OBJ_PERMS_MODEL)
    guardian_settings.USER_OBJ_PERMS_MODEL = "guardian.UserObjectPermission"
    guardian_settings.GROUP_OBJ_PERMS_MODEL = "guardian.GroupObjectPermission"
    result: dict[str, Any] = {"sizes": []}
    try:
        full = 2 * Case.objects.filter(grid__isnull=False).count()
        for size in [*sizes, full]:
            if size > full or (
                size == full and result["sizes"] and result["sizes"][-1]["rows"] == full
            ):
                continue
            tick = time.perf_counter()
            officer_ids, count = _guardian_rows(city, size)
            load_s = time.perf_counter() - tick
            users = list(User.objects.filter(pk__in=officer_ids))
            for user in users[:3]:
                _naive_queue(user)
            samples = []
            for i in range(repeats):
                user = users[i % len(users)]
                tick = time.perf_counter()
                _naive_queue(user)
                samples.append(time.perf_counter() - tick)
            with CaptureQueriesContext(connection) as queries:
                _naive_queue(users[0])
            result["sizes"].append(
                {"rows": count, "load_s": load_s, "queries": len(queries), **summary(samples)}
            )
    finally:
        guardian_settings.USER_OBJ_PERMS_MODEL, guardian_settings.GROUP_OBJ_PERMS_MODEL = saved
        UserObjectPermission.objects.all().delete()
    return result


LIST_PAGE = 51  # the API list's page of 50 and the one that tells whether there is a next


def list_plan_figures(city: City, sample: int = 2000) -> dict[str, Any]:
    """How PostgreSQL plans a grid officer's newest-first list (the API list's query) across
    the city: how many of `sample` officers' lists walk the newest-first index filtering rows,
    and how many of those for a grid holding fewer than a page of cases — a walk over the whole
    table (300 ms at a million cases), the tail `governance.paths` removed."""
    if not is_postgresql():
        return {"skipped": "PostgreSQL only: the planner's choice is the figure"}
    step = max(1, len(city.officer_ids) // sample)
    officer_ids = [int(x) for x in city.officer_ids[::step, 1]]
    walks = short_walks = 0
    tick = time.perf_counter()
    for officer in User.objects.filter(pk__in=officer_ids):
        cases = cases_for(officer, Action.VIEW).order_by("-created_at", "-pk")[:LIST_PAGE]
        if "case_newest" in cases.explain():
            walks += 1
            if cases_for(officer, Action.VIEW).count() < LIST_PAGE:
                short_walks += 1
    return {
        "officers": len(officer_ids),
        "newest_index_walks": walks,
        "whole_table_walks": short_walks,
        "seconds": round(time.perf_counter() - tick, 1),
    }
