"""The Celery broker transport: kombu's Redis transport, kept from dying on a closed connection.

When Redis drops while tasks are unacknowledged, the worker's consumer closes its broker
connection. Closing the connection's default channel restores the unacknowledged messages,
which asks for a fresh Redis client built from the transport's connection — already let go
(`None`) when the connection was closed before. kombu (seen with 5.7.0) then raises
`AttributeError: 'NoneType' object has no attribute 'hostname'`, which is not among the errors
it ignores while closing, and the whole worker stops ("Unrecoverable error";
tests/realtime/test_worker_outage.py reproduces it about one outage in three).

Here that channel answers with a connection error instead, which kombu ignores while closing.
Nothing is lost: the messages stay in Redis's unacknowledged set and the next consumer restores
them once the visibility timeout has passed (`CELERY_BROKER_TRANSPORT_OPTIONS`).
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel is closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
