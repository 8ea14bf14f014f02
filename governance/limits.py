"""How often one client may do one costly thing: sign up, ask for a password reset, file a case.

Every limit counts in Django's cache (Redis in production, so every process shares the counts)
per *key kind*: the client's address, the signed-in account, the Open311 API key, the target of
a password reset. A request is refused when any of its counters passes its rate; the answer says
when to retry. Rates are settings (`RATE_LIMITS`, from the environment); sign-in failures are
counted by django-axes instead (see `citizens.signin`), keyed on the same `client_address`.

The client's address is the one function every limit, throttle and log uses: REMOTE_ADDR, or,
behind `TRUSTED_PROXY_COUNT` proxies, the address the outermost trusted proxy saw.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext

log = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The client's IP address, never taken from a header a client can forge.

    With `TRUSTED_PROXY_COUNT` = 0 (the default) X-Forwarded-For is ignored. With N trusted
    proxies in front, each appends the address it saw, so the Nth entry from the right is the
    one our outermost proxy saw; anything left of it is the client's to invent. (Django REST
    framework's `NUM_PROXIES` is set to the same number and picks the same entry.)
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies == 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",")]
    chosen = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(chosen))
    except ValueError:
        return remote


_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """(requests, seconds) of a rate such as `30/hour` (validated by `config.env.env_rate`)."""
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period]


@dataclass(frozen=True)
class Exceeded:
    """A refused request: which limit, and in how many seconds the client may try again."""

    scope: str
    retry_after: int

    @property
    def message(self) -> str:
        return wait_message(self.retry_after)


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def wait_message(seconds: int) -> str:
    minutes = _minutes(seconds)
    return ngettext(
        "Too many requests. Please try again in %(minutes)d minute.",
        "Too many requests. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_message(seconds: int) -> str:
    """What a sign-in locked out by django-axes (see `citizens.signin`) is told, on every path."""
    minutes = _minutes(seconds)
    return ngettext(
        "Too many failed sign-ins for this account or from this address. "
        "Please try again in %(minutes)d minute.",
        "Too many failed sign-ins for this account or from this address. "
        "Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _address_key(address: str) -> str:
    """One counter per IPv4 address, per /64 for IPv6 (what one household or host is given)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _count(name: str, seconds: int) -> tuple[int, int] | None:
    """Add one to the counter of this fixed window; (count, seconds left), None if the cache
    failed (the request is then let through: a cache fault never becomes a server error)."""
    now = int(time.time())
    window = now // seconds
    key = f"limit:{name}:{window}"
    try:
        if cache.add(key, 1, seconds + 5):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, seconds + 5)
                count = 1
    except Exception:
        log.warning("rate limit %s not counted: the cache failed", name, exc_info=True)
        return None
    return count, (window + 1) * seconds - now


def hit(scope: str, **keys: object) -> Exceeded | None:
    """Count one request of `scope` against each given key (kind=value; None skips it).

    Rates come from `settings.RATE_LIMITS[scope][kind]`; a kind without a rate is not counted.
    """
    if not settings.RATE_LIMITS_ENABLED:
        return None
    rates = settings.RATE_LIMITS[scope]
    waits = []
    for kind, value in keys.items():
        rate = rates.get(kind)
        if value is None or value == "" or rate is None:
            continue
        limit, seconds = parse_rate(rate)
        digest = hashlib.sha256(str(value).encode()).hexdigest()[:24]  # no e-mail in the cache
        counted = _count(f"{scope}:{kind}:{digest}", seconds)
        if counted is not None and counted[0] > limit:
            waits.append(counted[1])
    return Exceeded(scope=scope, retry_after=max(waits)) if waits else None


def hit_request(
    request: HttpRequest, scope: str, *, target: str | None = None, api_key: object = None
) -> Exceeded | None:
    """Count a request per address, per account when signed in, and per target or API key."""
    user = getattr(request, "user", None)
    account = user.pk if user is not None and user.is_authenticated else None
    return hit(
        scope,
        address=_address_key(client_address(request)),
        account=account,
        target=target.strip().lower() if target else None,
        api_key=api_key,
    )
