"""An optional baseline beside ours: another Open311 server, on the same PostgreSQL, the same rows.

`python -m bench run … --peer CHECKOUT --peer-python PYTHON` points the harness at a checkout of
a Django + DRF GeoReport v2 server (6aika/issue-reporting was the one measured; BENCHMARKS.md,
"Side by side") and at the interpreter of its own virtualenv. The harness then

1. gives it a database of its own on our PostgreSQL server (`<our database>_peer`, made anew)
   and runs its migrations;
2. loads the same rows: our categories as its services and the public requests our Open311
   endpoint publishes (the same documents — id, service, status, texts, dates, point) as its
   requests, the newest `rows` of them;
3. serves it with gunicorn, two workers (one per core, as ours);
4. measures each Open311 figure on both servers in alternating rounds (ours, peer, peer, ours,
   …), so that whatever else the machine does meanwhile hits both alike, at 1 client and at
   several.

Nothing of the peer's code is imported or copied here: the harness knows its HTTP interface
(GeoReport v2 under `PREFIX`) and the names of the tables it loads the rows into.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from django.db import connection
from django.test import Client

from bench.city import City
from bench.stats import summary
from governance import clock
from governance.models import ApiKey, Category

PREFIX = "/api/georeport/v2"  # the peer's GeoReport v2 root (its default)
OURS = "/open311/v2"
ROWS = 1_500  # requests loaded into the peer: a 1,000-request page and more
WORKERS = 2
ROUNDS = 4  # alternating rounds per figure and client count (even: each side goes first twice)


@dataclass
class Peer:
    """A checkout of the peer and the interpreter of its virtualenv."""

    checkout: Path
    python: str
    rows: int = ROWS
    database: str = ""
    loaded: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_arguments(cls, checkout: str, python: str | None) -> Peer:
        path = Path(checkout).resolve()
        if not (path / "manage.py").is_file():
            raise SystemExit(f"--peer {checkout}: no manage.py there (a Django checkout?)")
        interpreter = python or str(path / ".venv" / "bin" / "python")
        if not Path(interpreter).is_file():
            raise SystemExit(f"--peer-python {interpreter}: no such interpreter")
        return cls(checkout=path, python=interpreter)

    def describe(self) -> dict[str, Any]:
        """Which peer was measured: its checkout, commit and local changes."""

        def git(*args: str) -> str:
            try:
                return subprocess.run(
                    ["git", "-C", str(self.checkout), *args],
                    capture_output=True,
                    text=True,
                    timeout=10,
                ).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                return ""

        return {
            "checkout": str(self.checkout),
            "commit": git("rev-parse", "HEAD"),
            "changed_files": git("diff", "--name-only").splitlines(),
            "workers": WORKERS,
            **self.loaded,
        }


# --- its database --------------------------------------------------------------------------


def _our_database() -> dict[str, Any]:
    if connection.vendor != "postgresql":
        raise RuntimeError("the peer needs PostgreSQL: set DATABASE_URL")
    return connection.settings_dict


def database_url(name: str) -> str:
    """A plain postgres:// URL of `name` on our server (the peer runs without PostGIS)."""
    ours = _our_database()
    credentials = quote(ours.get("USER") or "postgres", safe="")
    if ours.get("PASSWORD"):
        credentials += ":" + quote(ours["PASSWORD"], safe="")
    host = ours.get("HOST") or "127.0.0.1"
    port = ours.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


def environment(peer: Peer) -> dict[str, str]:
    """The peer's own environment: its database, a key, nothing of ours (our settings module,
    Redis, debug flags)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        DATABASE_URL=database_url(peer.database),
        SECRET_KEY="bench-peer-" + os.urandom(8).hex(),
        DEBUG="0",
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONWARNINGS="ignore",  # its start-up notes (no GIS, old URL patterns), per process
    )
    return env


def create_database(peer: Peer) -> None:
    name = f"{_our_database()['NAME']}_peer"
    peer.database = name
    with connection.cursor() as cursor:  # autocommit: CREATE DATABASE runs outside a block
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    done = subprocess.run(
        [peer.python, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=peer.checkout,
        env=environment(peer),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:  # its system-check warnings on success are not ours to print
        raise RuntimeError(f"the peer's migrate failed: {done.stderr[-2000:]}")


def _connect(peer: Peer):
    import psycopg

    ours = _our_database()
    return psycopg.connect(
        dbname=peer.database,
        user=ours.get("USER") or "postgres",
        password=ours.get("PASSWORD") or None,
        host=ours.get("HOST") or "127.0.0.1",
        port=ours.get("PORT") or 5432,
    )


# --- the same rows -------------------------------------------------------------------------


def _ours_json(path: str) -> Any:
    response = Client().get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code}")
    return json.loads(response.content)


def window_of(rows: int) -> tuple[str, str]:
    """The span of our newest `rows` public requests (at most Open311's 90 days), ISO 8601."""
    end = clock.now().replace(microsecond=0) + timedelta(seconds=1)
    start = (end - timedelta(days=90)).isoformat()
    newest_first = our_requests(start, end.isoformat(), rows)
    if len(newest_first) == rows:
        start = newest_first[-1]["requested_datetime"]
    return start, end.isoformat()


def our_requests(start: str, end: str, rows: int) -> list[dict[str, Any]]:
    """Our public requests in the window, newest first, as our Open311 endpoint publishes them."""
    documents: list[dict[str, Any]] = []
    page = 1
    while len(documents) < rows:
        batch = _ours_json(
            f"{OURS}/requests.json?page_size=1000&page={page}"
            f"&start_date={quote(start)}&end_date={quote(end)}"
        )
        documents += batch
        if len(batch) < 1000:
            break
        page += 1
    return documents[:rows]


def load(peer: Peer) -> None:
    """Our services and the newest `peer.rows` public requests, into the peer's tables."""
    services = _ours_json(f"{OURS}/services.json")
    start, end = window_of(peer.rows)
    requests = our_requests(start, end, peer.rows)
    with _connect(peer) as db, db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM issues_jurisdiction")
        if cursor.fetchone()[0] == 0:
            cursor.execute(
                "INSERT INTO issues_jurisdiction (identifier, name) VALUES ('default', 'Default')"
            )
        cursor.execute("SELECT id FROM issues_jurisdiction ORDER BY id LIMIT 1")
        jurisdiction = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM issues_application ORDER BY id LIMIT 1")
        application = cursor.fetchone()[0]
        service_ids: dict[str, int] = {}
        for service in services:
            cursor.execute(
                "INSERT INTO issues_service (service_code, metadata, type, location_req) "
                "VALUES (%s, %s, %s, 'coords_or_address') RETURNING id",
                (service["service_code"], bool(service["metadata"]), service["type"]),
            )
            pk = service_ids[service["service_code"]] = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO issues_service_translation "
                '(master_id, language_code, service_name, description, keywords, "group") '
                "VALUES (%s, 'en', %s, %s, %s, %s)",
                (
                    pk,
                    service["service_name"][:120],
                    service["description"] or "",
                    service["keywords"] or "",
                    (service["group"] or "")[:140],
                ),
            )
            cursor.execute(
                "INSERT INTO issues_service_jurisdictions (service_id, jurisdiction_id) "
                "VALUES (%s, %s)",
                (pk, jurisdiction),
            )
        rows = []
        for document in reversed(requests):  # oldest first: the peer lists newest id first
            lon, lat = document.get("long"), document.get("lat")
            rows.append(
                (
                    application,
                    jurisdiction,
                    service_ids[document["service_code"]],
                    document["service_code"],
                    document["service_request_id"],
                    document.get("description") or "",
                    document["status"],
                    document.get("status_notes") or "",
                    (document.get("agency_responsible") or "")[:140],
                    document.get("service_notice") or "",
                    document["requested_datetime"],
                    document.get("updated_datetime") or document["requested_datetime"],
                    document.get("expected_datetime"),
                    document.get("address") or "",
                    (document.get("zipcode") or "")[:10],
                    document.get("media_url") or "",
                    f"{lon!r};{lat!r}" if lon is not None and lat is not None else None,
                    lat,
                    lon,
                )
            )
        cursor.executemany(
            "INSERT INTO issues_issue (application_id, jurisdiction_id, service_id, service_code, "
            "identifier, description, status, status_notes, agency_responsible, service_notice, "
            "requested_datetime, updated_datetime, expected_datetime, address, zipcode, "
            "media_url, location, lat, long, submitter_email, submitter_first_name, "
            "submitter_last_name, submitter_phone, moderation) VALUES (%s, %s, %s, %s, %s, %s, "
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', '', '', 'public')",
            rows,
        )
        db.commit()
        cursor.execute("ANALYZE")
    peer.loaded = {
        "services": len(services),
        "requests": len(requests),
        "window": [start, end],
        "database": peer.database,
    }


# --- its server ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(peer: Peer, port: int) -> list[str]:
    """gunicorn with two (synchronous) workers, as the peer is served."""
    return [
        peer.python,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "cfh.wsgi",
    ]


@contextmanager
def server(peer: Peer) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(server_command(peer, port), cwd=peer.checkout, env=environment(peer))
    try:
        deadline = time.monotonic() + 60
        probe = f"GET {PREFIX}/services.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode()
        while True:
            if process.poll() is not None:
                raise RuntimeError("the peer's server exited at start-up")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    sock.settimeout(30)
                    sock.sendall(probe)
                    if sock.recv(16).startswith(b"HTTP/1."):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the peer's server did not start within 60 s") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def prepared(peer: Peer) -> Iterator[str]:
    """The peer with its database made, loaded and served: its base URL."""
    create_database(peer)
    load(peer)
    with server(peer) as base:
        yield base


# --- side by side --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    method: str
    total: int  # requests per side at each client count, over all rounds


def figures(city: City) -> list[Figure]:
    many = 400 if city.scale.name.startswith("full") else 120
    return [
        Figure("requests", "Open311 GET requests.json (a page of 1,000)", "get", many // 4),
        Figure("post", "Open311 POST requests.json (file a request)", "post", many),
        Figure("services", "Open311 GET services.json", "get", many),
        Figure("one_request", "Open311 GET requests/{id}.json", "get", many),
    ]


CLIENTS = (1, 8, 16)


def side_by_side(city: City, ours: str, theirs: str, peer: Peer) -> dict[str, Any]:
    """Every figure on both servers, interleaved; ours / peer ratios of p50 and throughput."""
    from bench.http import _drive, run_async

    start, end = peer.loaded["window"]
    window = f"start_date={quote(start)}&end_date={quote(end)}&page_size=1000"
    ids = [d["service_request_id"] for d in our_requests(start, end, min(200, peer.rows))]
    category = Category.objects.get(pk=city.category_ids[0])
    _api_key, key = ApiKey.objects.issue("bench side by side")
    rng = np.random.default_rng(311)
    x0, y0, x1, y1 = city.bounds
    points = rng.uniform([x0, y0], [x1, y1], size=(1024, 2))

    def form(i: int, *, with_key: bool) -> dict[str, str]:
        lon, lat = points[i % len(points)]
        body = {
            "service_code": category.code,
            "description": "井盖缺失 — bench side by side",
            "lat": f"{lat:.6f}",
            "long": f"{lon:.6f}",
            "email": f"bench{i}@example.org",  # a request without an account leaves a contact
        }
        if with_key:
            body["api_key"] = key
        return body

    def maker(figure: Figure, side: str):
        root = OURS if side == "ours" else PREFIX
        mine = side == "ours"

        async def make(client, i):
            if figure.name == "requests":
                return await client.get(f"{root}/requests.json?{window}")
            if figure.name == "services":
                return await client.get(f"{root}/services.json")
            if figure.name == "one_request":
                return await client.get(f"{root}/requests/{ids[i % len(ids)]}.json")
            return await client.post(f"{root}/requests.json", data=form(i, with_key=mine))

        return make

    bases = {"ours": ours, "peer": theirs}
    result: dict[str, Any] = {"peer": peer.describe(), "clients": list(CLIENTS), "figures": {}}
    for figure in figures(city):
        by_clients: dict[str, Any] = {}
        for clients in CLIENTS:
            samples: dict[str, list[float]] = {"ours": [], "peer": []}
            walls = {"ours": 0.0, "peer": 0.0}
            per_round = max(clients, figure.total // ROUNDS)
            for round_ in range(ROUNDS):
                order = ("ours", "peer") if round_ % 2 == 0 else ("peer", "ours")
                for side in order:
                    make = maker(figure, side)
                    got, wall, _statuses = run_async(
                        lambda b=bases[side], m=make, n=per_round, c=clients: _drive(b, m, n, c)
                    )
                    samples[side] += got
                    walls[side] += wall
            entry = {side: summary(samples[side], wall=walls[side]) for side in ("ours", "peer")}
            ours_p50, peer_p50 = entry["ours"].get("p50_ms"), entry["peer"].get("p50_ms")
            entry["ratio_p50"] = ours_p50 / peer_p50 if ours_p50 and peer_p50 else None
            ours_rate, peer_rate = entry["ours"].get("per_s"), entry["peer"].get("per_s")
            entry["ratio_per_s"] = ours_rate / peer_rate if ours_rate and peer_rate else None
            by_clients[str(clients)] = entry
        result["figures"][figure.name] = {"label": figure.label, "by_clients": by_clients}
    result["rows_returned"] = _rows_returned(ours, theirs, window)
    return result


def _rows_returned(ours: str, theirs: str, window: str) -> dict[str, int | None]:
    import httpx

    counts: dict[str, int | None] = {}
    for side, base, root in (("ours", ours, OURS), ("peer", theirs, PREFIX)):
        try:
            response = httpx.get(f"{base}{root}/requests.json?{window}", timeout=60)
            counts[side] = len(response.json())
        except (httpx.HTTPError, ValueError):
            counts[side] = None
    return counts
