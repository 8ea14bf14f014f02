"""The platform's outbox: what must happen after a change commits, never lost to an outage.

A change writes its side effects — the realtime pushes, the Celery tasks (e-mail/SMS deliveries,
the duplicate check…) — as `OutboxMessage` rows in its own transaction, all of them in one
INSERT (`add`). After commit the writing process delivers them at once (one trip to the channel
layer, one `apply_async` per task) and marks them delivered in one UPDATE: with Redis up, that
is all a change costs. It holds them meanwhile (`claimed_until`), so no relay sends them twice.

If Redis (the channel layer or the broker) is down, the rows are released and stay; `relay`
delivers them when it is back. It runs from Celery beat (`governance.tasks.relay_outbox`),
in the embedded runtime's scheduler thread, as `manage.py relay_outbox`, and in this process
right after its next successful delivery (the catch-up after an outage). Rows are claimed
with `SELECT … FOR UPDATE SKIP LOCKED` and a lease, so relays in several processes never
deliver one row twice; a process that dies while holding rows leaves them to the next relay
once the lease runs out.

Each kind has a handler (`handler`): `push`, `task` and `events` here.

Rows of kind `events` (a case's new timeline entries, for the domain's subscribers:
notifications, contact messages, followers' alerts, the realtime pushes…) are not delivered by
the writing process: it leaves them unclaimed and, after commit, only wakes the relay — a
Celery task (`governance.tasks.relay_now`), sent from a background thread so the request never
waits on the broker; run in place when tasks run eagerly (the embedded default). The beat's
sweep delivers whatever a lost wake-up left.

Order per case: such a row names its case (`case_id`); a relay never delivers one while an
earlier undelivered row of the same case is held by another relay (it leaves it for later),
and within its own batch stops at a case's first failure. Exactly once in effect: a row may be
delivered again (a relay killed after its subscribers wrote, before it marked the row), and
every subscriber is idempotent per event.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from governance import queueing, subscribers
from governance.models import OutboxKind, OutboxMessage
from governance.realtime import layer

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)  # longer than any delivery takes (a send waits 5 s at most)
KEEP_DELIVERED = timedelta(days=1)
RELAY_BATCH = 500
RELAY_TASK = "governance.tasks.relay_now"  # named, not imported: the tasks import this module

Send = tuple[list[str], dict[str, Any]]

_behind = threading.Event()  # a delivery failed in this process: catch up after the next one


def push(sends: Sequence[Send]) -> OutboxMessage:
    """Pushes to socket groups: (groups, message) pairs, sent in order in one trip."""
    return OutboxMessage(kind=OutboxKind.PUSH, payload={"sends": [[list(g), m] for g, m in sends]})


def task(name: str, *args: Any) -> OutboxMessage:
    """A Celery task by name, with JSON arguments."""
    return OutboxMessage(kind=OutboxKind.TASK, payload={"task": name, "args": list(args)})


def events(case_id: int, event_ids: Sequence[int]) -> OutboxMessage:
    """New timeline entries of one case for the domain's subscribers (`governance.subscribers`),
    delivered by the relay in order per case."""
    return OutboxMessage(
        kind=OutboxKind.EVENTS, payload={"events": list(event_ids)}, case_id=case_id
    )


RELAYED = frozenset({OutboxKind.EVENTS})  # kinds the relay delivers, not the writing process


def add(messages: Sequence[OutboxMessage]) -> None:
    """Write `messages` with the current change (one INSERT), and deliver them after commit:
    pushes and tasks here, domain events by the relay (woken after commit)."""
    if not messages:
        return
    now = timezone.now()
    held = []
    for message in messages:
        message.created_at = now
        if message.kind not in RELAYED:
            message.claimed_until = now + LEASE  # ours until the after-commit delivery is done
            held.append(message)
    OutboxMessage.objects.bulk_create(messages)
    if held:
        transaction.on_commit(lambda: _deliver_claimed(held))
    if len(held) < len(messages):
        transaction.on_commit(wake_relay)


def wake_relay() -> None:
    """Have a relay deliver what is pending, soon: in place when tasks run eagerly, else a
    Celery task sent by a background thread (the caller never waits on the broker; a burst of
    wake-ups sends one task)."""
    if current_app.conf.task_always_eager:
        try:
            relay()
        except Exception:  # after commit: the change is saved, the sweep delivers the rest
            logger.exception("outbox: relay after commit failed; left to the sweep")
        return
    _waker.wake()


class _Waker:
    """One daemon thread per process that sends `relay_now` whenever it was woken since its
    last send: a wake-up during a send causes one more send, never none."""

    def __init__(self) -> None:
        self.wanted = threading.Event()
        self.pid = 0
        self.lock = threading.Lock()

    def wake(self) -> None:
        with self.lock:
            if self.pid != os.getpid():  # none yet, or forked
                self.pid = os.getpid()
                self.wanted = threading.Event()
                threading.Thread(target=self._run, name="outbox-waker", daemon=True).start()
        self.wanted.set()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                queueing.enqueue_named(RELAY_TASK)  # broker down: the beat's sweep relays it
            except Exception:  # never let the thread die: the next wake-up tries again
                logger.exception("outbox: could not wake the relay")


_waker = _Waker()


def _deliver_claimed(messages: list[OutboxMessage]) -> None:
    try:
        if _deliver(messages) == len(messages) and _behind.is_set():
            _behind.clear()  # Redis answers again: deliver what earlier changes left
            relay()
    except Exception:  # after commit: the change is saved, the relay will deliver the rest
        logger.exception("outbox: delivery after commit failed; left to the relay")


def relay(*, limit: int = RELAY_BATCH) -> int:
    """Deliver what is still pending (held by nobody); returns how many were delivered."""
    now = timezone.now()
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .order_by("pk")[:limit]
        )
        messages = _in_turn(messages)
        if messages:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                claimed_until=now + LEASE
            )
    if not messages:
        return 0
    delivered = _deliver(messages)
    logger.info("outbox: relayed %d of %d pending message(s)", delivered, len(messages))
    return delivered


def _in_turn(messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """Leave out every row of a case that has an earlier undelivered row not in this batch
    (held by another relay, or beyond the limit): its turn comes after that one's."""
    cases = {m.case_id for m in messages if m.case_id is not None}
    if not cases:
        return messages
    ours = [m.pk for m in messages]
    first_elsewhere = dict(
        OutboxMessage.objects.filter(delivered_at__isnull=True, case_id__in=cases)
        .exclude(pk__in=ours)
        .values("case_id")
        .annotate(first=Min("pk"))
        .values_list("case_id", "first")
    )
    return [
        m
        for m in messages
        if m.case_id is None
        or m.case_id not in first_elsewhere
        or m.pk < first_elsewhere[m.case_id]
    ]


def pending_count() -> int:
    return OutboxMessage.objects.filter(delivered_at__isnull=True).count()


def purge(*, older_than: timedelta = KEEP_DELIVERED) -> int:
    """Delete messages delivered more than `older_than` ago."""
    deleted, _ = OutboxMessage.objects.filter(delivered_at__lt=timezone.now() - older_than).delete()
    return deleted


def _deliver(messages: list[OutboxMessage]) -> int:
    """Hand `messages` over, kind by kind in the order they came (a change's pushes, then its
    tasks); mark what went, release the rest for the relay. Returns how many went; never
    raises for Redis being down."""
    by_kind: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_kind.setdefault(message.kind, []).append(message)
    done: list[int] = []
    failed: list[int] = []
    for kind, batch in by_kind.items():
        deliver = _handlers.get(kind)
        if deliver is None:  # kept as claimed: a relay tries again once the lease ran out
            logger.error("outbox: no handler for %r in this process", kind)
            continue
        went = deliver(batch)
        for message in batch:
            (done if message.pk in went else failed).append(message.pk)
    now = timezone.now()
    if done:
        OutboxMessage.objects.filter(pk__in=done).update(
            delivered_at=now, attempts=F("attempts") + 1
        )
    if failed:
        OutboxMessage.objects.filter(pk__in=failed).update(
            claimed_until=None, attempts=F("attempts") + 1
        )
        _behind.set()
    return len(done)


# --- handlers: how each kind is delivered -----------------------------------------------------

Handler = Callable[[list[OutboxMessage]], set[int]]
_handlers: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register how messages of `kind` are delivered: a function taking a batch of them (in
    order) and returning the ids of those handed over. A subscriber of the domain's events
    registers its own kind the same way."""

    def register(function: Handler) -> Handler:
        _handlers[kind] = function
        return function

    return register


@handler(OutboxKind.PUSH)
def _push(messages: list[OutboxMessage]) -> set[int]:
    """Every batch's pushes in one trip to the channel layer: all went, or none."""
    sends = [(groups, message) for m in messages for groups, message in m.payload["sends"]]
    return {m.pk for m in messages} if layer.send_many(sends) else set()


@handler(OutboxKind.TASK)
def _task(messages: list[OutboxMessage]) -> set[int]:
    """Each task to the broker (the breaker skips the rest once one attempt failed); an
    unknown task is logged and dropped."""
    went = set()
    for message in messages:
        name, args = message.payload["task"], message.payload.get("args", [])
        if queueing.enqueue_named(name, *args):
            went.add(message.pk)
    return went


@handler(OutboxKind.EVENTS)
def _events(messages: list[OutboxMessage]) -> set[int]:
    """Each row's events to every subscriber; a row whose subscribers failed is kept for the
    relay (the subscribers are idempotent, so handing it over again is harmless)."""
    went = set()
    stopped: set[int] = set()  # cases whose earlier row failed: their later rows wait too
    for message in messages:
        if message.case_id is not None and message.case_id in stopped:
            continue
        try:
            subscribers.deliver(message.payload["events"])
        except Exception:  # logged by the subscriber registry; retried by the relay
            if message.case_id is not None:
                stopped.add(message.case_id)
            continue
        went.add(message.pk)
    return went
