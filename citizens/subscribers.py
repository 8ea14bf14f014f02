"""The citizens app as a subscriber of the domain's events (`governance.subscribers`).

Two things a change causes belong here, beside the pages and the rows they read: the messages
to a reporter known only by a contact (`contact_updates`: reporter links, unsubscribe pages)
and the alerts of people following a request or an area (`following`). Both are written by the
outbox's relay after the change committed, once per entry, and sent by their own tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from citizens import contact_updates
from citizens.following import telling
from governance.models import CaseEvent
from governance.subscribers import queue, subscriber, sweeper


@subscriber("contacts")
def tell_contacts(entries: Sequence[CaseEvent]) -> None:
    """A reporter known only by a contact hears of the changes an account would be told of."""
    for message_id in contact_updates.messages_for([(event.case, event) for event in entries]):
        queue("citizens.tasks.deliver_contact_message", message_id)


@subscriber("following")
def tell_followers(entries: Sequence[CaseEvent]) -> None:
    """Each public step fans out to its followers and area alerts in a task of its own."""
    for event in entries:
        if telling.is_public_step(event.case, event):
            queue("citizens.tasks.fan_out_alerts", event.pk)


@sweeper("contacts")
def requeue_contact_messages(older_than: timedelta) -> int:
    return contact_updates.requeue_pending(older_than)


@sweeper("following")
def requeue_alerts(older_than: timedelta) -> int:
    return telling.requeue_pending(older_than)
