"""The leaders' live patrol map: /ws/gridwork/patrols/.

Each start and end is pushed after commit through the outbox, like every push; each accepted
batch of positions is pushed after commit straight to the layer (`moved`): a position is
superseded by the next one minutes later, so one the layer missed (Redis away) is not kept for
the relay, and the page reads every patrol's current position when it opens. Both go to the
groups of the patrol's area and of each area above it, as one small message: who, where they
last were, how far they have walked. A leader's socket listens
to the groups of the areas where they lead patrols (`gridwork.access.patrol_paths`) and
forwards a message only when its patrol lies beneath one of them; the permission is read again
once a minute, so a withdrawn role stops the messages.

`routes(wrap)` gives the route for config/asgi.py (beside governance's own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction
from django.urls import path

from governance import clock, events, outbox
from governance.realtime import layer
from governance.realtime.consumers import LiveConsumer, kept_person, person_now

POSITION = "patrol.position"
FIELDS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "patrol": int,
    "officer": str,
    "area_path": str,
    "status": str,
    "lon": (float, type(None)),
    "lat": (float, type(None)),
    "t": str,
    "points": int,
    "distance_m": int,
    "at": str,
}
ALL_GROUP = "patrols.all"


def area_group(code: str) -> str:
    return f"patrols.{code}"


def groups_for(area_path: str) -> list[str]:
    """The groups a patrol at `area_path` is pushed to: its area's and every area's above."""
    return [ALL_GROUP] + [area_group(code) for code in area_path.strip("/").split("/") if code]


def message(patrol: Any) -> dict[str, Any]:
    officer = patrol.officer
    name = (officer.get_full_name() or officer.username) if officer is not None else ""
    payload = {
        "kind": POSITION,
        "patrol": patrol.pk,
        "officer": name,
        "area_path": patrol.area_path,
        "status": patrol.status,
        "lon": patrol.last_lon,
        "lat": patrol.last_lat,
        "t": patrol.last_t.isoformat() if patrol.last_t else "",
        "points": patrol.point_count,
        "distance_m": round(patrol.distance_m),
        "at": clock.now().isoformat(),
    }
    assert all(isinstance(payload[key], kind) for key, kind in FIELDS.items())  # the schema
    return payload


def changed_on_commit(patrol: Any) -> None:
    """Push a started or ended patrol to its leaders' sockets after commit (an outbox row:
    who is out now must not be missed)."""
    if events.is_muted():
        return
    outbox.add([outbox.push([(groups_for(patrol.area_path), message(patrol))])])


def moved(patrol: Any) -> None:
    """Push the patrol's new position to its leaders' sockets after commit, best effort: no
    outbox row (the hottest write of the day stays four statements; see the module's note),
    its groups sent to at once rather than one after another."""
    if events.is_muted():
        return
    sends = [(groups_for(patrol.area_path), message(patrol))]
    transaction.on_commit(lambda: layer.send_unordered(sends))


@database_sync_to_async
def _lead_paths(kept: Any) -> list[str] | bool | None:
    """The areas the person leads patrols in; None for every area; False: nobody to serve."""
    from gridwork.access import leads_patrols, patrol_paths

    person = person_now(kept)
    if not leads_patrols(person):
        return False
    return patrol_paths(person)


class PatrolsConsumer(LiveConsumer):
    """Positions of the patrols beneath the areas where the listener leads patrols."""

    async def subscriptions(self) -> list[str] | None:
        self.person = kept_person(self.user)
        paths = await _lead_paths(self.person)
        if paths is False:
            return None
        self.paths = paths
        self.checked_at = clock.now()
        if paths is None:
            return [ALL_GROUP]
        return [area_group(p.strip("/").split("/")[-1]) for p in paths]

    def _covers(self, area_path: str) -> bool:
        return self.paths is None or any(area_path.startswith(p) for p in self.paths)

    async def event_push(self, message: dict[str, Any]) -> None:
        payload = message["payload"]
        if payload.get("kind") != POSITION:
            return
        if (clock.now() - self.checked_at).total_seconds() > 60:  # permissions may change
            paths = await _lead_paths(self.person)
            if paths is False:
                await self.close()
                return
            self.paths, self.checked_at = paths, clock.now()
        if self._covers(str(payload.get("area_path", ""))):
            await self.send_json(payload)


def routes(wrap: Callable[[Any], Any] = lambda app: app) -> list:
    return [path("ws/gridwork/patrols/", wrap(PatrolsConsumer.as_asgi()))]
