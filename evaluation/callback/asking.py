"""Asking a closed case's reporter: the subscriber of the domain's `closed` entries, and the
delivery of its e-mail and SMS.

`ask_after_closing` is called after commit with new timeline entries (at least once each,
`governance.subscribers`). For each `closed` entry of a case with someone to ask it writes the
case's one `CallbackRequest` — a second delivery of the entry, or a later close after a
reopening, finds the row (unique per case) and asks nothing again — and, in the same
transaction: the in-app notification of a reporter with an account (if their preferences want
it), and the outbox task that sends the e-mail/SMS (`deliver`), each channel at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from evaluation.callback import links
from evaluation.models import CallbackRequest
from governance import clock, events, outbox
from governance.addresses import absolute
from governance.models import Case, CaseContact, CaseEvent, EventKind
from governance.queueing import enqueue
from notifications import centre as notifications
from notifications import contact_links, messages, sending, sms
from notifications.models import Notification, NotificationKind


@dataclass(frozen=True)
class Reporter:
    """Whom a callback is for, read when asking and again when sending (never copied)."""

    user: AbstractUser | None
    contact: CaseContact | None
    email: str
    phone: str
    language: str


def reporter_of(case: Case) -> Reporter | None:
    """The case's reporter with a way to reach them, or None (a patrol finding, a sensor's
    case, a contact who stopped the messages)."""
    if case.reporter_id is not None:
        user = case.reporter
        if user is None or not user.is_active:
            return None
        return Reporter(
            user, None, user.email or "", user.phone or "", user.preferred_language or "zh-hans"
        )
    contact = CaseContact.objects.filter(case=case, unsubscribed_at__isnull=True).first()
    if contact is None or not (contact.email or contact.phone):
        return None
    language = contact.language or settings.LANGUAGE_CODE
    return Reporter(None, contact, contact.email, contact.phone, language)


# --- the subscriber ---------------------------------------------------------------------------


def ask_after_closing(entries: Sequence[CaseEvent]) -> None:
    """Ask the reporter of each case whose `closed` entry is among `entries`, once per case."""
    for entry in entries:
        if entry.kind == EventKind.CLOSED:
            ask(case=entry.case, closed_event=entry)


def ask(*, case: Case, closed_event: CaseEvent | None = None) -> CallbackRequest | None:
    """Write the callback of `case` and its messages; None when it was asked already or
    there is nobody to ask."""
    if CallbackRequest.objects.filter(case=case).exists():
        return None
    reporter = reporter_of(case)
    if reporter is None:
        return None
    email, text, in_app = _channels(reporter)
    try:
        with transaction.atomic():
            request = CallbackRequest.objects.create(
                case=case,
                closed_event=closed_event,
                created_at=clock.now(),
                email_wanted=email,
                sms_wanted=text,
            )
            if in_app and reporter.user is not None:
                _tell_in_app(reporter.user, case)
            if email or text:
                outbox.add([_delivery(request)])
    except IntegrityError:  # the same entry delivered twice at once: the other one asked
        return None
    return request


def _channels(reporter: Reporter) -> tuple[bool, bool, bool]:
    """(e-mail, SMS, in-app) for this reporter: an account's preferences for callbacks; a
    contact's own address or number."""
    if reporter.user is None:
        return bool(reporter.email), bool(reporter.phone), False
    wants = notifications.preferences_for(reporter.user, NotificationKind.CALLBACK)
    return (
        wants["email"] and bool(reporter.email),
        wants["sms"] and bool(reporter.phone),
        wants["in_app"],
    )


def _tell_in_app(user: AbstractUser, case: Case) -> None:
    """The reporter's in-app notification, linking to the answer page (its e-mail and SMS
    carry a one-time link instead, so the notification itself sends neither)."""
    params = notifications.params_of(case)
    with translation.override(user.preferred_language or "zh-hans"):
        title = Notification(kind=NotificationKind.CALLBACK, params=params).display_title
    notification = Notification.objects.create(
        user=user,
        kind=NotificationKind.CALLBACK,
        case=case,
        title=title[:200],
        params=params,
        created_at=clock.now(),
        in_app=True,
    )
    events.notification_on_commit(user.pk, notifications.push_message(notification))


# `evaluation.tasks.deliver_callback`, named here so the task module may import this one.
DELIVER_TASK = "evaluation.tasks.deliver_callback"


def _delivery(request: CallbackRequest):
    return outbox.task(DELIVER_TASK, request.pk)


# --- delivery ---------------------------------------------------------------------------------


def compose(request: CallbackRequest, reporter: Reporter, *, token: str) -> messages.Composed:
    """The question, in the reporter's language, with the one-time link of `token`."""
    case = request.case
    link = absolute(reverse("callback:callback", args=[token]))
    if reporter.user is None:
        manage = absolute(
            reverse("citizens:unsubscribe", args=[contact_links.unsubscribe_token(case)])
        )
    else:
        manage = absolute(reverse("citizens:notifications-preferences"))
    with translation.override(reporter.language):
        days = settings.CALLBACK_LINK_DAYS
        headline = _("Was your request %(id)s resolved? Tell us") % {"id": case.tracking_id}
        extra = (
            _(
                "Was it resolved? Are you satisfied? Anything to add? One minute, no account "
                "needed."
            ),
            ngettext(
                "The link answers once, within %(days)d day.",
                "The link answers once, within %(days)d days.",
                days,
            )
            % {"days": days},
        )
    return messages.compose(
        case=case,
        language=reporter.language,
        headline=headline,
        status=case.status,
        link=link,
        manage_link=manage,
        unsubscribe=reporter.user is None,
        extra_lines=extra,
    )


def deliver(request_id: int) -> None:
    """Send the callback's e-mail and SMS, each at most once (claimed by a row update), each
    with its own link; nothing once it is answered or the reporter stopped the messages."""
    request = (
        CallbackRequest.objects.filter(pk=request_id)
        .select_related("case__category", "case__reporter")
        .first()
    )
    if request is None:
        return
    reporter = reporter_of(request.case)
    if reporter is None or request.answered_at is not None:
        sending.claim(CallbackRequest, request_id, "emailed_at")
        sending.claim(CallbackRequest, request_id, "texted_at")
        return
    if (
        request.email_wanted
        and reporter.email
        and sending.claim(CallbackRequest, request_id, "emailed_at")
    ):
        try:
            composed = compose(
                request, reporter, token=links.issue(request=request, channel="email")
            )
            EmailMessage(
                composed.subject, composed.body, None, [reporter.email], headers=composed.headers
            ).send()
        except Exception:
            sending.release(CallbackRequest, request_id, "emailed_at")
            raise
    if (
        request.sms_wanted
        and reporter.phone
        and sending.claim(CallbackRequest, request_id, "texted_at")
    ):
        try:
            composed = compose(request, reporter, token=links.issue(request=request, channel="sms"))
            sms.gateway().send(phone=reporter.phone, text=composed.sms)
        except Exception:
            sending.release(CallbackRequest, request_id, "texted_at")
            raise


def requeue_pending(older_than: timedelta = timedelta(minutes=1)) -> int:
    """Queue every callback whose e-mail or SMS is still unsent (queued while the broker was
    down, or a send that failed for good)."""
    task = current_app.tasks[DELIVER_TASK]
    ids = sending.pending(CallbackRequest, older_than)
    for request_id in ids:
        enqueue(task, request_id)
    return len(ids)
