"""The benchmark harness, end to end at its small scale: every figure is produced.

Nothing here asserts a time (CI machines vary); it asserts the harness built the city and
measured each figure (the sockets need a server and Redis, so in process that figure says so).
"""

from __future__ import annotations

import json

import pytest

from bench import report, runner
from governance.models import Area, Case, CaseEvent, Level

PERCENTILES = {"p50_ms", "p95_ms", "p99_ms"}


def _measured(figure: dict) -> bool:
    return figure.keys() >= PERCENTILES and figure["n"] > 0


@pytest.mark.django_db(transaction=True)
def test_the_small_harness_builds_the_city_and_produces_every_figure(tmp_path):
    results = runner.run("small", fractions=[0.5, 1.0], use_server=False, output=str(tmp_path))

    assert [r["fraction"] for r in results["runs"]] == [0.5, 1.0]
    run = results["runs"][-1]
    rows = run["load"]["rows"]
    assert rows["cases"] >= 5_000 and rows["case_events"] > rows["cases"]
    assert Area.objects.filter(level=Level.GRID).count() == 200
    assert all(len(code) == 15 for code in Area.objects.grids().values_list("code", flat=True))
    assert CaseEvent.objects.filter(kind="submitted").count() >= 5_000
    assert Case.objects.filter(grid__isnull=True).count() == 0

    routing = run["routing"]
    assert _measured(routing["indexed"]) and _measured(routing["naive"])
    assert routing["fast_path_agrees"] == 1.0 and routing["naive_agrees"] == 1.0
    for role in ("grid_officer", "community_leader", "street_dispatcher"):
        assert _measured(run["queue"][role]) and run["queue"][role]["queries"] >= 1
    assert _measured(run["filing"]["submit_case"]) and _measured(run["filing"]["raw_insert_floor"])
    for path in ("api_post", "open311_post"):  # the two outside filing paths, in process
        assert _measured(run["filing_paths"][path]) and run["filing_paths"][path]["queries"] > 0
    sizes = run["guardian"]["sizes"]
    assert len(sizes) >= 2 and all(_measured(size) for size in sizes)
    assert sizes[-1]["rows"] > sizes[0]["rows"]

    for name in ("filing", "queue_page", "api_list", "open311"):
        assert _measured(run["http"][name]), (name, run["http"][name])
    # In process there is no server to hold sockets: the figure says so by name.
    assert run["http"]["websocket"] == {
        "skipped": "not measured: needs the production server and Redis (REDIS_URL)"
    }
    ticks = run["sweep"]["runs"]
    assert [r["seconds"] >= 0 for r in ticks] == [True, True, True]
    # The re-run of the same minute finds nothing left to do.
    assert (ticks[1]["outcome"]["warned"], ticks[1]["outcome"]["escalated"]) == (0, 0)

    notice = run["emergency"]  # a notice to every officer and leader, then answers
    assert notice["recipients"] == notice["notifications_written"] > 400
    assert notice["outbox_pending_after"] == 0 and notice["sockets"]["received"] > 0
    answers = notice["answers"]
    assert _measured(answers["answer"]) and _measured(answers["rollcall_summary"])

    written = json.loads((tmp_path / "small.json").read_text())
    assert written["runs"][-1]["routing"]["grids"] == 200
    table = (tmp_path / "small.md").read_text()
    assert table == report.markdown(written)
    for line in (
        "Route a point",
        "Officer's queue query",
        "File a case in process",
        "File over the REST API in process",
        "File over Open311 in process",
        "sweep",
    ):
        assert line in table
    assert "Growth with the share of the city" in table
