"""Answering a notice (签收) with the recipient's personal token: in one tap, once.

The token is the key — the answer page and the API need no sign-in. `open_notice` marks the
recipient reached the first time they open it; `answer` records their answer once: a
conditional UPDATE (… WHERE answered_at IS NULL) claims the row, so two taps, or two requests
at the same moment, record the first answer and return it to both. Each change is logged and,
after commit, pushed to the notice's roll-call sockets (`emergency.realtime`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from emergency import realtime
from emergency.models import Recipient
from governance import clock
from governance.errors import InvalidInput

logger = logging.getLogger(__name__)

MAX_NOTE = 500


class UnknownToken(LookupError):
    """No recipient holds this token."""


@dataclass(frozen=True)
class Answered:
    recipient: Recipient
    recorded: bool  # this call recorded the answer (False: it had been answered before)


def recipient_of(token: str) -> Recipient:
    recipient = (
        Recipient.objects.select_related("notice__incident", "user", "area")
        .filter(token=token)
        .first()
        if token
        else None
    )
    if recipient is None:
        raise UnknownToken(token)
    return recipient


def open_notice(token: str) -> Recipient:
    """The recipient of `token`, marked reached the first time (the roll-call is told)."""
    recipient = recipient_of(token)
    if recipient.reached_at is None:
        now = clock.now()
        with transaction.atomic():
            marked = Recipient.objects.filter(pk=recipient.pk, reached_at__isnull=True).update(
                reached_at=now
            )
            if marked:
                recipient.reached_at = now
                logger.info("notice %s: recipient %s reached", recipient.notice_id, recipient.pk)
                realtime.rollcall_on_commit(recipient, reached=True)
    return recipient


def answer(token: str, choice: str, note: str = "") -> Answered:
    """Record the recipient's answer once; a later answer returns the one recorded."""
    recipient = recipient_of(token)
    note = (note or "").strip()
    if recipient.answered_at is not None:
        return Answered(recipient, recorded=False)
    if choice not in recipient.notice.answer_options():
        raise InvalidInput({"answer": [_("Choose one of the answers offered.")]})
    if len(note) > MAX_NOTE:
        raise InvalidInput({"note": [_("At most %d characters.") % MAX_NOTE]})
    now = clock.now()
    with transaction.atomic():
        claimed = Recipient.objects.filter(pk=recipient.pk, answered_at__isnull=True).update(
            answer=choice,
            answer_note=note,
            answered_at=now,
            reached_at=Coalesce("reached_at", now),
        )
        if claimed:
            newly_reached = recipient.reached_at is None
            recipient.answer, recipient.answer_note, recipient.answered_at = choice, note, now
            recipient.reached_at = recipient.reached_at or now
            logger.info(
                "notice %s: recipient %s answered %s", recipient.notice_id, recipient.pk, choice
            )
            realtime.rollcall_on_commit(recipient, reached=newly_reached, answered=True)
    if not claimed:  # answered a moment ago by another tap: theirs stands
        recipient.refresh_from_db()
        return Answered(recipient, recorded=False)
    return Answered(recipient, recorded=True)


def unanswered() -> Q:
    return Q(answered_at__isnull=True)
