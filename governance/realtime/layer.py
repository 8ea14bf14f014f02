"""The channel layer, from sync code: pushes to socket groups, never raising.

Everything that reaches the sockets goes through `send_many`: the outbox's push rows, the
subscribers' pushes (`governance.subscribers`), the consumers' own replies aside. A layer that
is down costs one failed attempt, then the breaker (`layer_breaker`) skips it for a few
seconds; the caller keeps what was not taken (an outbox row stays for the relay).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from governance.breaker import Breaker

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "event.push"  # the consumers' handler: event_push

layer_breaker = Breaker()


def send_many(sends: Sequence[tuple[list[str], dict[str, Any]]]) -> bool:
    """Push each message to its groups now (one change's pushes, or a sweep's batch). Never
    raises; returns whether the layer took them all (True with no layer or nothing to send):
    the outbox keeps what it did not take.

    All of them go in one trip to one long-lived event loop (`_SenderLoop`): each
    `async_to_sync` call costs a thread hand-off and, with Redis, a connection set-up; one per
    group made filing a case several times slower (BENCHMARKS.md).
    """
    layer = get_channel_layer()
    envelopes = [
        (group, {"type": MESSAGE_TYPE, "payload": message})
        for groups, message in sends
        for group in groups
    ]
    if layer is None or not envelopes:
        return True
    if not layer_breaker.closed():
        return False  # failed a moment ago: the outbox keeps them for the relay
    try:
        if isinstance(layer, InMemoryChannelLayer):  # its queues live in the callers' loops
            _run_blocking(_send_all, layer, envelopes)
        else:
            _sender.run(_send_all(layer, envelopes))
    except Exception:  # the layer being down must never undo or hide a saved change
        layer_breaker.failed()
        logger.warning(
            "realtime: could not send %s",
            "; ".join(f"{m['kind']} to {', '.join(g)}" for g, m in sends),
        )
        return False
    return True


UNORDERED_CHUNK = 2000  # envelopes per trip: each trip finishes well within SEND_TIMEOUT


def send_unordered(sends: Sequence[tuple[list[str], dict[str, Any]]], *, concurrency: int = 64):
    """Like `send_many`, for many messages to independent groups whose order between groups
    does not matter (a notice to every officer of a city: one message per person): sent
    `concurrency` at a time instead of one after another, UNORDERED_CHUNK per trip. Never
    raises; returns whether the layer took them all (a failed trip leaves the whole batch to
    the outbox, whose rows may then be sent again: pushes are hints, pages read the truth)."""
    layer = get_channel_layer()
    envelopes = [
        (group, {"type": MESSAGE_TYPE, "payload": message})
        for groups, message in sends
        for group in groups
    ]
    if layer is None or not envelopes:
        return True
    if not layer_breaker.closed():
        return False
    try:
        for start in range(0, len(envelopes), UNORDERED_CHUNK):
            chunk = envelopes[start : start + UNORDERED_CHUNK]
            if isinstance(layer, InMemoryChannelLayer):
                _run_blocking(_send_all, layer, chunk)
            else:
                _sender.run(_send_concurrently(layer, chunk, concurrency))
    except Exception:
        layer_breaker.failed()
        logger.warning("realtime: could not send %d unordered message(s)", len(envelopes))
        return False
    return True


async def _send_concurrently(
    layer: Any, envelopes: list[tuple[str, dict[str, Any]]], concurrency: int
) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(group: str, envelope: dict[str, Any]) -> None:
        async with gate:
            await layer.group_send(group, envelope)

    await asyncio.gather(*(one(group, envelope) for group, envelope in envelopes))


class _SenderLoop:
    """One event loop per process, in a daemon thread, that sync code hands its sends to.

    The channel layer keeps its Redis connection per event loop: `async_to_sync` runs each
    call in a new loop, so every change paid a connection set-up (most of a case's push
    time); here the connection stays open. A send waits at most SEND_TIMEOUT seconds.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pid = 0
        self.lock = threading.Lock()

    def run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        with self.lock:
            if self.loop is None or self.pid != os.getpid():  # none yet, or forked
                self.loop = asyncio.new_event_loop()
                self.pid = os.getpid()
                threading.Thread(
                    target=self.loop.run_forever, name="realtime-sender", daemon=True
                ).start()
            loop = self.loop
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            future.result(SEND_TIMEOUT)
        except BaseException:
            future.cancel()
            raise


SEND_TIMEOUT = 5.0
_sender = _SenderLoop()


def _run_blocking(function: Any, *args: Any) -> None:
    """Run an async function to completion from sync code, even where this thread already runs
    an event loop (async_to_sync refuses that): then from a short-lived helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(function)(*args)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(function), *args).result()


async def _send_all(layer: Any, envelopes: list[tuple[str, dict[str, Any]]]) -> None:
    for group, envelope in envelopes:
        await layer.group_send(group, envelope)
