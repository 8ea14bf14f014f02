"""Realtime events, sent from the workflow functions only, and only after commit.

Each case change goes to the groups that care: the case's own timeline, every area on its path
(officers and leaders listen on the areas they may see) and the assigned department; public
changes also go, anonymised, to the public feed. Consumers re-check every case event against
the scoped-access path before forwarding it, so a group is a routing hint, never a permission.

A change writes one outbox row (kind `events`) naming its new timeline entries, in its own
transaction; after commit the outbox's relay hands them to the domain's subscribers: the
realtime pushes here (`push_case_events`), the duplicate check, and whatever other apps
registered (the notification centre, contact messages, followers' alerts). A channel layer
that is down never fails the change itself: the row stays, and the relay delivers it once
Redis is back (the pages also catch up from the database when their socket reconnects).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from governance import clock, outbox
from governance.audience import Audience, text_audience
from governance.breaker import Breaker
from governance.models import Case, CaseEvent, EventKind
from governance.privacy import public_point
from governance.public import CaseFacts, TextFacts, public_form
from governance.realtime import schemas
from governance.subscribers import push as subscriber_push
from governance.subscribers import queue as subscriber_queue
from governance.subscribers import subscriber

logger = logging.getLogger(__name__)

PUBLIC_GROUP = "public"
BROADCAST_GROUP = "broadcast"
MESSAGE_TYPE = "event.push"  # the consumers' handler: event_push

layer_breaker = Breaker()

_muted: ContextVar[bool] = ContextVar("governance_events_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Record history without its side effects: no pushes, notifications or queued tasks
    (the demo seeds replaying past months)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    """Whether history is being recorded without side effects (`muted`)."""
    return _muted.get()


def area_group(code: str) -> str:
    return f"area.{code}"


def department_group(department_id: int) -> str:
    return f"department.{department_id}"


def case_group(case_id: int) -> str:
    """The case's sockets of staff permitted on it: every entry of its timeline."""
    return f"case.{case_id}"


def case_reporter_group(case_id: int) -> str:
    """The case's sockets of its reporter: only the entries the reporter may read, so an
    internal entry causes no message (nor any push to time) on them."""
    return f"case.{case_id}.reporter"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def case_groups(case: Case) -> list[str]:
    groups = [case_group(case.pk)]
    groups += [area_group(code) for code in case.area_path.strip("/").split("/") if code]
    if case.assignee_department_id:
        groups.append(department_group(case.assignee_department_id))
    return groups


def _case_kind(event: CaseEvent) -> str:
    if event.kind == EventKind.SUBMITTED:
        return schemas.CASE_CREATED
    if event.kind == EventKind.ESCALATED:
        return schemas.CASE_ESCALATED
    if event.kind == EventKind.WARNED:
        return schemas.CASE_DUE_SOON
    return schemas.CASE_TRANSITIONED


def case_payloads(case: Case, event: CaseEvent) -> list[dict[str, Any]]:
    """The messages one timeline entry produces: anonymised, location rounded, validated."""
    kind = _case_kind(event)
    at = event.created_at.isoformat()
    status = event.to_status or case.status  # the entry's own, however far the case has moved
    if kind == schemas.CASE_DUE_SOON:
        return [schemas.validate(_due_payload(kind, case, status, at))]
    lon, lat = public_point(case)
    payload: dict[str, Any] = {
        "kind": kind,
        "tracking_id": case.tracking_id,
        "category": case.category.code,
        "status": status,
        "event": event.kind,
        "lon": float(lon),
        "lat": float(lat),
        "at": at,
    }
    if kind == schemas.CASE_ESCALATED:
        payload["level"] = int(event.data.get("level", case.escalation_level))
    messages = [schemas.validate(payload)]
    if kind == schemas.CASE_ESCALATED and event.data.get("overdue"):
        messages.append(schemas.validate(_due_payload(schemas.CASE_OVERDUE, case, status, at)))
    return messages


def _due_payload(kind: str, case: Case, status: str, at: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "tracking_id": case.tracking_id,
        "category": case.category.code,
        "status": status,
        "due_at": case.due_at.isoformat() if case.due_at else "",
        "at": at,
    }


def send(groups: list[str], message: dict[str, Any]) -> bool:
    """Push `message` to `groups` now. Never raises; returns whether the layer took it."""
    return send_many([(groups, message)])


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


def case_changed_on_commit(case: Case, event: CaseEvent) -> None:
    """The side effects of one timeline entry: called by the workflow inside its transaction."""
    cases_changed_on_commit([(case, event)])


def cases_changed_on_commit(changes: Sequence[tuple[Case, CaseEvent]]) -> None:
    """The side effects of timeline entries written in one transaction (one change, or the
    sweep's batch): one outbox row per case naming its new entries, in one INSERT. Everything
    else — the pushes, everybody's notifications, the messages and alerts, the duplicate
    check — the relay makes of it after commit, through the domain's subscribers."""
    if _muted.get() or not changes:
        return
    by_case: dict[int, list[int]] = {}
    for case, event in changes:
        by_case.setdefault(case.pk, []).append(event.pk)
    outbox.add([outbox.events(case_id, ids) for case_id, ids in by_case.items()])


@subscriber("realtime", live=True)
def push_case_events(entries: Sequence[CaseEvent]) -> None:
    """The case messages of each entry to the groups that care (staff of the case's areas and
    department, its reporter's pages, the public feed), as the case stands when relayed."""
    for event in entries:
        case = event.case
        groups = case_groups(case)
        private = case.category.private_location
        reporter = text_audience(event.audience, private_location=private) != Audience.INTERNAL
        # The public feed carries the entries the case's public form shows as steps.
        public = bool(
            public_form(
                CaseFacts.of(case),
                texts=[TextFacts(event.created_at, event.kind, event.audience, event.note)],
            ).steps
        )
        for message in case_payloads(case, event):
            outside = schemas.SCHEMAS[message["kind"]].public
            extra = [case_reporter_group(case.pk)] if reporter and outside else []
            extra += [PUBLIC_GROUP] if public and outside else []
            subscriber_push(groups + extra, message)


@subscriber("duplicates")
def check_new_cases(entries: Sequence[CaseEvent]) -> None:
    """A new case is compared with its neighbours in a task of its own."""
    for event in entries:
        if event.kind == EventKind.SUBMITTED:
            subscriber_queue("governance.tasks.check_duplicates", event.case_id)


def notification_on_commit(user_id: int, message: dict[str, Any]) -> None:
    """Push a persisted notification to its person's sockets after commit."""
    schemas.validate(message)
    outbox.add([outbox.push([([user_group(user_id)], message)])])


def broadcast_on_commit(text: str) -> None:
    """A notice to everyone signed in (maintenance, an emergency): after commit, to all."""
    message = schemas.validate(
        {"kind": schemas.BROADCAST, "text": text, "at": clock.now().isoformat()}
    )
    outbox.add([outbox.push([([BROADCAST_GROUP], message)])])
