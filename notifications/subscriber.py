"""The notification centre as a subscriber of the domain's events (`governance.subscribers`).

Called by the outbox's relay after a change committed, with its new timeline entries: writes
everybody's notifications once per (entry, person, kind), pushes each to the person's open
pages and queues their e-mail/SMS deliveries (each sent at most once, `sending`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from governance import events as realtime
from governance.models import CaseEvent
from governance.subscribers import push, queue, subscriber, sweeper
from notifications import centre


@subscriber("notifications")
def tell_people(entries: Sequence[CaseEvent]) -> None:
    told, pushes = centre.notify_case_events([(event.case, event) for event in entries])
    for user_id, message in pushes:
        push([realtime.user_group(user_id)], message)
    for notification in told:
        email = notification.email_wanted and notification.emailed_at is None
        if email or (notification.sms_wanted and notification.texted_at is None):
            queue(centre.DELIVER_TASK, notification.pk)


@sweeper("notifications")
def requeue(older_than: timedelta) -> int:
    """The deliveries still pending after an outage, queued again by the time-limit sweep."""
    return centre.requeue_pending(older_than)
