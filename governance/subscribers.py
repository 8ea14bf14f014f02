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
- it never changes the case (that is the workflow's) and never calls another subscriber.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from governance.models import CaseEvent

logger = logging.getLogger(__name__)

Subscriber = Callable[[Sequence[CaseEvent]], None]
_subscribers: dict[str, Subscriber] = {}


def subscriber(name: str) -> Callable[[Subscriber], Subscriber]:
    """Register `function` as the subscriber `name` (registering a name again replaces it)."""

    def register(function: Subscriber) -> Subscriber:
        _subscribers[name] = function
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
    """Hand the events to every subscriber in registration order. Raises the first failure
    after giving every subscriber its turn, so one broken subscriber does not starve the rest
    (the retry reaches all of them again: they are idempotent)."""
    if not _subscribers:
        return
    events = load(event_ids)
    if not events:
        return
    failure: Exception | None = None
    for name, function in _subscribers.items():
        try:
            function(events)
        except Exception as error:  # retried as a whole by the relay
            logger.exception("subscriber %s failed on events %s", name, event_ids[:10])
            failure = failure or error
    if failure is not None:
        raise failure
