"""The benchmark's optional peer: how it is named on the command line, kept apart from our
settings, and shown beside our figures. (The peer itself is measured by `python -m bench run
--peer …`, BENCHMARKS.md "Side by side"; it is not installed where the tests run.)"""

from __future__ import annotations

import pytest

from bench import __main__ as bench_main
from bench import peer as peer_module
from bench import report, worker


def test_a_peer_checkout_without_manage_py_is_refused_by_name(tmp_path):
    with pytest.raises(SystemExit, match=r"no manage\.py there"):
        peer_module.Peer.from_arguments(str(tmp_path), None)


def test_a_missing_peer_interpreter_is_refused_by_name(tmp_path):
    (tmp_path / "manage.py").write_text("")
    with pytest.raises(SystemExit, match="no such interpreter"):
        peer_module.Peer.from_arguments(str(tmp_path), str(tmp_path / "python"))


def test_the_peer_is_compared_over_http_only(tmp_path, capsys):
    (tmp_path / "manage.py").write_text("")
    with pytest.raises(SystemExit):
        bench_main.main(["run", "--peer", str(tmp_path), "--skip-http"])
    assert "--peer compares servers over HTTP" in capsys.readouterr().err


def test_the_peer_runs_with_its_own_environment_not_ours(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/9")
    ours = {"NAME": "grid_x", "USER": "postgres", "PASSWORD": "p@ss", "HOST": "db", "PORT": 5433}
    monkeypatch.setattr(peer_module, "_our_database", lambda: ours)
    peer = peer_module.Peer(checkout=tmp_path, python="/usr/bin/python3", database="grid_x_peer")

    env = peer_module.environment(peer)

    assert "DJANGO_SETTINGS_MODULE" not in env and "REDIS_URL" not in env
    assert env["DATABASE_URL"] == "postgres://postgres:p%40ss@db:5433/grid_x_peer"
    assert env["SECRET_KEY"]


def test_the_side_by_side_table_shows_ours_the_peer_and_the_ratio():
    entry = {
        "ours": {"p50_ms": 5.0, "p95_ms": 9.0, "per_s": 300.0},
        "peer": {"p50_ms": 10.0, "p95_ms": 20.0, "per_s": 150.0},
        "ratio_p50": 0.5,
        "ratio_per_s": 2.0,
    }
    run = {
        "scale": "small",
        "grids": 200,
        "cases": 5000,
        "http": {
            "side_by_side": {
                "peer": {"checkout": "/p", "commit": "abcdef1234567", "workers": 2},
                "rows_returned": {"ours": 1000, "peer": 1000},
                "figures": {
                    "post": {"label": "Open311 POST", "by_clients": {"1": entry, "16": entry}}
                },
            }
        },
    }

    table = report.markdown({"runs": [run]})

    assert "Side by side with the peer (/p at abcdef1234" in table
    assert "| Open311 POST | 16 | 5.0 ms / 9.0 ms, 300.0 | 10.0 ms / 20.0 ms, 150.0 " in table
    assert "| 0.50× | 2.00× |" in table


def test_without_a_peer_the_report_has_no_side_by_side_section():
    run = {"scale": "small", "grids": 200, "cases": 5000, "http": {}}
    assert "Side by side" not in report.markdown({"runs": [run]})


def test_the_benchmark_starts_the_worker_production_runs():
    line = worker.worker_command()
    assert line[1:6] == ["-m", "celery", "-A", "config", "worker"]
