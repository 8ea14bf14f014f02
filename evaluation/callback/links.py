"""The one-time links of a callback (`governance.one_time_links`): sent to the reporter,
valid `CALLBACK_LINK_DAYS`.

A link is only looked at by GET (a mail scanner fetching it spends nothing); answering
through it is a POST that ends it (`spend`), in the answer's own transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from evaluation.models import CallbackLink, CallbackRequest
from governance import clock, one_time_links


def issue(*, request: CallbackRequest, channel: str) -> str:
    """A new link token for the callback `request`, sent through `channel` (email / sms)."""
    token, fields = one_time_links.new(settings.CALLBACK_LINK_DAYS)
    CallbackLink.objects.create(request=request, channel=channel, **fields)
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
    link = one_time_links.find(CallbackLink, token, "request__case__category")
    if link is None:
        return LinkState(None)
    answered = link.used_at is not None or link.request.answered_at is not None
    return LinkState(link, answered=answered, expired=link.expires_at <= clock.now())


def spend(link: CallbackLink) -> bool:
    """End `link` now (inside the answer's transaction): False when it was already used or
    has expired meanwhile (a second click, a second tab)."""
    return one_time_links.spend(CallbackLink, link.pk)
