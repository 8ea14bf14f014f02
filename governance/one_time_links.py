"""One-time links: a secret handed to one person (by e-mail or SMS) that opens one thing once.

The token is 32 random bytes (URL-safe); only its SHA-256 is stored, in a row of the link's own
model with `token_hash`, `created_at`, `expires_at` and `used_at`. Looking a token up never
ends the link (a mail scanner fetching it spends nothing); using it does, with a conditional
UPDATE, so two clicks or two tabs cannot both use it. The token itself is never stored or
logged. The reporter's links (`citizens.reporter_links`) and the satisfaction callback's
(`evaluation.callback.links`) are such links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TypeVar

from django.db.models import Model

from governance import clock

MAX_TOKEN_LENGTH = 100  # a longer "token" is never ours: not even hashed

Link = TypeVar("Link", bound=Model)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new(days: int) -> tuple[str, dict[str, object]]:
    """A fresh token, and the fields of its row: its hash, now, and its expiry in `days`."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    fields = {
        "token_hash": digest(token),
        "created_at": now,
        "expires_at": now + timedelta(days=days),
    }
    return token, fields


def find(model: type[Link], token: str, *related: str) -> Link | None:
    """The row of `token` (with `related` joined), or None for an unknown or malformed one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return model._default_manager.filter(token_hash=digest(token)).select_related(*related).first()


def spend(model: type[Model], pk: int, *, now: datetime | None = None) -> bool:
    """End the link now: False when it was used or expired meanwhile (nothing changes)."""
    now = now or clock.now()
    return bool(
        model._default_manager.filter(pk=pk, used_at__isnull=True, expires_at__gt=now).update(
            used_at=now
        )
    )
