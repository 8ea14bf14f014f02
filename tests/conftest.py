import os
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.utils import translation

from governance import caching, outbox, queueing, routing
from governance.realtime import layer as realtime_layer
from tests.factories import City, Personas, make_city, make_personas


def pytest_configure(config):
    """Parallel workers share one Redis: give each its own cache keys and channel names.

    Set in the environment too, so the servers a test starts (ASGI, Celery) use the same ones.
    """
    from django.conf import settings

    prefix = "grid-test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.environ["CACHE_KEY_PREFIX"] = os.environ["CHANNEL_LAYER_PREFIX"] = prefix
    if "KEY_PREFIX" in settings.CACHES["default"]:
        settings.CACHES["default"]["KEY_PREFIX"] = prefix
    layer_config = settings.CHANNEL_LAYERS["default"].get("CONFIG", {})
    if "prefix" in layer_config:
        layer_config["prefix"] = prefix


def _clear_own_cache_keys() -> None:
    """Clear this worker's cache keys only: on Redis, cache.clear() would flush the whole
    database under the other parallel worker's feet (throttle counters, grid-index version)."""
    from django.conf import settings

    backend = getattr(cache, "_cache", None)
    if backend is None or not hasattr(backend, "get_client"):
        cache.clear()
        return
    client = backend.get_client(write=True)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GOVERNANCE = {**settings.GOVERNANCE, "GRID_INDEX_CHECK_SECONDS": 0}
    _clear_own_cache_keys()
    routing.grid_copy.invalidate()
    realtime_layer.layer_breaker.reset()
    queueing.broker.reset()
    caching.reset()
    outbox._behind.clear()
    # A request in English leaves English active on this thread (the locale middleware does
    # not undo it); every test starts in the site's default language, as a new visitor would.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    routing.grid_copy.invalidate()


def _outside_any_change(connection) -> bool:
    """Whether only the test's own atomic blocks are open: in production, no transaction."""
    return all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


_capturing: list[bool] = []  # a test's `django_capture_on_commit_callbacks` block is open


@pytest.fixture
def django_capture_on_commit_callbacks():
    """pytest-django's fixture, marked open while its block is: the callbacks are its own."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.test import TestCase

    @contextmanager
    def capture(*, using: str = DEFAULT_DB_ALIAS, execute: bool = False):
        connection = connections[using]
        start = len(connection.run_on_commit)
        _capturing.append(True)
        try:
            with TestCase.captureOnCommitCallbacks(using=using, execute=execute) as callbacks:
                yield callbacks
        finally:
            _capturing.pop()
            # Run by the block (execute) or dropped by it: never run again by a later commit.
            del connection.run_on_commit[start:]

    return capture


def _run_committed(connection) -> None:
    while connection.run_on_commit and not _capturing and _outside_any_change(connection):
        _sids, function, _robust = connection.run_on_commit.pop(0)
        function()


@pytest.fixture(autouse=True)
def _changes_commit(request, monkeypatch):
    """A change's transaction commits when it ends, as in production: its after-commit work
    (the outbox relay: notifications, pushes, messages) runs then, though the test's own
    transaction stays open around it; `on_commit` outside any change runs at once.

    Inside a `django_capture_on_commit_callbacks` block the test decides when they run, as
    Django does."""
    from django.db import transaction

    exit_block = transaction.Atomic.__exit__
    on_commit = transaction.on_commit

    def exit_and_commit(self, exc_type, exc_value, traceback):
        result = exit_block(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        if exc_type is None and connection.in_atomic_block:
            _run_committed(connection)
        return result

    def on_commit_now(function, using=None, robust=False):
        on_commit(function, using=using, robust=robust)
        connection = transaction.get_connection(using)
        if connection.in_atomic_block:
            _run_committed(connection)

    if "private_redis" not in request.fixturenames:  # (that one tests the real wake-up)
        # With a broker the relay is woken through it: here it does a worker's job in place.
        monkeypatch.setattr(outbox._waker, "wake", lambda: outbox.relay())
    monkeypatch.setattr(transaction.Atomic, "__exit__", exit_and_commit)
    monkeypatch.setattr(transaction, "on_commit", on_commit_now)
    yield


@pytest.fixture
def city(db) -> City:
    return make_city()


@pytest.fixture
def people(city) -> Personas:
    return make_personas(city)


@pytest.fixture
def english():
    """Messages in English, whatever catalogs are compiled (for tests that read the words)."""
    with translation.override("en"):
        yield


@pytest.fixture
def scenario(city, people):
    from tests.scenario import make_scenario

    return make_scenario(city, people)


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()
