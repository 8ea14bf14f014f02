"""A web worker loads the reference data before its first request, so the first filing after a
start does not wait seconds for the grid index; a database that is not there yet stops nothing."""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError

from config import serve
from governance import routing, warm


@pytest.mark.django_db
def test_after_the_warm_up_the_first_filing_finds_the_index_built(city, monkeypatch):
    routing.grid_copy.invalidate()
    assert warm.warm_up() is not None
    built = []
    monkeypatch.setattr(routing.grid_copy, "load", lambda version: built.append(version))
    assert routing.route_point(*city.point_a) == city.grid_a
    assert built == []  # nothing loaded on the request's path


@pytest.mark.django_db
def test_a_failing_warm_up_is_logged_and_leaves_the_loading_to_first_use(city, monkeypatch, caplog):
    routing.grid_copy.invalidate()

    def down(version):
        raise DatabaseError("the database is not there yet")

    monkeypatch.setattr(routing.grid_copy, "load", down)
    assert warm.warm_up() is None
    assert "warm-up failed" in caplog.text
    monkeypatch.undo()
    assert routing.route_point(*city.point_a) == city.grid_a


@pytest.mark.parametrize(("app", "warmed"), [(serve.APPLICATION, True), ("tests.probe:app", False)])
def test_the_production_worker_warms_the_site_and_nothing_else(monkeypatch, app, warmed):
    from types import SimpleNamespace

    from uvicorn_worker import UvicornWorker

    calls = []
    monkeypatch.setattr(UvicornWorker, "load_wsgi", lambda self: None)
    monkeypatch.setattr(warm, "warm_up", lambda: calls.append("warm"))
    monkeypatch.setattr("django.db.connections.close_all", lambda: calls.append("closed"))
    worker = serve.Worker.__new__(serve.Worker)
    worker.app = SimpleNamespace(app_uri=app)
    worker.load_wsgi()
    assert calls == (["warm", "closed"] if warmed else [])


def test_the_mqtt_subscriber_warms_the_site_before_it_subscribes(monkeypatch, settings):
    """A tripped rule files a case from the subscriber: the grid index is built before the
    first reading arrives, not while the first alarm's case waits."""
    import signal
    import threading

    from django.core.management import call_command

    from sensing.management.commands import run_mqtt_subscriber as command
    from sensing.mqtt import Stats

    calls = []

    class Subscriber:
        stats = Stats()

        def __init__(self, url, **options):
            calls.append("connect")
            self.subscribed = threading.Event()

        def start(self):
            calls.append("subscribe")
            self.subscribed.set()  # the broker acknowledged it

        def run(self, until):
            calls.append("store")

        def stop(self):
            pass

    settings.MQTT_URL = "mqtt://127.0.0.1:1883"
    monkeypatch.setattr(warm, "warm_up", lambda: calls.append("warm"))
    monkeypatch.setattr(command, "Subscriber", Subscriber)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # the test runner's own stay
    call_command("run_mqtt_subscriber", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert calls == ["warm", "connect", "subscribe", "store"]
