"""A small circuit breaker: after a service failed, skip it for a few seconds.

One per service and process (the Celery broker, the channel layer, the Redis cache): a service
that is down costs a request at most one failed attempt every `pause` seconds, not one per call.
"""

from __future__ import annotations

import threading
import time


class Breaker:
    """Skip calls to a service for `pause` seconds after it failed."""

    def __init__(self, pause: float = 5.0) -> None:
        self.pause = pause
        self._open_until = 0.0
        self._lock = threading.Lock()

    def closed(self) -> bool:
        return time.monotonic() >= self._open_until

    def failed(self) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.pause

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0
