"""One-time links that open a request filed without an account in its reporter's browser.

A link is sent only to the contact the reporter left (e-mail or SMS): whoever holds it is
taken to be that reporter. It is a one-time link (`governance.one_time_links`) bound to the
case, valid `REPORTER_LINK_DAYS`. Using it ends it and the use is logged; a used or expired
link offers a fresh one, sent to the same contact.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from citizens.models import ReporterLink
from governance import clock, one_time_links
from governance.models import Case

logger = logging.getLogger(__name__)


def issue(*, case: Case, channel: str) -> str:
    """A new link token for `case`'s reporter, sent through `channel` (email / sms)."""
    token, fields = one_time_links.new(settings.REPORTER_LINK_DAYS)
    ReporterLink.objects.create(case=case, channel=channel, **fields)
    return token


@dataclass(frozen=True)
class LinkState:
    """What a token is: unknown (`link` None), usable, or used/expired (`usable` False)."""

    link: ReporterLink | None
    usable: bool


def state(token: str) -> LinkState:
    """The link of `token` (the token itself is never stored or logged)."""
    link = one_time_links.find(ReporterLink, token, "case")
    if link is None:
        return LinkState(None, usable=False)
    usable = (
        link.used_at is None and link.expires_at > clock.now() and link.case.reporter_id is None
    )
    return LinkState(link, usable=usable)


def redeem(*, token: str, address: str = "") -> Case | None:
    """Use the link of `token` once: its case, or None when it is unknown, used or expired.

    Logged with the link's row (its use time) and the log (the case and the client's address).
    """
    found = state(token)
    if found.link is None or not found.usable:
        return None
    if not one_time_links.spend(ReporterLink, found.link.pk):
        return None
    logger.info(
        "reporter link %s used for case %s from %s",
        found.link.pk,
        found.link.case.tracking_id,
        address,
    )
    return found.link.case
