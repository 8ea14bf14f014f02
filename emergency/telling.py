"""Telling a notice's recipients: their notifications, pushes and e-mail/SMS, in bulk.

Used when a notice is sent and when it is sent again to those who did not answer. Inside the
caller's transaction it writes one in-app notification per recipient (`bulk.insert`: COPY
on PostgreSQL, never a save per person) and the outbox rows that follow them after commit,
for the relay: the pushes to each person's notification sockets (`BATCH` people per row, sent
concurrently: `realtime.many_pushes`) and the e-mail/SMS deliveries (`DELIVERY_BATCH`
notifications per task) through the notification centre's own delivery (`centre.deliver`,
which sends each channel at most once).

Emergency notices ignore quiet preferences: every recipient sees it in the site, and gets it
by e-mail and SMS when their account has an address and a phone number
(`notifications.centre.ALWAYS_DELIVERED`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation

from emergency import bulk, realtime
from emergency.models import Notice
from governance import clock, events, outbox
from governance.addresses import absolute
from governance.models import OutboxMessage
from governance.realtime import groups, schemas
from notifications import unread
from notifications.models import Notification, NotificationKind

User = get_user_model()

BATCH = 2000
DELIVERY_BATCH = 200
DELIVER_TASK = "emergency.tasks.deliver_notifications"
LANGUAGES = ("zh-hans", "en")


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


PLACEHOLDER = "TOKEN"


def answer_link(token: str, *, pattern: str | None = None) -> str:
    """The personal answer page's address (`pattern`: the address made once for a batch)."""
    pattern = pattern or absolute(reverse("emergency:answer", args=[PLACEHOLDER]))
    return pattern.replace(PLACEHOLDER, token)


def _texts(notice: Notice, language: str, again: bool) -> tuple[str, str]:
    """(title, body) of the notice's notification in one language."""
    english = language.startswith("en")
    params = {"title": notice.title, "title_en": notice.title_en}
    with translation.override(language):
        title = Notification(kind=NotificationKind.EMERGENCY_NOTICE, params=params).display_title
        body = (english and notice.body_en) or notice.body
        instruction = (english and notice.instruction_en) or notice.instruction
        parts = [body, instruction]
        if again:
            parts.insert(0, translation.gettext("Sent again: you have not answered yet."))
        if notice.exercise:
            parts.insert(0, translation.gettext("EXERCISE — this is a drill."))
    return title[:200], "\n\n".join(part for part in parts if part)


@dataclass(frozen=True)
class Told:
    """One notification written (what its push and delivery need)."""

    pk: int
    user_id: int
    title: str
    wanted: bool  # an e-mail or an SMS to send


COLUMNS = (
    "user_id",
    "kind",
    "case_id",
    "event_id",
    "title",
    "params",
    "body",
    "created_at",
    "read_at",
    "in_app",
    "email_wanted",
    "emailed_at",
    "sms_wanted",
    "texted_at",
)


def tell(notice: Notice, recipients: Sequence[tuple[int, str]], *, again: bool = False) -> int:
    """Write the notifications of `recipients` — (user id, answer token) pairs — and their
    after-commit pushes and deliveries (call inside the change's transaction). Returns how
    many notifications were written. Replayed history (`governance.events.muted`: the demo
    seed) is recorded, not told: no notification, push, e-mail or SMS."""
    if not recipients or events.is_muted():
        return 0
    now = clock.now()
    texts = {language: _texts(notice, language, again) for language in LANGUAGES}
    pattern = absolute(reverse("emergency:answer", args=[PLACEHOLDER]))
    kind = NotificationKind.EMERGENCY_NOTICE
    written: list[Told] = []
    for chunk in chunks(recipients):
        people = {
            pk: (email, phone, language)
            for pk, email, phone, language in User.objects.filter(
                pk__in=[user for user, _token in chunk]
            ).values_list("pk", "email", "phone", "preferred_language")
        }
        rows = []
        for user, token in chunk:
            email, phone, language = people.get(user, ("", "", "zh-hans"))
            title, body = texts["en" if (language or "").startswith("en") else "zh-hans"]
            link = answer_link(token, pattern=pattern)
            params = {
                "title": notice.title,
                "title_en": notice.title_en,
                "notice": str(notice.pk),
                "link": link,
            }
            text = f"{body}\n\n{link}"
            email_wanted, sms_wanted = bool(email), bool(phone)
            row = (user, kind, None, None, title, params, text, now, None, True)
            rows.append((*row, email_wanted, None, sms_wanted, None))
        ids = bulk.insert(Notification, COLUMNS, rows)
        written += [
            Told(pk, row[0], row[4], row[10] or row[12]) for pk, row in zip(ids, rows, strict=True)
        ]
    _after_commit(written, now)
    return len(written)


def _after_commit(written: list[Told], now) -> None:
    """The outbox rows: pushes with each person's unread count, then the deliveries."""
    messages = []
    for chunk in chunks(written):
        users = [n.user_id for n in chunk]
        unread.forget(users)
        counts = dict(
            Notification.objects.filter(user_id__in=users, in_app=True, read_at__isnull=True)
            .order_by()
            .values_list("user_id")
            .annotate(count=Count("pk"))
        )
        sends = [
            ([groups.user_group(n.user_id)], push_message(n, counts.get(n.user_id, 1), now))
            for n in chunk
        ]
        messages.append(realtime.many_pushes(sends))
    wanted = [n.pk for n in written if n.wanted]
    messages += [outbox.task(DELIVER_TASK, list(batch)) for batch in chunks(wanted, DELIVERY_BATCH)]
    relay_after_commit(messages)


OUTBOX_COLUMNS = ("kind", "payload", "created_at", "claimed_until", "delivered_at", "attempts")


def relay_after_commit(messages: list[OutboxMessage]) -> None:
    """Write `messages` with the change for the outbox's relay, and wake it after commit.

    Unlike `outbox.add` the writing process does not deliver them itself: tens of thousands of
    pushes would hold the sender's request for seconds after its commit. The relay (a Celery
    worker; in place when tasks run eagerly) delivers them at once, or when Redis is back."""
    now = timezone.now()
    rows = [(m.kind, m.payload, now, None, None, 0) for m in messages]
    bulk.insert(OutboxMessage, OUTBOX_COLUMNS, rows)
    transaction.on_commit(outbox.wake_relay)


def push_message(told: Told, unread_count: int, at) -> dict:
    """The notification socket message (the centre's schema: pages show it like any other)."""
    return schemas.validate(
        {
            "kind": schemas.NOTIFICATION,
            "id": told.pk,
            "notification_kind": NotificationKind.EMERGENCY_NOTICE.value,
            "title": told.title,
            "tracking_id": None,
            "status": "",
            "unread": unread_count,
            "at": at.isoformat(),
        }
    )
