"""The registry at city scale (issue 14), measured on the city and registry already built
(`python -m bench registry --scale full --city`), through the production server:

- an officer's grid registry page (`/registry/`: the buildings of their grid), one client;
- search by name, phone and id number within a street, as the street's leader (the form's
  POST, with its CSRF token, as a browser sends it);
- importing a 100,000-resident CSV as a district's leader, through the import page: the dry
  run (upload → preview) and the commit (confirm), each one request, wall time;
- filing over HTTP (the REST API, one client) quiet, as the baseline of the patrol figure.

    python -m bench.registry_serving [--requests 300] [--import-rows 100000] [--skip-import]

The people sign in with sessions made here (`bench.http.session_cookie`); the server gets the
same SECRET_KEY (`bench.scale.REGISTRY_SECRET_KEY`), so the keyed hashes of the searched phones
and id numbers are those the registry was built with.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import time
from typing import Any

REGISTRY_URL = "/registry/"
SEARCH_URL = "/registry/search/"
IMPORT_URL = "/registry/import/"
CONFIRM_URL = "/registry/import/confirm/"
FILING_URL = "/api/v1/cases/"
CSRF = "benchcsrfsecretbenchcsrfsecret01"  # a CSRF secret of 32 characters, cookie and header


def _csrf_headers(user) -> dict[str, str]:
    from django.conf import settings

    from bench.http import session_cookie

    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_cookie(user)}; "
        f"{settings.CSRF_COOKIE_NAME}={CSRF}",
        "X-CSRFToken": CSRF,
    }


def street_leaders(n: int) -> list:
    """`n` street leaders (街道主任) of streets spread over the city, with their street."""
    from citizens.models import User
    from governance.models import Assignment, Level

    rows = list(
        Assignment.objects.filter(role="leader", area__level=Level.STREET)
        .order_by("area__path")
        .values_list("user_id", "area__code", "area__path")
    )
    step = max(1, len(rows) // n)
    chosen = rows[::step][:n]
    users = User.objects.in_bulk([user for user, _code, _path in chosen])
    return [(users[user], code, path) for user, code, path in chosen]


def district_leader():
    from citizens.models import User
    from governance.models import Assignment, Level

    assignment = (
        Assignment.objects.filter(role="leader", area__level=Level.DISTRICT)
        .select_related("area")
        .order_by("area__path")
        .first()
    )
    return User.objects.get(pk=assignment.user_id), assignment.area


def search_terms(streets: list, rng: random.Random) -> dict[str, list[tuple[int, str]]]:
    """Per kind, (street index, text): names, surnames, phones and id numbers of residents of
    each street (what a leader types: a full name, a surname, a phone, an id number)."""
    from gridwork.models import Resident

    terms: dict[str, list[tuple[int, str]]] = {"name": [], "surname": [], "phone": [], "id": []}
    for index, (_user, _code, path) in enumerate(streets):
        found = list(
            Resident.objects.filter(area_path__startswith=path)
            .order_by("pk")
            .values_list("name", "phone", "id_number")[:2000]
        )
        for name, phone, number in rng.sample(found, min(10, len(found))):
            terms["name"].append((index, name))
            terms["surname"].append((index, name[0]))
            terms["phone"].append((index, phone))
            terms["id"].append((index, number))
    return terms


def get_figure(base: str, path: str, people: list, total: int) -> dict[str, Any]:
    from bench.serving import over_http

    return over_http(base, path, people, "session", total)


def search_figure(base: str, streets: list, terms: list[tuple[int, str]], total: int) -> dict:
    """One client, keep-alive: the search form's POST as each street's leader."""
    from bench.http import _drive, run_async
    from bench.stats import summary

    headers = [_csrf_headers(user) for user, _code, _path in streets]
    found: list[int] = []

    async def make(client, i):
        index, text = terms[i % len(terms)]
        # The leader's scope is the street: the form posts to the page as it opens.
        response = await client.post(SEARCH_URL, data={"q": text}, headers=headers[index])
        found.append(response.text.count('href="/registry/residents/'))
        return response

    samples, wall, statuses = run_async(lambda: _drive(base, make, total, 1))
    return {
        **summary(samples, wall=wall),
        "statuses": statuses,
        "rows_shown_mean": sum(found) / max(1, len(found)),
        "empty_answers": sum(1 for n in found if n == 0),
    }


def import_file(area, rows: int, rng: random.Random) -> tuple[bytes, dict[str, int]]:
    """A district's spreadsheet as CSV: 90 % new residents in the district's buildings, 9 %
    updates of registered ones (a new phone), 1 % in new buildings given by grid code."""
    from django.db.models import Max

    from bench.registry import resident_identity
    from governance.models import Area, Level
    from gridwork.models import Building, Resident
    from gridwork.spreadsheets import COLUMNS

    addresses = list(
        Building.objects.filter(area_path__startswith=area.path).values_list("address", flat=True)
    )
    grid_codes = list(
        Area.objects.filter(level=Level.GRID, path__startswith=area.path).values_list(
            "code", flat=True
        )
    )
    n_updates = rows * 9 // 100
    n_new_buildings = rows // 100
    registered = list(
        Resident.objects.filter(area_path__startswith=area.path)
        .order_by("pk")
        .values_list("name", "id_number", "building__address")[: n_updates * 3]
    )
    updates = rng.sample(registered, n_updates)
    first = (Resident.objects.aggregate(m=Max("pk"))["m"] or 0) + 10_000
    run = int(time.time()) % 100_000
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    tag_cycle = ["", "", "", "", "独居老人", "", "低保", "", "", "残疾人"]
    for k in range(rows - n_updates):
        person = resident_identity(first + k, area.code)
        if k < n_new_buildings:
            address, grid = f"新建{run}-{k // 10}号楼", grid_codes[k // 10 % len(grid_codes)]
        else:
            address, grid = addresses[k % len(addresses)], ""
        writer.writerow(
            [
                person.name,
                person.id_number,
                person.phone,
                person.birth_date.isoformat(),
                "男" if person.gender == "m" else "女",
                address,
                str(1 + k % 3),
                f"{1 + k % 9:02d}0{1 + k % 4}",
                "",
                "",
                grid,
                "户籍" if k % 3 else "实有",
                tag_cycle[k % len(tag_cycle)],
            ]
        )
    for k, (name, number, address) in enumerate(updates):
        phone = f"199{(first + k) % 10**8:08d}"
        writer.writerow([name, number, phone, "", "", address, "1", "0101"] + [""] * 5)
    data = out.getvalue().encode("utf-8")
    return data, {"rows": rows, "updates": n_updates, "new_building_rows": n_new_buildings}


def import_figure(base: str, rows: int, rng: random.Random) -> dict[str, Any]:
    """The dry run and the commit of a `rows`-resident CSV, as the district's leader."""
    import httpx

    from gridwork.models import Building, Resident

    leader, area = district_leader()
    data, shape = import_file(area, rows, rng)
    before = Resident.objects.count(), Building.objects.count()
    headers = _csrf_headers(leader)
    with httpx.Client(base_url=base, timeout=900) as client:
        tick = time.perf_counter()
        preview = client.post(
            IMPORT_URL, files={"file": ("residents.csv", data, "text/csv")}, headers=headers
        )
        dry_run = time.perf_counter() - tick
        clean = preview.status_code == 200 and CONFIRM_URL in preview.text
        tick = time.perf_counter()
        done = client.post(CONFIRM_URL, headers=headers, follow_redirects=False)
        commit = time.perf_counter() - tick
    after = Resident.objects.count(), Building.objects.count()
    return {
        **shape,
        "bytes": len(data),
        "importer": f"{leader.username} ({area.code})",
        "dry_run_s": dry_run,
        "dry_run_status": preview.status_code,
        "dry_run_clean": clean,
        "commit_s": commit,
        "commit_status": done.status_code,
        "total_s": dry_run + commit,
        "residents_added": after[0] - before[0],
        "buildings_added": after[1] - before[1],
    }


def filing_figure(base: str, total: int, *, seed: int = 5) -> dict[str, Any]:
    """Filing over HTTP (the REST API POST, one client): the baseline beside an ingest."""
    from bench.http import _drive, api_token, run_async
    from bench.stats import summary
    from citizens.models import User
    from governance.models import Area, Category, Level

    city = Area.objects.get(level=Level.CITY)
    category = Category.objects.order_by("pk").first()
    citizens = list(User.objects.filter(username__startswith="citizen-").order_by("pk")[:200])
    tokens = [api_token(c) for c in citizens]
    rng = random.Random(seed)

    async def make(client, i):
        return await client.post(
            FILING_URL,
            json={
                "category": category.code,
                "description": "井盖缺失 — registry bench",
                "lon": rng.uniform(city.min_lon, city.max_lon),
                "lat": rng.uniform(city.min_lat, city.max_lat),
            },
            headers={"Authorization": f"Token {tokens[i % len(tokens)]}"},
        )

    samples, wall, statuses = run_async(lambda: _drive(base, make, total, 1))
    return {**summary(samples, wall=wall), "statuses": statuses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.registry_serving", description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--output", default="var/bench/registry.json")
    args = parser.parse_args(argv)
    from bench.scale import REGISTRY_SECRET_KEY

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", REGISTRY_SECRET_KEY)
    import django

    django.setup()
    from django.test.utils import override_settings

    from bench.http import server, server_environment
    from bench.serving import officers
    from bench.stats import load_average
    from bench.worker import celery_worker

    rng = random.Random(14)
    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "load_average_before": load_average(),
    }
    people = officers()
    streets = street_leaders(20)
    terms = search_terms(streets, rng)
    with (
        override_settings(ALLOWED_HOSTS=["*"]),
        celery_worker(server_environment(0, 1)),
        server(workers=2, start_timeout=300) as (base, _),
    ):
        if not args.skip_pages:
            result["registry_page"] = get_figure(base, REGISTRY_URL, people, args.requests)
            for kind, chosen in terms.items():
                result[f"search_{kind}"] = search_figure(base, streets, chosen, args.requests)
            result["filing_quiet"] = filing_figure(base, max(50, args.requests // 3))
        if not args.skip_import:
            result["import"] = import_figure(base, args.import_rows, rng)
    result["load_average_after"] = load_average()
    result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    text = json.dumps(result, indent=2, default=str)
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output, "w") as handle:
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
