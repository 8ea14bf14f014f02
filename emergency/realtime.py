"""The roll-call's live sockets: /ws/emergency/notices/<id>/roll-call/.

Each answer (and each first opening) is pushed after commit to the notice's roll-call group as
one small message — which area, whether newly reached, which answer — that the page adds to
its counts (no count query per answer, however fast they come). A message carries the
recipient's name; the consumer forwards it only to a listener who may read that name
(`notice_access.Names`), and strips it for the others.

`routes(wrap)` gives the route for config/asgi.py (beside governance's own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.urls import path

from emergency.models import Notice, Recipient
from emergency.notice_access import Names, may_view_notice
from governance import clock, events, outbox
from governance.models import OutboxMessage
from governance.realtime import layer
from governance.realtime.consumers import LiveConsumer, kept_person, person_now

ROLLCALL = "rollcall.update"
FIELDS = {
    "kind": str,
    "notice": int,
    "recipient": int,
    "area": int,
    "area_path": str,
    "reached": bool,
    "answer": str,
    "name": str,
    "at": str,
}


PUSH_KIND = "emergency.push"  # an outbox kind: pushes to many people's groups, any order


def many_pushes(sends: list[tuple[list[str], dict[str, Any]]]) -> OutboxMessage:
    """An outbox row of pushes to many independent groups (each recipient's notification
    sockets), delivered concurrently (`layer.send_unordered`) after commit, or by the relay."""
    return OutboxMessage(kind=PUSH_KIND, payload={"sends": [[list(g), m] for g, m in sends]})


@outbox.handler(PUSH_KIND)
def _deliver_many(messages: list[OutboxMessage]) -> set[int]:
    went = set()
    for message in messages:
        if layer.send_unordered([(groups, m) for groups, m in message.payload["sends"]]):
            went.add(message.pk)
        else:
            break  # the layer is down: the rest wait for the relay too
    return went


def rollcall_group(notice_id: int) -> str:
    return f"emergency.rollcall.{notice_id}"


def rollcall_message(recipient: Recipient, *, reached: bool, answered: bool) -> dict[str, Any]:
    user = recipient.user
    message = {
        "kind": ROLLCALL,
        "notice": recipient.notice_id,
        "recipient": recipient.pk,
        "area": recipient.area_id or 0,
        "area_path": recipient.area_path,
        "reached": reached,
        "answer": recipient.answer if answered else "",
        "name": str(user),
        "at": clock.now().isoformat(),
    }
    assert all(isinstance(message[key], kind) for key, kind in FIELDS.items())  # the schema
    return message


def rollcall_on_commit(recipient: Recipient, *, reached: bool = False, answered: bool = False):
    """Push the change to the notice's roll-call sockets after commit (through the outbox);
    nothing for replayed history (`governance.events.muted`)."""
    if events.is_muted():
        return
    message = rollcall_message(recipient, reached=reached, answered=answered)
    outbox.add([outbox.push([([rollcall_group(recipient.notice_id)], message)])])


@database_sync_to_async
def _listening(user, notice_id: int):
    notice = Notice.objects.select_related("incident").filter(pk=notice_id).first()
    if notice is None or user is None or not user.is_authenticated or not user.is_active:
        return None
    if not may_view_notice(user, notice):
        return None
    return Names(user, notice)


@database_sync_to_async
def _still_allowed(kept, notice_id: int) -> bool:
    person = person_now(kept)
    notice = Notice.objects.select_related("incident").filter(pk=notice_id).first()
    return notice is not None and person.is_active and may_view_notice(person, notice)


class RollCallConsumer(LiveConsumer):
    """Counts for whoever may view the roll-call, names for whoever may read them."""

    async def subscriptions(self) -> list[str] | None:
        self.notice_id = int(self.scope["url_route"]["kwargs"]["notice_id"])
        self.person = kept_person(self.user)
        self.names = await _listening(self.user, self.notice_id)
        if self.names is None:
            return None
        self.checked_at = clock.now()
        return [rollcall_group(self.notice_id)]

    async def event_push(self, message: dict[str, Any]) -> None:
        payload = message["payload"]
        if payload.get("kind") != ROLLCALL or payload.get("notice") != self.notice_id:
            return
        if (clock.now() - self.checked_at).total_seconds() > 60:  # permissions may change
            if not await _still_allowed(self.person, self.notice_id):
                await self.close()
                return
            self.checked_at = clock.now()
        if not self.names.allowed(payload["area_path"]):
            payload = {**payload, "name": ""}
        await self.send_json(payload)


def routes(wrap: Callable[[Any], Any] = lambda app: app) -> list:
    return [
        path(
            "ws/emergency/notices/<int:notice_id>/roll-call/",
            wrap(RollCallConsumer.as_asgi()),
        )
    ]
