"""The shared cache: Redis while it answers, this process's memory while it does not.

Every cache user (the throttles, the sign-in limits, the version tokens of `versioned`, anything
else) goes through Django's cache, so this backend is the one place where Redis being down is
handled: a connection or timeout error opens a short circuit breaker (Redis is tried again after
`FALLBACK_SECONDS`, with short socket timeouts, so a request pays at most one short failed
attempt) and, meanwhile, the same calls are served by a per-process local-memory cache. Throttles
keep counting (per process, so limits stay limits, never "allow everything"); nothing raises.

What a process wrote while Redis was away is only in its own memory, and other processes never
saw it (a version token bumped after a change, a counter). When Redis answers again those keys
are deleted there, as a cache may always drop an entry: every process then starts over from the
database (a new version token, so every copy reloads once) instead of trusting a stale value.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import redis
from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver

from governance.breaker import Breaker

logger = logging.getLogger(__name__)

FALLBACK_SECONDS = 5.0
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}
MAX_DIRTY_KEYS = 10_000
# A refused or dropped connection, a timeout, a server still loading its data: Redis is away.
UNAVAILABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

_WRITES = frozenset({"add", "set", "touch", "delete", "incr", "set_many", "delete_many"})


class _Outage:
    """One Redis location's state in this process, shared by the per-thread cache objects
    Django builds: the breaker and the keys written to local memory since Redis went away."""

    def __init__(self) -> None:
        self.breaker = Breaker(FALLBACK_SECONDS)
        self.dirty: set[str] = set()
        self.lock = threading.Lock()
        self.down = False

    def remember(self, keys: list[str]) -> None:
        with self.lock:
            if len(self.dirty) + len(keys) <= MAX_DIRTY_KEYS:
                self.dirty.update(keys)

    def dirty_keys(self) -> list[str]:
        with self.lock:
            return list(self.dirty)

    def recovered(self, keys: list[str]) -> None:
        with self.lock:
            self.dirty.difference_update(keys)
            self.down = False


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class FallbackRedisCache(RedisCache):
    """Django's RedisCache that serves from local memory while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**SOCKET_TIMEOUTS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self.location = server
        self.outage = outage_for(server)
        self.local = LocMemCache(
            f"redis-fallback:{server}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": 10_000},
            },
        )

    def _call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        outage = self.outage
        if outage.breaker.closed():
            try:
                if outage.down:
                    self._forget_outage_writes()
                return getattr(super(), name)(*args, **kwargs)
            except UNAVAILABLE as error:
                outage.breaker.failed()
                if not outage.down:
                    logger.warning("cache: Redis unavailable (%s); local memory for now", error)
                outage.down = True
        if name in _WRITES:
            outage.remember(self._keys_of(name, args, kwargs))
        return getattr(self.local, name)(*args, **kwargs)

    def _forget_outage_writes(self) -> None:
        keys = self.outage.dirty_keys()
        if keys:
            super().delete_many(keys)  # raises while Redis is still away: nothing forgotten
        self.outage.recovered(keys)
        self.local.clear()
        logger.info("cache: Redis is back; %d key(s) written meanwhile dropped", len(keys))

    @staticmethod
    def _keys_of(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
        if name == "set_many":
            return list((args[0] if args else kwargs["data"]).keys())
        if name == "delete_many":
            return list(args[0] if args else kwargs["keys"])
        return [args[0] if args else kwargs["key"]]

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("add", args, kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", args, kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        return self._call("set", args, kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("touch", args, kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("delete", args, kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._call("get_many", args, kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("has_key", args, kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._call("incr", args, kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._call("set_many", args, kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._call("delete_many", args, kwargs)

    def clear(self) -> None:
        self.local.clear()
        return self._call("clear", (), {})

    # --- Redis or nothing (`SharedCopies`): never this process's memory.

    def shared_get(self, key: str, default: Any = None) -> Any:
        if self.outage.down or not self.outage.breaker.closed():
            return default
        try:
            return super().get(key, default)
        except UNAVAILABLE:
            self.outage.breaker.failed()
            self.outage.down = True
            return default

    def shared_set(self, key: str, value: Any, timeout: Any) -> None:
        if self.outage.down or not self.outage.breaker.closed():
            return
        try:
            super().set(key, value, timeout)
        except UNAVAILABLE:
            self.outage.breaker.failed()
            self.outage.down = True
            self.outage.remember([key])  # it may have reached Redis: deleted there on return


class SharedCopies:
    """The cache for copies of rows whose truth stays in the database (a session, a person, a
    person's saved filters): they are read from Redis, the one copy every process sees and
    every change deletes, or not at all. While Redis is away, reads miss (the caller reads the
    database) and writes are dropped; a delete is still remembered and made in Redis when it
    answers again (`FallbackRedisCache`). Serving this process's memory instead would let one
    process go on trusting a copy another has deleted: a session signed out elsewhere, an
    account since deactivated. Without Redis (the embedded run, one process) it is simply the
    local-memory cache."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._backend: Any = None
        self._lock = threading.Lock()

    @property
    def backend(self) -> Any:
        """One backend for the whole process. Django's `caches[alias]` is one per thread AND per
        async context: every open WebSocket would keep an instance of its own, with its own
        connection to Redis, for as long as it stays open (measured: +9 KiB per socket)."""
        backend = self._backend
        if backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = caches.create_connection(self.alias)
                backend = self._backend
        return backend

    def reset(self) -> None:
        """Build the backend again from the settings (they changed: tests)."""
        with self._lock:
            self._backend = None

    def get(self, key: str, default: Any = None) -> Any:
        backend = self.backend
        if isinstance(backend, FallbackRedisCache):
            return backend.shared_get(key, default)
        return backend.get(key, default)

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> None:
        backend = self.backend
        if isinstance(backend, FallbackRedisCache):
            backend.shared_set(key, value, timeout)
        else:
            backend.set(key, value, timeout)

    def delete(self, key: str) -> None:
        self.backend.delete(key)

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    async def aget(self, key: str, default: Any = None) -> Any:
        return await sync_to_async(self.get)(key, default)

    async def aset(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> None:
        await sync_to_async(self.set)(key, value, timeout)

    async def adelete(self, key: str) -> None:
        await sync_to_async(self.delete)(key)


shared = SharedCopies()


@receiver(setting_changed)
def _caches_changed(setting: str, **kwargs: Any) -> None:
    if setting == "CACHES":
        shared.reset()


def reset() -> None:
    """Forget every outage (tests): Redis is tried at once again."""
    with _outages_lock:
        for outage in _outages.values():
            outage.breaker.reset()
