"""A day of patrol points at city scale (issue 14): 20,000 grid officers, a point a minute for
four hours (4.8 million points), sent as phones send them — batches POSTed to the patrol API
(`/api/v1/gridwork/patrols/<id>/points/`, token auth) through the production server — while
filing over HTTP is measured beside it.

    python -m bench.patrol_ingest [--officers 20000] [--window-s 120] [--paced-batch 10]
                                  [--rest-batch 240] [--clients 8]

1. Every grid officer's patrol is started four hours ago (written in bulk: the day's start is
   not what is measured), each with its walk around its grid.
2. Filing alone (REST API POST, one client): the baseline.
3. The real-time rate: a day of points arrives at 4,800,000 / 4 h = 333 points/s. Phones
   sending every `paced-batch` minutes make 20,000 / paced-batch requests a minute; that rate
   is held for `window-s` seconds while one client files; filing p50/p95 during it.
4. The rest of the day as fast as the server takes it (`clients` concurrent clients, batches
   of up to `rest-batch` points: phones that were offline), with filing measured beside it:
   points/s and how long the whole day takes to ingest.
At the end every officer's patrol holds its 240 points (checked), i.e. the day is stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

POINTS_URL = "/api/v1/gridwork/patrols/{}/points/"
MINUTES = 240  # four hours, a point a minute
IN_FLIGHT = 64  # batches sent and not yet answered, at most, in the paced window


def start_patrols(n: int, started: datetime) -> list[tuple]:
    """An active patrol for each of `n` grid officers, started at `started`, written in bulk;
    (patrol id, officer id, token, grid centre lon, lat, a tenth of the grid's side, the
    grid's bounding box)."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from bench.registry import grids
    from governance.models import Assignment
    from gridwork.models import Patrol, PatrolStatus

    by_grid = {g.id: g for g in grids()}
    officers = list(
        Assignment.objects.filter(role="officer")
        .order_by("area_id")
        .values_list("user_id", "area_id")
    )[:n]
    user_ids = [user for user, _area in officers]
    with transaction.atomic():
        Patrol.objects.filter(officer_id__in=user_ids, status=PatrolStatus.ACTIVE).update(
            status=PatrolStatus.ENDED, ended_at=started
        )
        have = set(Token.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
        Token.objects.bulk_create(
            [Token(user_id=u, key=Token.generate_key()) for u in user_ids if u not in have],
            batch_size=5000,
        )
        patrols = Patrol.objects.bulk_create(
            [
                Patrol(
                    officer_id=user,
                    grid_id=area,
                    area_path=by_grid[area].path,
                    started_at=started,
                    grid_seconds={str(area): 0},
                )
                for user, area in officers
            ],
            batch_size=5000,
        )
        Through = Patrol.grids.through
        Through.objects.bulk_create(
            [Through(patrol_id=p.pk, area_id=p.grid_id) for p in patrols], batch_size=5000
        )
    tokens = dict(Token.objects.filter(user_id__in=user_ids).values_list("user_id", "key"))
    return [
        (
            p.pk,
            p.officer_id,
            tokens[p.officer_id],
            by_grid[p.grid_id].lon,
            by_grid[p.grid_id].lat,
            by_grid[p.grid_id].span,
            by_grid[p.grid_id].bounds,
        )
        for p in patrols
    ]


def walk(officer: tuple, started: datetime, first: int, last: int) -> list[dict[str, Any]]:
    """Minutes `first`..`last` (1-based) of the officer's walk: a slow loop around a point
    inside the grid (≈ 5 m a minute, kept in the grid's box), epoch-millisecond times, 10 m
    accuracy."""
    _patrol, user, _token, lon, lat, span, (x0, y0, x1, y1) = officer
    phase = (user % 97) / 97 * 2 * math.pi
    start_ms = int(started.timestamp() * 1000)
    return [
        {
            "t": start_ms + k * 60_000,
            "lon": round(min(x1, max(x0, lon + 2 * span * math.sin(k / 20 + phase))), 6),
            "lat": round(min(y1, max(y0, lat + 2 * span * math.cos(k / 27 + phase))), 6),
            "acc": 10,
        }
        for k in range(first, last + 1)
    ]


def filing_body(rng: random.Random, bounds: tuple, category: str) -> dict[str, Any]:
    return {
        "category": category,
        "description": "井盖缺失 — patrol bench",
        "lon": rng.uniform(bounds[0], bounds[2]),
        "lat": rng.uniform(bounds[1], bounds[3]),
    }


def filing_setup() -> tuple[list[str], tuple, str]:
    from bench.http import api_token
    from citizens.models import User
    from governance.models import Area, Category, Level

    city = Area.objects.get(level=Level.CITY)
    citizens = list(User.objects.filter(username__startswith="citizen-").order_by("pk")[:300])
    tokens = [api_token(c) for c in citizens]
    category = Category.objects.order_by("pk").first().code
    return tokens, (city.min_lon, city.min_lat, city.max_lon, city.max_lat), category


FILING_RATE = [5.0]  # filings a second beside the ingest (`--filing-rate`; 0: back to back)


async def _filer(client, stop: asyncio.Event, samples: list, setup, limit: int | None = None):
    """One client filing until `stop` (or `limit` filings): `FILING_RATE` a second (a city's
    busiest hour is far below one a second), or back to back."""
    tokens, bounds, category = setup
    rng = random.Random(len(samples) + 7)
    i = 0
    began = time.perf_counter()
    while not stop.is_set() and (limit is None or i < limit):
        if FILING_RATE[0] > 0:
            delay = began + i / FILING_RATE[0] - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        tick = time.perf_counter()
        response = await client.post(
            "/api/v1/cases/",
            json=filing_body(rng, bounds, category),
            headers={"Authorization": f"Token {tokens[(i * 7) % len(tokens)]}"},
        )
        samples.append(time.perf_counter() - tick)
        if response.status_code != 201:
            raise RuntimeError(f"filing answered {response.status_code}: {response.text[:200]}")
        i += 1


def _filing_process(
    base: str, setup, rate: float, seconds: float | None, limit: int | None = None
) -> list[float]:
    """Filing in a process of its own (a citizen's phone is not an officer's): `rate` a
    second for `seconds` (or `limit` filings); the latencies. Its own process, so the filings'
    figures never wait on the event loop that sends the batches."""
    import httpx

    FILING_RATE[0] = rate

    async def go() -> list[float]:
        samples: list[float] = []
        stop = asyncio.Event()
        async with httpx.AsyncClient(base_url=base, timeout=120) as web:
            await _filer(web, asyncio.Event(), [], setup, limit=3)  # its connection, warm
            if seconds is not None:
                asyncio.get_running_loop().call_later(seconds, stop.set)
            await _filer(web, stop, samples, setup, limit=limit)
        return samples

    return asyncio.run(go())


_FILERS: list[Any] = []  # the one filing process, started before this one lowers its priority


def _filing_pool():
    if not _FILERS:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        pool.submit(int).result()  # started now, at this process's priority
        _FILERS.append(pool)
    return _FILERS[0]


def _as_phones() -> None:
    """From here on this process — the phones sending batches — runs at Nice=10: the phones
    are not on the server; their CPU here must not count against the filing it measures (the
    filing process and the servers keep their priority)."""
    _filing_pool()
    os.nice(10)


async def _beside(base: str, setup, seconds: float):
    """Start filing beside what the caller sends, in the filing process; await the result."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(
        _filing_pool(), _filing_process, base, setup, FILING_RATE[0], seconds
    )
    await asyncio.sleep(1.0)  # the process is filing before the load starts
    return future


async def _send(client, officer, points, batch: str, result: dict) -> None:
    import httpx

    tick = time.perf_counter()
    try:
        response = await client.post(
            POINTS_URL.format(officer[0]),
            json={"batch": batch, "points": points},
            headers={"Authorization": f"Token {officer[2]}"},
        )
    except httpx.TransportError as error:  # counted, never a latency
        result["failures"].append(
            f"{type(error).__name__} after {time.perf_counter() - tick:.1f} s"
        )
        return
    result["latency"].append(time.perf_counter() - tick)
    if response.status_code != 200:
        result["failures"].append(f"{response.status_code} {response.text[:200]}")
        return
    answer = response.json()
    result["accepted"] += answer.get("accepted", answer.get("count", len(points)))
    result["refused"] += len(answer.get("refused", []))


def _new_result() -> dict[str, Any]:
    return {"latency": [], "failures": [], "accepted": 0, "refused": 0}


def _figures(result: dict, wall: float, points: int, filing: list) -> dict[str, Any]:
    from bench.stats import summary

    return {
        "batches": summary(result["latency"], wall=wall),
        "points_sent": points,
        "points_accepted": result["accepted"],
        "points_refused": result["refused"],
        "points_per_s": points / wall if wall else None,
        "failures": len(result["failures"]),
        "failure_example": result["failures"][:1],
        "seconds": wall,
        "filing_during": summary(filing, wall=wall),
    }


async def paced(
    base: str, ingest: str, jobs: list, rate: float, seconds: float, setup
) -> tuple[dict[str, Any], int]:
    """Send `jobs` (officer, points, batch) to `ingest` at `rate` requests a second for
    `seconds` while one client files at `base`."""
    import httpx

    result = _new_result()
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64, keepalive_expiry=2)
    async with httpx.AsyncClient(base_url=ingest, limits=limits, timeout=120) as client:
        filer = await _beside(base, setup, seconds)
        started = time.perf_counter()
        pending = set()
        sent = 0
        points = 0
        for i, (officer, batch_points, batch) in enumerate(jobs):
            due = started + i / rate
            if due - started > seconds or time.perf_counter() - started > seconds:
                break  # the window is over (and a server that fell behind is not waited for)
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            pending.add(asyncio.create_task(_send(client, officer, batch_points, batch, result)))
            sent += 1
            points += len(batch_points)
            if len(pending) >= IN_FLIGHT:  # phones waiting for an answer: at most this many
                _done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if pending:
            await asyncio.wait(pending)
        wall = time.perf_counter() - started
        filing = await filer
    figures = _figures(result, wall, points, filing)
    figures["filing_samples"] = filing  # raw, for the alternating rounds (not written out)
    figures["rate_asked_per_s"] = rate
    figures["requests"] = sent
    return figures, sent


async def flat_out(
    base: str,
    ingest: str,
    jobs: list,
    day_started: datetime,
    clients: int,
    setup,
    seconds: float | None = None,
) -> dict[str, Any]:
    """Send the jobs — (officer, (first minute, last minute), batch id) — with `clients`
    concurrent clients while one client files: all of them, or those sent within `seconds`."""
    import httpx

    result = _new_result()
    queue = iter(jobs)
    points = [0]
    limits = httpx.Limits(
        max_connections=clients + 2, max_keepalive_connections=clients + 2, keepalive_expiry=2
    )
    async with httpx.AsyncClient(base_url=ingest, limits=limits, timeout=120) as client:

        async def worker() -> None:
            for officer, (first, last), batch in queue:
                if seconds is not None and time.perf_counter() - started > seconds:
                    return
                batch_points = walk(officer, day_started, first, last)
                points[0] += len(batch_points)
                await _send(client, officer, batch_points, batch, result)

        filer = await _beside(base, setup, seconds or 60.0)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - started
        filing = await filer
    figures = _figures(result, wall, points[0], filing)
    figures["clients"] = clients
    figures["batches_left_unsent"] = sum(1 for _ in queue)
    return figures


def alternate(
    base: str, ingest: str, jobs: list, rate: float, seconds: float, setup, rounds: int
) -> tuple[dict[str, Any], int]:
    """`rounds` times: filing alone for `seconds`, then beside the day's rate for `seconds`
    (the next phones' first batches). The two conditions' filings pooled: the figure a single
    window's dozen samples above its p95 cannot give. Returns the figures and batches sent."""
    from bench.http import run_async
    from bench.stats import summary
    from bench.worker import drain_outbox

    alone: list[float] = []
    beside: list[float] = []
    per_round = []
    sent = 0
    for _ in range(rounds):
        quiet = (
            _filing_pool().submit(_filing_process, base, setup, FILING_RATE[0], seconds).result()
        )
        left = jobs[sent:]
        figures, n = run_async(lambda left=left: paced(base, ingest, left, rate, seconds, setup))
        sent += n
        loaded = figures.pop("filing_samples")
        alone += quiet
        beside += loaded
        per_round.append(
            {
                "alone": summary(quiet),
                "beside": summary(loaded),
                "batches": figures["batches"],
                "failures": figures["failures"],
            }
        )
        drain_outbox()
    return {
        "rounds": rounds,
        "window_s": seconds,
        "alone": summary(alone),
        "beside": summary(beside),
        "per_round": per_round,
    }, sent


def quiet_filing(base: str, setup, n: int) -> dict[str, Any]:
    """The baseline: `n` filings at the same rate, from the same kind of process, alone."""
    from bench.stats import summary

    tick = time.perf_counter()
    samples = _filing_pool().submit(_filing_process, base, setup, FILING_RATE[0], None, n).result()
    return summary(samples, wall=time.perf_counter() - tick)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.patrol_ingest", description=__doc__)
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--window-s", type=float, default=120.0)
    parser.add_argument("--paced-batch", type=int, default=10, help="points per paced batch")
    parser.add_argument("--rest-batch", type=int, default=60, help="points per batch after")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--flat-out-s", type=float, default=None, help="stop the flat-out phase after this"
    )
    parser.add_argument("--filings", type=int, default=150, help="quiet filings (baseline)")
    parser.add_argument(
        "--filing-rate",
        type=float,
        default=FILING_RATE[0],
        help="filings a second measured beside the ingest (0: back to back, one client)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="then alternate this many times: filing alone, filing beside the day's rate "
        "(each --window-s long), pooled per condition",
    )
    parser.add_argument(
        "--one-pool",
        action="store_true",
        help="send the batches to the web server itself, not to an ingest pool beside it",
    )
    parser.add_argument("--output", default="var/bench/patrol_ingest.json")
    args = parser.parse_args(argv)
    from bench.scale import REGISTRY_SECRET_KEY

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", REGISTRY_SECRET_KEY)
    import django

    django.setup()
    from django.test.utils import override_settings

    from bench.http import run_async, server, server_environment
    from bench.stats import load_average
    from bench.worker import celery_worker, drain_outbox, purge_stale_tasks
    from gridwork.models import Patrol, PatrolSegment

    result: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "load_average_before": load_average(),
        "officers": args.officers,
        "points_per_officer": MINUTES,
    }
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=MINUTES + 10)
    result["stale_tasks_purged"] = purge_stale_tasks()  # an earlier run's, not this one's
    tick = time.perf_counter()
    officers = start_patrols(args.officers, started)
    result["patrols_started_s"] = time.perf_counter() - tick
    setup = filing_setup()
    # The paced window: the first `paced-batch` minutes of each officer, in turn.
    rate = len(officers) / args.paced_batch / 60  # requests a second at the day's real rate
    paced_jobs = [(o, walk(o, started, 1, args.paced_batch), f"paced-{o[0]}") for o in officers]
    result["pools"] = "one" if args.one_pool else "web + ingest (nice 10)"
    FILING_RATE[0] = args.filing_rate
    result["filing_rate_per_s"] = args.filing_rate or "back to back"
    with (
        override_settings(ALLOWED_HOSTS=["*"]),
        celery_worker(server_environment(0, 1)),
        server(workers=2, start_timeout=300) as (base, _),
        contextlib.ExitStack() as pools,
    ):
        # As deployed (README, "Production process layout"): the phones' batches go to the
        # ingest pool, the same server at a lower CPU priority; `--one-pool`: to the web server.
        ingest = base
        if not args.one_pool:
            ingest, _ = pools.enter_context(server(workers=2, start_timeout=300, nice=10))
        _as_phones()
        result["filing_quiet"] = quiet_filing(base, setup, args.filings)
        result["load_average_quiet"] = load_average()
        result["drained_after_quiet_s"] = drain_outbox()
        paced_figures, sent = run_async(
            lambda: paced(base, ingest, paced_jobs, rate, args.window_s, setup)
        )
        paced_figures.pop("filing_samples")
        result["real_time_rate"] = paced_figures
        result["load_average_paced"] = load_average()
        result["drained_after_paced_s"] = drain_outbox()
        if args.rounds:
            result["alternating"], more = alternate(
                base, ingest, paced_jobs[sent:], rate, args.window_s, setup, args.rounds
            )
            sent += more
        done_first = {job[0][0] for job in paced_jobs[:sent]}
        rest_jobs = []
        for o in officers:
            first = args.paced_batch + 1 if o[0] in done_first else 1
            for start in range(first, MINUTES + 1, args.rest_batch):
                end = min(MINUTES, start + args.rest_batch - 1)
                rest_jobs.append((o, (start, end), f"rest-{o[0]}-{start}"))
        # By time of the day: an officer's batches arrive in order, far apart.
        rest_jobs.sort(key=lambda job: int(job[2].rsplit("-", 1)[1]))
        result["flat_out"] = run_async(
            lambda: flat_out(base, ingest, rest_jobs, started, args.clients, setup, args.flat_out_s)
        )
        result["load_average_flat_out"] = load_average()
    ids = [o[0] for o in officers]
    stored = Patrol.objects.filter(pk__in=ids)
    result["stored"] = {
        "patrols": stored.count(),
        "points": sum(stored.values_list("point_count", flat=True)),
        "segments": PatrolSegment.objects.filter(patrol_id__in=ids).count(),
        "patrols_with_all_points": stored.filter(point_count=MINUTES).count(),
    }
    flat = result["flat_out"]
    whole = flat["points_per_s"] or 0
    result["whole_day_at_flat_out_rate_s"] = args.officers * MINUTES / whole if whole else None
    result["finished"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    text = json.dumps(result, indent=2, default=str)
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output, "w") as handle:
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
