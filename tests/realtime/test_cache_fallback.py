"""The cache with Redis stopped for real: served from this process's memory, never an error.

A private redis-server (never the shared one) backs the cache through
`governance.caching.FallbackRedisCache`, as REDIS_URL configures it in production.
"""

from __future__ import annotations

import shutil
import time

import pytest
from django.core.cache import cache

from governance import caching, routing
from tests.realtime.redis_server import RedisServer
from tests.scenario import token_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary"),
]


@pytest.fixture
def redis_cache(settings):
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "governance.caching.FallbackRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "fallback-test",
        }
    }
    caching.reset()
    yield server
    server.stop()
    caching.reset()


def test_with_redis_stopped_the_cache_answers_from_memory_quickly(redis_cache):
    cache.set("kept", "in redis", timeout=None)
    assert redis_cache.client().exists("fallback-test:1:kept")
    redis_cache.stop()

    started = time.monotonic()
    assert cache.get("kept") is None  # Redis's copy is out of reach: a miss, not an error
    cache.set("counter", 1)
    assert cache.incr("counter") == 2
    assert cache.add("once", 1) and not cache.add("once", 1)
    assert cache.get_or_set("token", "abc") == "abc"
    assert cache.get_many(["counter", "token"]) == {"counter": 2, "token": "abc"}
    cache.delete("counter")
    assert not cache.has_key("counter")
    # One failed attempt (refused at once on this machine); the breaker skips Redis afterwards.
    assert time.monotonic() - started < 1.5


def test_what_was_written_during_the_outage_is_dropped_from_redis_when_it_is_back(redis_cache):
    cache.set("version", 1, timeout=None)
    cache.set("untouched", 1, timeout=None)
    redis_cache.stop()
    cache.set("version", 2, timeout=None)  # a change told to this process only
    assert cache.get("version") == 2
    redis_cache.start()  # empty, or back from a partition with its old value:
    redis_cache.client().set("fallback-test:1:version", 1)  # it must not serve that one
    redis_cache.client().set("fallback-test:1:untouched", 1)
    caching.reset()  # the breaker would close by itself after FALLBACK_SECONDS

    assert cache.get("version") is None  # dropped: every process starts over from the database
    assert cache.get("untouched") == 1


def test_the_breaker_tries_redis_again_after_a_few_seconds(redis_cache, monkeypatch):
    monkeypatch.setattr(caching, "FALLBACK_SECONDS", 0.2)
    caching._outages.clear()
    redis_cache.stop()
    cache.set("key", "local")
    redis_cache.start()
    assert cache.get("key") == "local"  # still open
    time.sleep(0.3)
    cache.set("key", "shared")
    assert redis_cache.client().get("fallback-test:1:key") is not None


def test_a_grid_index_change_during_the_outage_reaches_the_copies_after_it(redis_cache, city):
    copy = routing.grid_copy
    assert copy.get() is not None
    before = copy.version
    redis_cache.stop()
    copy.bump()  # what a commit that changed the grids does, with Redis down
    assert copy.get() is not None
    during = copy.version
    redis_cache.start()
    redis_cache.client().set(f"fallback-test:1:{routing.VERSION_KEY}", 1)  # e.g. a partition
    caching.reset()
    assert copy.get() is not None
    # The token bumped during the outage was dropped from Redis: a new one, so every process,
    # including those that never saw the bump, reloads once.
    assert copy.version not in (before, during)


@pytest.mark.django_db
def test_throttling_with_redis_stopped_counts_locally(redis_cache, api, city, people, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "filing": {"account": "2/hour"}}
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.citizen)}")
    body = {
        "category": city.category.code,
        "description": "路边垃圾",
        "lon": city.point_a[0],
        "lat": city.point_a[1],
        "answers": {"amount": "small"},
    }
    redis_cache.stop()
    answers = [api.post("/api/v1/cases/", body, format="json").status_code for _ in range(3)]
    assert answers == [201, 201, 429]  # limited, not "allow everything", and never a 500
