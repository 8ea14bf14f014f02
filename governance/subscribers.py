"""Who acts on the domain's events: subscribers, registered by their own apps.

The domain (`governance`) writes a case's timeline and, in the same transaction, one outbox row
of kind `events` naming the new `CaseEvent` ids (`governance.events`). After commit that row is
delivered like any outbox row, and delivering it means calling every subscriber with those
events, oldest first. The domain never imports a subscriber: an app registers itself from its
`AppConfig.ready`:

    from governance.subscribers import subscriber

    @subscriber("evaluation")
    def record_facts(events: Sequence[CaseEvent]) -> None: ...

The contract a subscriber keeps:
- it is called at least once per event, in event-id order within a case, possibly with events
  it has seen before (a relay retries a whole row after a failure): it must be idempotent per
  event id (a unique constraint and `ignore_conflicts`, or a conditional update);
- it raises only for a failure worth retrying (a service down); the row is then released and
  the relay delivers it again later — to every subscriber, hence the idempotence;
- it never changes the case (that is the workflow's) and never calls another subscriber;
- what it pushes to sockets or queues on Celery it hands to `push` and `queue`: the relay
  sends every subscriber's pushes of one row in one trip to the channel layer, then queues the
  tasks; if either fails, the row is delivered again later (so a push may repeat, a write not).

Apps also register a `sweeper`: the catch-up the time-limit sweep runs every minute (deliveries
whose task was lost to an outage).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from governance import queueing
from governance.models import CaseEvent
from governance.realtime import layer

logger = logging.getLogger(__name__)

Subscriber = Callable[[Sequence[CaseEvent]], None]
Sweeper = Callable[[timedelta], int]
_subscribers: dict[str, Subscriber] = {}
_sweepers: dict[str, Sweeper] = {}
_live: set[str] = set()  # names of the subscribers whose pushes go out first


class NotDelivered(Exception):
    """The channel layer or the broker did not take a row's pushes or tasks: retried later."""


@dataclass
class _Outgoing:
    sends: list[tuple[list[str], dict[str, Any]]] = field(default_factory=list)
    tasks: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)


_outgoing: ContextVar[_Outgoing | None] = ContextVar("governance_subscribers_out", default=None)


def push(groups: list[str], message: dict[str, Any]) -> None:
    """Push `message` to socket groups once the row's subscribers are done (one trip for all)."""
    outgoing = _outgoing.get()
    if outgoing is None:
        raise RuntimeError("subscribers.push is for subscribers, called by `deliver`")
    outgoing.sends.append((list(groups), message))


def queue(task_name: str, *args: Any) -> None:
    """Queue the Celery task `task_name` with JSON arguments once the subscribers are done."""
    outgoing = _outgoing.get()
    if outgoing is None:
        raise RuntimeError("subscribers.queue is for subscribers, called by `deliver`")
    outgoing.tasks.append((task_name, args))


def sweeper(name: str) -> Callable[[Sweeper], Sweeper]:
    """Register a catch-up run by the time-limit sweep: `f(older_than) -> how many requeued`."""

    def register(function: Sweeper) -> Sweeper:
        _sweepers[name] = function
        return function

    return register


def sweep(older_than: timedelta = timedelta(minutes=1)) -> int:
    """Run every registered catch-up; returns how many deliveries they queued again."""
    total = 0
    for name, function in _sweepers.items():
        try:
            total += function(older_than)
        except Exception:  # one app's catch-up failing must not stop the others' nor the sweep
            logger.exception("sweeper %s failed", name)
    return total


def subscriber(name: str, *, live: bool = False) -> Callable[[Subscriber], Subscriber]:
    """Register `function` as the subscriber `name` (registering a name again replaces it).
    A `live` subscriber (the sockets' view of the case) runs before the others, and what it
    pushes goes out before they start: a change reaches the open pages without waiting for
    the notification centre or the evaluation to write their rows."""

    def register(function: Subscriber) -> Subscriber:
        _subscribers.pop(name, None)
        _subscribers[name] = function
        _live.discard(name)
        if live:
            _live.add(name)
        return function

    return register


def names() -> list[str]:
    return list(_subscribers)


def load(event_ids: Sequence[int]) -> list[CaseEvent]:
    """The events, oldest first, with what subscribers read of their case in the same query."""
    return list(
        CaseEvent.objects.filter(pk__in=event_ids)
        .select_related("case", "case__category", "case__grid", "actor")
        .defer("case__grid__boundary")
        .order_by("pk")
    )


def deliver(event_ids: Sequence[int]) -> None:
    """Hand the events to every subscriber, the live ones first, then send what they pushed
    and queue what they queued: the live subscribers' pushes in one trip before the others
    run, everything else in one trip after them. Raises the first failure after giving every
    subscriber its turn, so one broken subscriber does not starve the rest (the retry reaches
    all of them again: they are idempotent)."""
    if not _subscribers:
        return
    events = load(event_ids)
    if not events:
        return
    failures: list[Exception] = []
    live = [(n, f) for n, f in _subscribers.items() if n in _live]
    others = [(n, f) for n, f in _subscribers.items() if n not in _live]
    for group in (live, others):
        if group:
            _run(group, events, failures)
    if failures:
        raise failures[0]


def _run(
    group: list[tuple[str, Subscriber]], events: list[CaseEvent], failures: list[Exception]
) -> None:
    outgoing = _Outgoing()
    token = _outgoing.set(outgoing)
    try:
        for name, function in group:
            try:
                function(events)
            except Exception as error:  # retried as a whole by the relay
                logger.exception(
                    "subscriber %s failed on events %s", name, [e.pk for e in events][:10]
                )
                failures.append(error)
    finally:
        _outgoing.reset(token)
    try:
        _send(outgoing)
    except NotDelivered as error:  # the other group still has its turn
        failures.append(error)


def _send(outgoing: _Outgoing) -> None:
    if outgoing.sends and not layer.send_many(outgoing.sends):
        raise NotDelivered("the channel layer did not take the pushes")
    for name, args in outgoing.tasks:
        if not queueing.enqueue_named(name, *args):
            raise NotDelivered(f"the broker did not take {name}")
