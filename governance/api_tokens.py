"""API tokens read from the shared cache: no query for the token and its account per call.

DRF's token authentication reads the token with its account on every request. Here the
token's account id is kept in the shared cache (`governance.caching.shared`: Redis, or nothing
while it is away) under the token's SHA-256 — never the token itself — and the account comes
from `governance.cached_users`, the same copy a signed-in browser uses. Deleting a token (signing
out, a revocation in the admin) drops its entry at once and again after commit; an entry also
expires after TIMEOUT seconds. Used by the REST API (`CachedTokenAuthentication`) and by the
sockets' handshake (`governance.realtime.auth`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from governance import caching
from governance.cached_users import cached_user, remember_user

TIMEOUT = 300


def _key(token: str) -> str:
    return "token." + hashlib.sha256(token.encode()).hexdigest()


def user_of_token(token: str) -> Any | None:
    """The active account the API token belongs to, or None."""
    if not token or len(token) > 100:
        return None
    user_id = caching.shared.get(_key(token))
    if user_id is not None:
        user = cached_user(user_id)
    else:  # the token with its account in one query, as DRF reads it; both kept for next time
        found = Token.objects.select_related("user").filter(key=token).first()
        if found is None:
            return None
        user = found.user
        caching.shared.set(_key(token), user.pk, TIMEOUT)
        remember_user(user)
    return user if user is not None and user.is_active else None


def forget_token(token: str) -> None:
    caching.shared.delete(_key(token))
    transaction.on_commit(lambda: caching.shared.delete(_key(token)))


def token_deleted(sender, instance, **kwargs) -> None:
    """Signal receiver (post_delete on Token)."""
    forget_token(instance.key)


class CachedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, answered from the cache (`user_of_token`)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user = user_of_token(key)
        if user is None:
            raise AuthenticationFailed(_("Invalid token."))
        return user, Token(key=key, user_id=user.pk)
