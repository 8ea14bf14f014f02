"""The results as a Markdown table: figure / target / measured / baseline / ratio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Below this many sockets, the memory per socket is within the noise of the resident size.
FEW_SOCKETS = 100


def read(output: str) -> dict[str, Any]:
    files = sorted(Path(output).glob("*.json"), key=lambda p: p.stat().st_mtime)
    if not files:
        raise SystemExit(f"no results under {output}: run `python -m bench run` first")
    return json.loads(files[-1].read_text())


def get(data: Any, *keys: Any) -> Any:
    for key in keys:
        if (isinstance(data, dict) and key in data) or (
            isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data)
        ):
            data = data[key]
        else:
            return None
    return data


def _n(value: Any, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _us(value_ms: Any) -> str:
    return "—" if value_ms is None else f"{value_ms * 1000:,.1f} µs"


def _ms(value_ms: Any) -> str:
    return "—" if value_ms is None else f"{value_ms:,.1f} ms"


def _skipped(section: Any) -> str | None:
    return section.get("skipped") if isinstance(section, dict) else "not measured"


def _ratio(a: Any, b: Any) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:,.1f}×"


def rows(run: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(figure, target, measured, baseline, ratio) for one run."""
    out: list[tuple[str, str, str, str, str]] = []
    load = run.get("load", {})
    out.append(
        (
            "Build the city (COPY)",
            "report",
            f"{_n(load.get('total_s'))} s for {_n(get(load, 'rows', 'cases'))} cases, "
            f"{_n(get(load, 'rows', 'case_events'))} events, {_n(get(load, 'rows', 'areas'))} "
            f"areas, {_n(get(load, 'rows', 'users'))} people",
            "—",
            "—",
        )
    )
    routing = run.get("routing", {})
    out.append(
        (
            f"Route a point to its grid ({_n(routing.get('grids'))} grids), p50 / p99",
            "≤ 20 µs p99",
            f"{_us(get(routing, 'indexed', 'p50_ms'))} / {_us(get(routing, 'indexed', 'p99_ms'))}",
            "loop over every polygon: "
            f"{_us(get(routing, 'naive', 'p50_ms'))} / {_us(get(routing, 'naive', 'p99_ms'))}; "
            "STRtree + GEOS: "
            f"{_us(get(routing, 'strtree_geos', 'p50_ms'))} / "
            f"{_us(get(routing, 'strtree_geos', 'p99_ms'))}",
            f"{_n(routing.get('speedup_p50'))}× faster",
        )
    )
    queue = run.get("queue", {})
    guardian_sizes = get(run, "guardian", "sizes") or []
    naive = guardian_sizes[-1] if guardian_sizes else {}
    officer = queue.get("grid_officer", {})
    out.append(
        (
            "Officer's queue query (scoped, 50 open cases by due time), in process, p50 / p95",
            "≤ 25 ms p95, ≤ 4 queries, ≥ 100× naive",
            f"{_ms(officer.get('p50_ms'))} / {_ms(officer.get('p95_ms'))}, "
            f"{_n(officer.get('queries'))} queries",
            f"guardian get_objects_for_user, {_n(naive.get('rows'))} per-case rows: "
            f"{_ms(naive.get('p50_ms'))} / {_ms(naive.get('p95_ms'))}",
            _ratio(naive.get("p95_ms"), officer.get("p95_ms")) + " faster (p95)",
        )
    )
    plans = run.get("list_plans", {})
    if isinstance(plans, dict) and "officers" in plans:
        out.append(
            (
                "Officers' newest-first lists (the API list's query) planned as a walk over the "
                "whole table (grid under a page of cases, newest-first index)",
                "0",
                f"{_n(plans.get('whole_table_walks'), 0)} of {_n(plans.get('officers'), 0)} "
                f"officers ({_n(plans.get('newest_index_walks'), 0)} newest-first walks in all)",
                "a grid matched by prefix LIKE (before): 3 of 50 officers sampled, 300 ms each",
                "—",
            )
        )
    for role in ("community_leader", "street_dispatcher"):
        figure = queue.get(role, {})
        out.append(
            (
                f"Queue query of a {role.replace('_', ' ')}, p50 / p95",
                "—",
                f"{_ms(figure.get('p50_ms'))} / {_ms(figure.get('p95_ms'))}, "
                f"{_n(figure.get('queries'))} queries",
                "—",
                "—",
            )
        )
    filing = run.get("filing", {})
    out.append(
        (
            "File a case in process (`submit_case`: validate, route, due time, case + event, "
            "realtime after commit), p50 / p95",
            "server time ≤ 5× raw insert",
            f"{_ms(get(filing, 'submit_case', 'p50_ms'))} / "
            f"{_ms(get(filing, 'submit_case', 'p95_ms'))}, "
            f"{_n(filing.get('submit_case_queries'))} queries",
            "raw psycopg INSERT case + event, commit: "
            f"{_ms(get(filing, 'raw_insert_floor', 'p50_ms'))} / "
            f"{_ms(get(filing, 'raw_insert_floor', 'p95_ms'))}",
            f"{_n(filing.get('ratio_p50'))}× the floor (p50)",
        )
    )
    paths = run.get("filing_paths", {})
    for key, label in (
        ("api_post", "File over the REST API in process (POST /api/v1/cases/), p50 / p95"),
        ("open311_post", "File over Open311 in process (POST requests.json), p50 / p95"),
    ):
        figure = paths.get(key) if isinstance(paths, dict) else None
        if not figure:
            continue
        out.append(
            (
                label,
                "≤ 8 ms p50",
                f"{_ms(figure.get('p50_ms'))} / {_ms(figure.get('p95_ms'))}, "
                f"{_n(figure.get('queries'))} queries",
                f"`submit_case` p50 {_ms(get(filing, 'submit_case', 'p50_ms'))}",
                "+"
                + _ms((figure.get("p50_ms") or 0) - (get(filing, "submit_case", "p50_ms") or 0))
                + " around it",
            )
        )
    http = run.get("http", {})
    http_skip = _skipped(http) if not isinstance(http, dict) or "skipped" in http else None
    for key, label, target in (
        ("filing", "File a case over HTTP (POST /api/v1/cases/)", "≥ 150 req/s at 16 clients"),
        ("queue_page", "Officer's queue page over HTTP (/work/queue/)", "≤ 25 ms p95, ≤ 4 SQL"),
        ("api_list", "API list over HTTP (GET /api/v1/cases/)", "≤ 25 ms p95, ≤ 4 SQL"),
        ("open311", "Open311 GET requests.json, 1,000 requests", "report"),
        (
            "websocket",
            "Status change → WebSocket message at the grid's officers (through the outbox relay "
            "and a Celery worker)",
            "≤ 100 ms p95; commit → socket ≤ 50 ms p95",
        ),
    ):
        figure = http.get(key) if isinstance(http, dict) else None
        skip = http_skip or _skipped(figure) if not figure or "skipped" in figure else None
        if skip:
            out.append((label, target, skip, "—", "—"))
            continue
        if figure.get("concurrency"):  # the clients this scale used (small: 4, not 16)
            label = f"{label}, {figure['concurrency']} clients"
        measured = f"{_ms(figure.get('p50_ms'))} / {_ms(figure.get('p95_ms'))} (p50 / p95)"
        if figure.get("per_s"):
            measured += f", {_n(figure.get('per_s'))} req/s"
        if figure.get("queries") is not None:
            measured += f", {figure['queries']} SQL"
        if figure.get("concurrency"):
            measured += f", {figure['concurrency']} clients"
        if get(figure, "one_client", "p95_ms") is not None:
            measured += (
                f"; one client alone {_ms(get(figure, 'one_client', 'p50_ms'))} / "
                f"{_ms(get(figure, 'one_client', 'p95_ms'))}"
            )
        if figure.get("server_p50_ms") is not None:
            measured += (
                f"; in process (no network, one at a time) p50 {_ms(figure['server_p50_ms'])}"
            )
        if figure.get("connections"):
            measured += f", {figure['connections']} connections open"
        if get(figure, "after_commit", "p95_ms") is not None:
            measured += (
                f"; of which commit → socket {_ms(get(figure, 'after_commit', 'p50_ms'))} / "
                f"{_ms(get(figure, 'after_commit', 'p95_ms'))}"
            )
        baseline, ratio = "—", "—"
        if key == "filing" and get(filing, "raw_insert_floor", "p50_ms"):
            baseline = f"raw insert p50 {_ms(get(filing, 'raw_insert_floor', 'p50_ms'))}"
            ratio = (
                f"server time {_n(figure.get('server_p50_ms'))} ms = "
                + _ratio(figure.get("server_p50_ms"), get(filing, "raw_insert_floor", "p50_ms"))
                + " the floor"
            )
        out.append((label, target, measured, baseline, ratio))
        if key == "websocket":
            first = figure.get("opened_before_baseline") or 0
            counted = (figure.get("connections") or 0) - first
            measured = (
                f"{_n(figure.get('kib_per_connection'))} KiB: the growth over {_n(counted)} "
                f"sockets, opened after the first {_n(first)}"
            )
            if counted < FEW_SOCKETS:  # the resident size moves in pages and arenas
                measured += f" (fewer than {FEW_SOCKETS}: an indication, not a figure)"
            out.append(
                (
                    "Memory per open WebSocket connection (server worker's RSS)",
                    "≤ 40 KiB",
                    measured,
                    "—",
                    "—",
                )
            )
    sweep = run.get("sweep", {})
    if "skipped" in sweep:
        out.append(("Time-limit sweep", "≤ 2 s", sweep["skipped"], "—", "—"))
    else:
        for entry in sweep.get("runs", []):
            out.append(
                (
                    f"Time-limit sweep, {entry['run']}, "
                    f"{_n(get(run, 'load', 'rows', 'cases'))} cases "
                    f"({_n(sweep.get('open_cases'))} open)",
                    "report" if entry["run"].startswith("catch-up") else "≤ 2 s",
                    f"{entry['seconds']:.2f} s ({_n(get(entry, 'outcome', 'escalated'))} "
                    f"escalated, {_n(get(entry, 'outcome', 'warned'))} warned)",
                    "—",
                    "—",
                )
            )
    return out


def side_by_side(run: dict[str, Any]) -> list[str]:
    """The Open311 figures of ours and the peer's, measured in alternating rounds."""
    section = get(run, "http", "side_by_side")
    if not isinstance(section, dict):
        return []
    if "skipped" in section:
        return ["", f"Side by side with the peer: {section['skipped']}"]
    peer = section.get("peer", {})
    returned = section.get("rows_returned", {})
    lines = [
        "",
        f"Side by side with the peer ({peer.get('checkout')} at "
        f"{(peer.get('commit') or '?')[:10]}, changed: "
        f"{', '.join(peer.get('changed_files') or []) or 'nothing'}; gunicorn "
        f"{peer.get('workers')} workers), the same {_n(peer.get('requests'))} public requests "
        f"and {_n(peer.get('services'))} services; a page returns "
        f"{_n(returned.get('ours'))} (ours) / {_n(returned.get('peer'))} (peer) requests. "
        "Alternating rounds; ratio = ours / peer (p50: below 1 is faster; req/s: above 1 is "
        "more):",
        "",
        "| figure | clients | ours p50 / p95, req/s | peer p50 / p95, req/s "
        "| ratio p50 | ratio req/s |",
        "|---|---|---|---|---|---|",
    ]
    for figure in section.get("figures", {}).values():
        for clients, entry in figure.get("by_clients", {}).items():
            cells = []
            for side in ("ours", "peer"):
                measured = entry.get(side, {})
                cells.append(
                    f"{_ms(measured.get('p50_ms'))} / {_ms(measured.get('p95_ms'))}, "
                    f"{_n(measured.get('per_s'))}"
                )
            lines.append(
                f"| {figure.get('label')} | {clients} | {cells[0]} | {cells[1]} | "
                f"{_n(entry.get('ratio_p50'), 2)}× | {_n(entry.get('ratio_per_s'), 2)}× |"
            )
    return lines


def growth(results: dict[str, Any]) -> list[str]:
    runs = results.get("runs", [])
    if len(runs) < 2:
        return []
    header = "| figure | " + " | ".join(
        f"{r['fraction']:.0%} ({_n(r['cases'])} cases)" for r in runs
    )
    lines = [header + " |", "|---|" + "---|" * len(runs)]
    series = [
        ("build the city, s", lambda r: _n(get(r, "load", "total_s"))),
        ("route a point, p99", lambda r: _us(get(r, "routing", "indexed", "p99_ms"))),
        ("naive router, p50", lambda r: _us(get(r, "routing", "naive", "p50_ms"))),
        ("officer's queue query, p95", lambda r: _ms(get(r, "queue", "grid_officer", "p95_ms"))),
        (
            "street dispatcher's queue, p95",
            lambda r: _ms(get(r, "queue", "street_dispatcher", "p95_ms")),
        ),
        (
            "naive guardian queue (all per-case rows), p95",
            lambda r: _ms(get(r, "guardian", "sizes", -1, "p95_ms")),
        ),
        ("submit_case, p50", lambda r: _ms(get(r, "filing", "submit_case", "p50_ms"))),
        ("raw insert floor, p50", lambda r: _ms(get(r, "filing", "raw_insert_floor", "p50_ms"))),
        ("HTTP filing, req/s", lambda r: _n(get(r, "http", "filing", "per_s"))),
        ("HTTP queue page, p95", lambda r: _ms(get(r, "http", "queue_page", "p95_ms"))),
        ("HTTP API list, p95", lambda r: _ms(get(r, "http", "api_list", "p95_ms"))),
        ("Open311 1,000 requests, p95", lambda r: _ms(get(r, "http", "open311", "p95_ms"))),
        ("WebSocket, p95", lambda r: _ms(get(r, "http", "websocket", "p95_ms"))),
        ("sweep (one-minute tick), s", lambda r: _n(get(r, "sweep", "runs", 0, "seconds"), 2)),
    ]
    for label, value in series:
        lines.append(f"| {label} | " + " | ".join(value(r) for r in runs) + " |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    lines = [f"Command: `{results.get('command')}`", ""]
    info = results.get("machine", {})
    lines.append(
        f"Machine: {info.get('cpus')} CPUs ({info.get('cpu', '?')}), "
        f"{_n((info.get('memory_kib') or 0) // 1024)} MiB, Python {info.get('python')}, "
        f"{info.get('database')} {info.get('postgresql', '')}".rstrip()
    )
    for run in results.get("runs", []):
        lines += [
            "",
            f"### {run['scale']}: {_n(run['grids'])} grids, {_n(run['cases'])} cases "
            f"(load average before/after: {run.get('load_average_before')} / "
            f"{run.get('load_average_after')})",
            "",
            "| figure | target | measured | baseline | ratio |",
            "|---|---|---|---|---|",
        ]
        lines += [f"| {' | '.join(row)} |" for row in rows(run)]
        sizes = get(run, "guardian", "sizes") or []
        if sizes:
            lines += ["", "Naive design (guardian per-case rows) by size:", ""]
            lines += ["| per-case permission rows | p50 | p95 | queries |", "|---|---|---|---|"]
            for size in sizes:
                lines.append(
                    f"| {_n(size['rows'])} | {_ms(size.get('p50_ms'))} | "
                    f"{_ms(size.get('p95_ms'))} | {size.get('queries')} |"
                )
        lines += side_by_side(run)
    grown = growth(results)
    if grown:
        lines += ["", "Growth with the share of the city:", "", *grown]
    return "\n".join(lines) + "\n"
