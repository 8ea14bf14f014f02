"""The evaluation at scale: facts built from the loaded timeline, the subscriber's cost per
filing, and the figures over HTTP against the production server.

    python -m bench.evaluation --scale medium        # build the city, measure only this
    python -m bench run --scale full                 # the whole bench, this included

Targets (issue 12): one district's month ≤ 300 ms, the ranking of a district's streets
≤ 500 ms, the whole city's month ≤ 1 s, keeping facts current ≤ 1 ms per filing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bench.stats import summary

if TYPE_CHECKING:
    from bench.city import City

# The obligation's columns as written by COPY (the id comes from its identity).
COLUMNS = [
    "case_id",
    "kind",
    "area_path",
    "category_id",
    "department_id",
    "person_id",
    "fulfilled_by_id",
    "reporter_id",
    "channel",
    "starts_at",
    "deadline",
    "fulfilled_at",
    "outcome",
    "on_time",
    "reworked",
    "rating",
    "callback_satisfied",
    "callback_resolved",
    "start_event_id",
    "end_event_id",
]


def build_facts() -> dict[str, Any]:
    """Every obligation derived from the loaded timeline (`derive_all`, the rebuild's own
    derivation) and written with COPY, indexes built once at the end."""
    from bench.loader import analyze, bulk, load
    from evaluation.facts import derive_all
    from evaluation.models import Obligation

    tick = time.perf_counter()
    Obligation.objects.all().delete()

    written = 0
    with bulk(Obligation):
        # Derived in chunks, each written by its own COPY: a query cannot run on the
        # connection while a COPY is open on it, and `derive_all` reads as it goes.
        chunk: list[tuple] = []
        for o in derive_all(batch=5000):
            chunk.append(tuple(getattr(o, column) for column in COLUMNS))
            if len(chunk) >= 50_000:
                written += load(Obligation, COLUMNS, chunk)
                chunk = []
        written += load(Obligation, COLUMNS, chunk)
    analyze()
    return {"obligations": written, "seconds": time.perf_counter() - tick}


def subscriber_figures(city: City, repeats: int) -> dict[str, Any]:
    """What keeping the facts current costs a filing: the subscriber's call on the new case's
    `submitted` entry (it runs after commit, in the relay), per filing."""
    import numpy as np

    from citizens.models import User
    from evaluation.subscriptions import keep_facts_current
    from governance import routing
    from governance.models import CaseEvent, Category
    from governance.workflow import submit_case

    routing.grid_index()
    citizen = User.objects.get(pk=city.citizen_ids[0])
    category = Category.objects.get(pk=city.category_ids[0])
    rng = np.random.default_rng(7)
    bounds = city.bounds
    samples = []
    for i in range(repeats + 1):
        lon = float(rng.uniform(bounds[0], bounds[2]))
        lat = float(rng.uniform(bounds[1], bounds[3]))
        case = submit_case(actor=citizen, category=category, description="bench", lon=lon, lat=lat)
        events = list(CaseEvent.objects.filter(case=case).select_related("case"))
        tick = time.perf_counter()
        keep_facts_current(events)
        if i:  # the first warms the calendar and the prepared plans
            samples.append(time.perf_counter() - tick)
    return summary(samples)


def _month_before(now: float) -> str:
    from django.utils import timezone

    moment = timezone.localtime(datetime.fromtimestamp(now, tz=timezone.get_current_timezone()))
    last = moment.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"


def http_figures(city: City, *, use_server: bool = True, repeats: int = 20) -> dict[str, Any]:
    """The API's figures as a leader reads them, one request at a time (latency), through
    the production server; and each request's SQL count in process."""
    import httpx
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.http import api_token, server
    from citizens.models import User
    from governance.models import Area, Level

    admin, _created = User.objects.get_or_create(
        username="bench-evaluation-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    token = api_token(admin)
    period = _month_before(city.now)
    top = Area.objects.get(level=Level.CITY)
    district = (
        Area.objects.filter(level=Level.DISTRICT).order_by("code").first()
    )  # the first district
    paths = {
        "district_month": f"/api/v1/evaluation/areas/{district.code}/?period={period}",
        "district_streets_ranking": (
            f"/api/v1/evaluation/areas/{district.code}/children/?period={period}"
        ),
        "city_month": f"/api/v1/evaluation/areas/{top.code}/?period={period}",
        "city_districts_ranking": f"/api/v1/evaluation/areas/{top.code}/children/?period={period}",
    }
    result: dict[str, Any] = {"period": period, "district": district.code}
    client = Client()
    client.force_login(admin)
    for name, path in paths.items():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        result[f"{name}_queries"] = len(queries)
        result[f"{name}_status"] = response.status_code
    if not use_server:
        for name, path in paths.items():
            samples = []
            for _ in range(repeats):
                tick = time.perf_counter()
                client.get(path)
                samples.append(time.perf_counter() - tick)
            result[name] = summary(samples)
        result["mode"] = "in process"
        return result
    with server(workers=2) as (base, _process):
        headers = {"Authorization": f"Token {token}"}
        with httpx.Client(base_url=base, timeout=60, headers=headers) as http:
            for name, path in paths.items():
                http.get(path)  # warm: the worker's imports, the plan
                samples = []
                for _ in range(repeats):
                    tick = time.perf_counter()
                    response = http.get(path)
                    samples.append(time.perf_counter() - tick)
                    assert response.status_code == 200, (path, response.status_code)
                result[name] = summary(samples)
    result["mode"] = "production server (gunicorn + uvicorn workers, 2)"
    return result


def evaluation_figures(city: City, *, http: bool = True, use_server: bool = True) -> dict:
    """Every evaluation figure on a built city (the runner's hook)."""
    figures: dict[str, Any] = {"facts": build_facts()}
    figures["subscriber_per_filing"] = subscriber_figures(city, 50)
    if http:
        figures["http"] = http_figures(city, use_server=use_server)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evaluation", description=__doc__)
    parser.add_argument("--scale", choices=["small", "medium", "full"], default="small")
    parser.add_argument("--in-process", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep the city already loaded")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import json

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from bench import city as city_module
    from bench.loader import is_postgresql
    from bench.scale import SCALES

    call_command("migrate", verbosity=0)
    if not is_postgresql():
        print("note: SQLite; the targets are for PostgreSQL", file=sys.stderr)
    city_module.clear()
    cache.clear()
    tick = time.perf_counter()
    city = city_module.build(SCALES[args.scale])
    built = time.perf_counter() - tick
    figures = {
        "scale": args.scale,
        "cases": city.scale.cases,
        "grids": city.scale.grids,
        "city_build_s": built,
    }
    figures.update(evaluation_figures(city, use_server=not args.in_process))
    print(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
