import os

import pytest
from django.core.cache import cache
from django.utils import translation

from governance import caching, events, outbox, queueing, routing
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
    events.layer_breaker.reset()
    queueing.broker.reset()
    caching.reset()
    outbox._behind.clear()
    yield
    routing.grid_copy.invalidate()


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
