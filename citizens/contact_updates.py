"""Messages to a reporter known only by a contact: an anonymous citizen, or a hotline caller
whose case staff filed. They are never left in the dark.

On filing they get a confirmation with the tracking id and a one-time link to their request
(`reporter_links`); then a message for each change a reporter with an account would be told of
(`notifications._tells_reporter`'s rule: a change of state whose note is not internal),
written in the language they filed in, each with an unsubscribe link (one click, undoable).

The rows (`ContactMessage`) are written by this app's subscriber of the domain's events
(`citizens.subscribers`), in the outbox's relay after the change committed, once per (entry,
kind) however often the relay hands the entry over; their delivery tasks follow. With Redis
down nothing is lost: the relay delivers the change's row later. Each channel is claimed
before it is sent (at most once); an unsubscribed contact's pending messages are dropped
unsent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from citizens import reporter_links
from citizens.models import ContactMessage
from governance import clock, outbox
from governance.addresses import absolute
from governance.models import Audience, Case, CaseContact, CaseEvent, EventKind, OutboxMessage
from governance.queueing import enqueue_named
from notifications import messages, sending, sms
from notifications.contact_links import unsubscribe_token
from notifications.models import status_label

# The reporter's own actions without an account: nothing to tell them.
OWN_ACTIONS = frozenset({EventKind.WITHDRAWN, EventKind.REOPENED})


def _kind_of(case: Case, event: CaseEvent) -> str | None:
    """Which message a change makes for the case's contact, if any."""
    if case.reporter_id is not None:
        return None  # a reporter with an account hears through the notification centre
    if event.kind == EventKind.SUBMITTED:
        return ContactMessage.Kind.CONFIRMATION
    if event.kind in OWN_ACTIONS and event.actor_id is None:
        return None
    changed = event.from_status != event.to_status
    if changed and event.audience != Audience.INTERNAL:
        return ContactMessage.Kind.UPDATE
    return None


def messages_for(changes: Sequence[tuple[Case, CaseEvent]]) -> list[int]:
    """Write the contact messages of some timeline entries, once each (an entry handed over
    again writes nothing twice); returns the ids of those of these entries still to send."""
    wanted = [(case, event, kind) for case, event in changes if (kind := _kind_of(case, event))]
    if not wanted:
        return []
    contacts = {
        c.case_id: c
        for c in CaseContact.objects.filter(
            case__in=[case.pk for case, _e, _k in wanted], unsubscribed_at__isnull=True
        )
    }
    now = clock.now()
    rows = []
    for case, event, kind in wanted:
        contact = contacts.get(case.pk)
        if contact is None or not (contact.email or contact.phone):
            continue
        rows.append(
            ContactMessage(
                case=case,
                event=event,
                kind=kind,
                status=case.status if kind == ContactMessage.Kind.CONFIRMATION else event.to_status,
                note=event.note if event.audience != Audience.INTERNAL else "",
                created_at=now,
                email_wanted=bool(contact.email),
                sms_wanted=bool(contact.phone),
            )
        )
    if not rows:
        return []
    ContactMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        ContactMessage.objects.filter(event__in=[row.event_id for row in rows])
        .filter(
            Q(email_wanted=True, emailed_at__isnull=True)
            | Q(sms_wanted=True, texted_at__isnull=True)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# The task that delivers one message, by name: the tasks module imports this one.
DELIVER = "citizens.tasks.deliver_contact_message"


def deliveries(rows: Sequence[ContactMessage]) -> list[OutboxMessage]:
    return [outbox.task(DELIVER, row.pk) for row in rows]


def send_fresh_link(*, case: Case) -> bool:
    """Send a new one-time link to the contact of `case` (asked for from a used or expired
    one); False when there is nobody to send it to (no contact, or they unsubscribed)."""
    with transaction.atomic():
        contact = CaseContact.objects.filter(case=case, unsubscribed_at__isnull=True).first()
        if case.reporter_id is not None or contact is None or not (contact.email or contact.phone):
            return False
        row = ContactMessage.objects.create(
            case=case,
            kind=ContactMessage.Kind.LINK,
            status=case.status,
            created_at=clock.now(),
            email_wanted=bool(contact.email),
            sms_wanted=bool(contact.phone),
        )
        outbox.add(deliveries([row]))
    return True


# --- unsubscribing ----------------------------------------------------------------------------


def set_subscribed(*, case_id: int, subscribed: bool) -> bool:
    """Stop (or resume) the messages to the contact of the case; False if it has none."""
    contact = CaseContact.objects.filter(case_id=case_id).first()
    if contact is None:
        return False
    if subscribed:
        CaseContact.objects.filter(case_id=case_id).update(unsubscribed_at=None)
    else:
        CaseContact.objects.filter(case_id=case_id, unsubscribed_at__isnull=True).update(
            unsubscribed_at=clock.now()
        )
    return True


# --- delivery ---------------------------------------------------------------------------------


def _headline(row: ContactMessage) -> str:
    if row.kind == ContactMessage.Kind.CONFIRMATION:
        return _("Your request is received")
    if row.kind == ContactMessage.Kind.LINK:
        return _("A new link to your request")
    return _("Your request is now %(status)s") % {"status": status_label(row.status)}


def compose_for(row: ContactMessage, contact: CaseContact, *, token: str) -> messages.Composed:
    """The message `row` for its contact, with the one-time link of `token`."""
    case = row.case
    language = contact.language or settings.LANGUAGE_CODE
    link = absolute(reverse("citizens:reporter_link", args=[token]))
    manage = absolute(reverse("citizens:unsubscribe", args=[unsubscribe_token(case)]))
    track = absolute(reverse("citizens:track"))
    with translation.override(language):
        days = settings.REPORTER_LINK_DAYS
        extra = (
            ngettext(
                "The link opens your request once, within %(days)d day; after that it offers "
                "to send you a new one.",
                "The link opens your request once, within %(days)d days; after that it offers "
                "to send you a new one.",
                days,
            )
            % {"days": days},
            _("Anyone can follow it with its tracking id %(id)s at %(url)s")
            % {"id": case.tracking_id, "url": track},
        )
        headline = _headline(row)
    return messages.compose(
        case=case,
        language=language,
        headline=headline,
        status=row.status,
        link=link,
        manage_link=manage,
        unsubscribe=True,
        note=row.note,
        extra_lines=extra,
    )


def deliver(message_id: int) -> None:
    """Send a contact message's e-mail and SMS, each at most once (claimed by a row update);
    a contact who unsubscribed meanwhile is sent nothing (the row is closed unsent)."""
    row = ContactMessage.objects.filter(pk=message_id).select_related("case__category").first()
    if row is None:
        return
    contact = CaseContact.objects.filter(case_id=row.case_id).first()
    if contact is None or contact.unsubscribed_at is not None or row.case.reporter_id is not None:
        sending.claim(ContactMessage, message_id, "emailed_at")
        sending.claim(ContactMessage, message_id, "texted_at")
        return
    if (
        row.email_wanted
        and contact.email
        and sending.claim(ContactMessage, message_id, "emailed_at")
    ):
        try:
            token = reporter_links.issue(case=row.case, channel="email")
            composed = compose_for(row, contact, token=token)
            EmailMessage(
                composed.subject, composed.body, None, [contact.email], headers=composed.headers
            ).send()
        except Exception:
            sending.release(ContactMessage, message_id, "emailed_at")
            raise
    if row.sms_wanted and contact.phone and sending.claim(ContactMessage, message_id, "texted_at"):
        try:
            token = reporter_links.issue(case=row.case, channel="sms")
            composed = compose_for(row, contact, token=token)
            sms.gateway().send(phone=contact.phone, text=composed.sms)
        except Exception:
            sending.release(ContactMessage, message_id, "texted_at")
            raise


def pending(older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    return sending.pending(ContactMessage, older_than)


def requeue_pending(older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue every contact message still pending (e.g. queued while the broker was down)."""
    ids = pending(older_than)
    for message_id in ids:
        enqueue_named(DELIVER, message_id)
    return len(ids)
