"""Who is on the other end of a WebSocket: a browser session (origin checked) or an API token.

Browsers authenticate with their session cookie; a cookie is sent by any page, so those
connections must come from an allowed origin (AllowedHostsOriginValidator) — cross-site
WebSocket hijacking is refused. Other systems send a REST framework token, in the
`Authorization: Token <key>` header or as `?token=<key>`; a token is no ambient credential, so
those connections need no Origin header. A token that does not match is refused outright.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator, WebsocketDenier


def token_from(scope: dict) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _space, key = value.decode("latin1").partition(" ")
            if scheme.lower() == "token" and key.strip():
                return key.strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    keys = query.get("token")
    return keys[0] if keys and keys[0] else None


@database_sync_to_async
def user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class SessionOrTokenAuth:
    """ASGI middleware: token connections as their token's user, others by session + origin."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.browser = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope, receive, send):
        key = token_from(scope)
        if key is None:
            return await self.browser(scope, receive, send)
        user = await user_for_token(key)
        if user is None:
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(dict(scope, user=user), receive, send)
