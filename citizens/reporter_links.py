"""One-time links that open a request filed without an account in its reporter's browser.

A link is sent only to the contact the reporter left (e-mail or SMS): whoever holds it is
taken to be that reporter. Its token is 32 random bytes; only its SHA-256 is stored, with the
case it is bound to and an expiry (`REPORTER_LINK_DAYS`). Using it ends it (a conditional
UPDATE, so two clicks cannot both use it) and the use is logged; a used or expired link offers
a fresh one, sent to the same contact.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from citizens.models import ReporterLink
from governance import clock
from governance.models import Case

logger = logging.getLogger(__name__)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(*, case: Case, channel: str) -> str:
    """A new link token for `case`'s reporter, sent through `channel` (email / sms)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    ReporterLink.objects.create(
        case=case,
        token_hash=_digest(token),
        channel=channel,
        created_at=now,
        expires_at=now + timedelta(days=settings.REPORTER_LINK_DAYS),
    )
    return token


@dataclass(frozen=True)
class LinkState:
    """What a token is: unknown (`link` None), usable, or used/expired (`usable` False)."""

    link: ReporterLink | None
    usable: bool


def state(token: str) -> LinkState:
    """The link of `token` (the token itself is never stored or logged)."""
    if not token or len(token) > 100:
        return LinkState(None, usable=False)
    link = ReporterLink.objects.filter(token_hash=_digest(token)).select_related("case").first()
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
    now = clock.now()
    used = ReporterLink.objects.filter(
        pk=found.link.pk, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if not used:
        return None
    logger.info(
        "reporter link %s used for case %s from %s",
        found.link.pk,
        found.link.case.tracking_id,
        address,
    )
    return found.link.case
