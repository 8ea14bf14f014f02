"""Who is on the other end of a WebSocket: a browser session (origin checked) or an API token.

Browsers authenticate with their session cookie; a cookie is sent by any page, so those
connections must come from the site's own origin — the same scheme, host AND port as the
connection itself (`same_origin`), or one listed in CSRF_TRUSTED_ORIGINS — so cross-site
WebSocket hijacking is refused, from another port of the same host too (channels'
AllowedHostsOriginValidator compared the host alone). Other systems send a REST framework
token, in the `Authorization: Token <key>` header or as `?token=<key>`; a token is no ambient
credential, so those connections need no Origin header. A token that does not match is
refused outright.
"""

from __future__ import annotations

from importlib import import_module
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def _origin(url: str) -> Origin | None:
    """(scheme, host, port) of an origin such as https://grid.example.org:8443."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _own_origin(scope: dict) -> Origin | None:
    """The origin a page of this site has when it opens this connection: the scheme (wss →
    https; a trusted proxy's X-Forwarded-Proto when SECURE_PROXY_SSL_HEADER is set) and the
    Host header's host and port."""
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = _header(scope, b"x-forwarded-proto")
        if forwarded:
            scheme = "https" if forwarded.split(",")[0].strip() == "https" else "http"
    host = _header(scope, b"host")
    if host is None:
        return None
    domain, port = split_domain_port(host.lower())
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return scheme, domain.strip("[]"), int(port) if port else DEFAULT_PORTS[scheme]


def same_origin(scope: dict) -> bool:
    """Whether a browser's Origin is this site's own (scheme, host and port) or trusted.

    Without a Host header (never from a real HTTP/1.1 client) the origin must name an allowed
    host on its scheme's default port.
    """
    origin = _origin(_header(scope, b"origin") or "")
    if origin is None:
        return False
    if origin in {_origin(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS}:
        return True
    own = _own_origin(scope)
    if own is not None:
        return origin[0] == own[0] and origin[1] == own[1].lower() and origin[2] == own[2]
    if _header(scope, b"host") is not None:
        return False  # a Host that is not allowed
    scheme, host, port = origin
    return port == DEFAULT_PORTS[scheme] and validate_host(host, settings.ALLOWED_HOSTS)


class SameOriginValidator:
    """ASGI middleware: a browser WebSocket from another origin is refused before it opens."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if not same_origin(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.inner(scope, receive, send)


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
    from governance.api_tokens import user_of_token

    return user_of_token(key)


# What a consumer keeps of the connection's scope: routing and the connection itself. Not the
# headers (the cookie among them), the parsed cookies or the session: they are read once, at the
# handshake, by `SessionOrTokenAuth`, and an open socket holds no copy of them.
SOCKET_SCOPE_KEYS = (
    "type",
    "asgi",
    "http_version",
    "scheme",
    "server",
    "client",
    "root_path",
    "path",
    "raw_path",
    "query_string",
    "subprotocols",
    "path_remaining",
    "url_route",
)


class _Session:
    """What `django.contrib.auth.get_user` reads of a request: its session."""

    def __init__(self, session) -> None:
        self.session = session


@database_sync_to_async
def person_for_session(session_key: str | None):
    """Who a browser's session is: its signed-in person (Django's checks: the backend, the
    session hash, an active account), the `CaseHolder` of requests it filed without an account,
    or anonymous."""
    from django.contrib.auth import get_user

    from governance.access import holder_or_user

    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return holder_or_user(get_user(_Session(session)), session)


def socket_scope(scope: dict, person) -> dict:
    """The scope a consumer gets: `SOCKET_SCOPE_KEYS` and the person, in a dict of its own
    (the consumer drops the person from it once subscribed, `consumers.LiveConsumer`)."""
    kept = {key: scope[key] for key in SOCKET_SCOPE_KEYS if key in scope}
    kept["user"] = person
    return kept


class SessionOrTokenAuth:
    """ASGI middleware around each consumer: token connections as their token's user, others by
    session + origin. It reads the session itself instead of Channels' cookie, session and
    auth middleware stack, which kept a copy of the scope per layer, the parsed cookies and the
    loaded session alive for as long as the socket stayed open."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        key = token_from(scope)
        if key is None:
            if not same_origin(scope):
                return await WebsocketDenier()(scope, receive, send)
            cookies = parse_cookie(_header(scope, b"cookie") or "")
            person = await person_for_session(cookies.get(settings.SESSION_COOKIE_NAME))
        else:
            person = await user_for_token(key)
            if person is None:
                return await WebsocketDenier()(scope, receive, send)
        return await self.inner(socket_scope(scope, person), receive, send)
