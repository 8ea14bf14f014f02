"""Telling many people at once: the rows in one INSERT, their preferences in one query, the
pushes and the e-mail/SMS deliveries after commit (outbox).

`centre.notify` does the same for one person; an emergency plan's activation, the lateness
sweep, a reminder to a grid's officers tell many, so this writes them together. (An emergency
notice's own recipients, by the ten thousand, go through `emergency.telling`: COPY, and
pushes in concurrent batches.)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation

from governance import clock, events, outbox
from governance.realtime import schemas
from governance.realtime.groups import user_group
from notifications import unread
from notifications.centre import deliveries, push_message
from notifications.models import Notification, NotificationPreference


def tell(
    people: Iterable,
    *,
    kind: str,
    params: dict[str, str],
    body: str = "",
) -> list[Notification]:
    """One notification of `kind` to each person (once each, however often they are named);
    call inside the change's transaction. Nobody is told of replayed history
    (`governance.events.muted`: the demo seed)."""
    if events.is_muted():
        return []
    unique = {person.pk: person for person in people if person is not None and person.is_active}
    if not unique:
        return []
    stored = {
        row.user_id: {"in_app": row.in_app, "email": row.email, "sms": row.sms}
        for row in NotificationPreference.objects.filter(user__in=list(unique), kind=kind)
    }
    now = clock.now()
    titles: dict[str, str] = {}
    rows = []
    for person in unique.values():
        wants = stored.get(person.pk) or NotificationPreference.defaults_for(kind)
        language = person.preferred_language or "zh-hans"
        if language not in titles:
            with translation.override(language):
                titles[language] = Notification(kind=kind, params=params).display_title
        rows.append(
            Notification(
                user=person,
                kind=kind,
                title=titles[language][:200],
                params=params,
                body=body,
                created_at=now,
                in_app=wants["in_app"],
                email_wanted=wants["email"] and bool(person.email),
                sms_wanted=wants["sms"] and bool(person.phone),
            )
        )
    created = Notification.objects.bulk_create(rows)
    if any(row.pk is None for row in created):  # a backend that returns no ids: read them back
        created = list(
            Notification.objects.filter(user__in=list(unique), kind=kind, created_at=now)
        )
    unread.forget(list(unique))
    sends = [
        ([user_group(n.user_id)], schemas.validate(push_message(n))) for n in created if n.in_app
    ]
    outbox.add(([outbox.push(sends)] if sends else []) + deliveries(created))
    return created
