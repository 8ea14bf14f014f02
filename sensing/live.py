"""Live readings on the grid's sensing page: /ws/sensing/areas/<id>/.

After a batch commits, the grids whose things got new readings are told so — one small message
per grid ("these datastreams have new latest values", with the values) through the outbox, so
a Redis outage loses nothing stored and delays only the push. A process sends at most one
outbox row every `MIN_INTERVAL` seconds (the latest values win), so ingest at thousands of
readings a second does not become as many pushes: values held back go with the process's next
message. Only grids someone has open are pushed to: each open page marks its grid as watched
in the shared cache (`watching`, refreshed while it stays open), and a message leaves out the
grids nobody watches (their values are in the database; the page reads them when it opens).
A city's thousands of grids with sensors would otherwise cost a trip to Redis each, every
`MIN_INTERVAL`, for pages nobody has open.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from channels.db import database_sync_to_async
from django.core.cache import cache
from django.urls import path

from governance import events, outbox
from governance.models import Area, OutboxMessage
from governance.realtime import layer
from governance.realtime.consumers import LiveConsumer, kept_person, person_now

READINGS = "sensing.readings"
PUSH_KIND = "sensing.push"
MIN_INTERVAL = 2.0

_lock = threading.Lock()


WATCH_SECONDS = 180  # a watched mark lasts this long; an open page renews it a third as often


def area_group(area_id: int) -> str:
    return f"sensing.area.{area_id}"


def _watch_key(area_id: int) -> str:
    return f"sensing.watched.{area_id}"


def watching(area_id: int) -> None:
    """Mark the grid as watched (a page on it is open) for the next WATCH_SECONDS."""
    cache.set(_watch_key(area_id), 1, WATCH_SECONDS)


def watched(area_ids: Iterable[int]) -> set[int]:
    """Those of `area_ids` that a page has open (one trip to the cache)."""
    keys = {_watch_key(area_id): area_id for area_id in area_ids}
    return {keys[key] for key in cache.get_many(list(keys))} if keys else set()


_waiting: dict[int, dict[int, Any]] = {}  # area → datastream → newest row not yet pushed
_last_sent_at = 0.0


def readings_stored(rows: list[Any]) -> None:
    """Queue the pushes for a stored batch (rows carry area_id, datastream_id, time, result).

    A process writes at most one outbox row every MIN_INTERVAL seconds, carrying every grid's
    newest values since the last one (a delivery costs a trip to Redis per grid: at thousands
    of readings a second, one per batch would cost more than the storing)."""
    global _last_sent_at
    if events.is_muted():
        return
    now = time.monotonic()
    with _lock:
        for row in rows:
            if row.area_id is None:
                continue
            streams = _waiting.setdefault(row.area_id, {})
            held = streams.get(row.datastream_id)
            if held is None or row.time >= held.time:
                streams[row.datastream_id] = row
        if not _waiting or now - _last_sent_at < MIN_INTERVAL:
            return
        _last_sent_at = now
        waiting = dict(_waiting)
        _waiting.clear()
    seen = watched(waiting)
    if not seen:
        return
    sends = [
        [
            [area_group(area_id)],
            {
                "kind": READINGS,
                "area": area_id,
                "readings": [
                    [ds, r.result, r.time.isoformat()] for ds, r in sorted(streams.items())
                ],
            },
        ]
        for area_id, streams in sorted(waiting.items())
        if area_id in seen
    ]
    outbox.add([OutboxMessage(kind=PUSH_KIND, payload={"sends": sends})])


def forget() -> None:
    global _last_sent_at
    with _lock:
        _waiting.clear()
        _last_sent_at = 0.0


@outbox.handler(PUSH_KIND)
def _deliver(messages: list[OutboxMessage]) -> set[int]:
    went = set()
    for message in messages:
        if layer.send_unordered([(groups, m) for groups, m in message.payload["sends"]]):
            went.add(message.pk)
        else:
            break  # the layer is down: the rest wait for the relay
    return went


def _may_watch(person: Any, area_id: int) -> bool:
    """Whether `person` may see the things of the area (the one scoped-access path)."""
    from sensing.access import SensingAction, thing_filter

    if person is None:
        return False
    return (
        Area.objects.filter(pk=area_id)
        .filter(thing_filter(person, SensingAction.VIEW, field="path"))
        .exists()
    )


class AreaReadingsConsumer(LiveConsumer):
    """The latest readings of one grid's things, for staff who may see that grid."""

    async def subscriptions(self) -> list[str] | None:
        self.area_id = int(self.scope["url_route"]["kwargs"]["area_id"])
        self.person = kept_person(self.user)
        if not await database_sync_to_async(_may_watch)(self.user, self.area_id):
            return None
        self.checked_at = time.monotonic()
        await database_sync_to_async(watching)(self.area_id)
        self.renewing = asyncio.ensure_future(self._keep_watching())
        return [area_group(self.area_id)]

    async def _keep_watching(self) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS / 3)
            await database_sync_to_async(watching)(self.area_id)

    async def disconnect(self, code: int) -> None:
        renewing = getattr(self, "renewing", None)
        if renewing is not None:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
        await super().disconnect(code)

    async def event_push(self, message: dict[str, Any]) -> None:
        payload = message["payload"]
        if payload.get("kind") != READINGS or payload.get("area") != self.area_id:
            return
        if time.monotonic() - self.checked_at > 60:  # permissions may change
            person = await database_sync_to_async(person_now)(self.person)
            if not await database_sync_to_async(_may_watch)(person, self.area_id):
                await self.close()
                return
            self.checked_at = time.monotonic()
        await self.send_json(payload)


def routes(wrap: Callable[[Any], Any] = lambda app: app) -> list:
    return [path("ws/sensing/areas/<int:area_id>/", wrap(AreaReadingsConsumer.as_asgi()))]
