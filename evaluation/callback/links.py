"""The one-time links of a callback, as `citizens.reporter_links` makes them for a request:
32 random bytes sent to the reporter, only their SHA-256 kept, valid `CALLBACK_LINK_DAYS`.

A link is only looked at by GET (a mail scanner fetching it spends nothing); answering
through it is a POST that ends it with a conditional UPDATE (`spend`), in the answer's own
transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from evaluation.models import CallbackLink, CallbackRequest
from governance import clock

MAX_TOKEN_LENGTH = 100


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(*, request: CallbackRequest, channel: str) -> str:
    """A new link token for the callback `request`, sent through `channel` (email / sms)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    CallbackLink.objects.create(
        request=request,
        token_hash=_digest(token),
        channel=channel,
        created_at=now,
        expires_at=now + timedelta(days=settings.CALLBACK_LINK_DAYS),
    )
    return token


@dataclass(frozen=True)
class LinkState:
    """What a token is: unknown (`link` None), usable, answered or expired."""

    link: CallbackLink | None
    answered: bool = False
    expired: bool = False

    @property
    def usable(self) -> bool:
        return self.link is not None and not self.answered and not self.expired


def state(token: str) -> LinkState:
    """The link of `token` (the token itself is never stored or logged)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return LinkState(None)
    link = (
        CallbackLink.objects.filter(token_hash=_digest(token))
        .select_related("request__case__category")
        .first()
    )
    if link is None:
        return LinkState(None)
    answered = link.used_at is not None or link.request.answered_at is not None
    return LinkState(link, answered=answered, expired=link.expires_at <= clock.now())


def spend(link: CallbackLink) -> bool:
    """End `link` now (inside the answer's transaction): False when it was already used or
    has expired meanwhile (a second click, a second tab)."""
    now = clock.now()
    return bool(
        CallbackLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(
            used_at=now
        )
    )
