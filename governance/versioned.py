"""A process's copy of shared, rarely changing data, kept in step across processes.

Saving or deleting a source row drops this process's copy at once and, once committed, bumps a
random version token in the shared cache (`changed`, called from `governance.signals`). Each
process compares its copy's version with the token at most once every
GRID_INDEX_CHECK_SECONDS and reloads when they differ. Copies may also be reloaded after
`max_age` seconds, so that a change made without signals (a bulk update, the database shell)
shows within minutes; the grid index, costly to rebuild, waits for its token only.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

MAX_AGE = 300.0


class VersionedCopy(Generic[T]):
    """One process's copy of `load(version)`, valid while the shared version token is unchanged."""

    def __init__(
        self, key: str, load: Callable[[str], T], *, max_age: float | None = MAX_AGE
    ) -> None:
        self.key = key
        self.load = load
        self.max_age = max_age
        self.value: T | None = None
        self.version: str | None = None
        self.loaded_at = 0.0
        self.checked_at = 0.0
        self.lock = threading.Lock()

    def _expired(self, now: float) -> bool:
        return self.max_age is not None and now - self.loaded_at >= self.max_age

    def get(self) -> T:
        now = time.monotonic()
        interval = settings.GOVERNANCE["GRID_INDEX_CHECK_SECONDS"]
        value = self.value
        if value is not None and now - self.checked_at < interval and not self._expired(now):
            return value
        with self.lock:
            version = cache.get_or_set(self.key, new_token, timeout=None)
            if self.value is None or self.version != version or self._expired(now):
                self.value = self.load(version)
                self.version = version
                self.loaded_at = now
            self.checked_at = now
            return self.value

    def invalidate(self) -> None:
        with self.lock:
            self.value = None
            self.checked_at = 0.0

    def changed(self) -> None:
        """Rows changed: drop this process's copy now, and tell the others once committed."""
        self.invalidate()
        transaction.on_commit(self.bump)

    def bump(self) -> None:
        """A new shared version (what another process's commit does), and no local copy."""
        cache.set(self.key, new_token(), timeout=None)
        self.invalidate()


def new_token() -> str:
    return secrets.token_hex(8)
