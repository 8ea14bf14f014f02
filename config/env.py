"""Typed readers for settings that come from the environment.

Each reader fails loudly, naming the variable, when a value is present but malformed; an unset
variable takes the development default given by the caller.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    value = (environ if environ is not None else os.environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def _fail(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Environment variable {name}={value!r} is malformed: {expected}")


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _fail(name, value, "expected one of true/false, yes/no, on/off, 1/0")


def env_int(
    name: str, default: int, *, minimum: int | None = None, environ: Mapping[str, str] | None = None
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(name, value, "expected a whole number") from None
    if minimum is not None and number < minimum:
        raise _fail(name, value, f"expected a number of at least {minimum}")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise _fail(name, value, "expected a comma-separated list without empty items")
    return items


def env_timezone(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(name, value, "expected an IANA time zone such as Asia/Shanghai") from None
    return value


def _sqlite(path: Path) -> dict[str, object]:
    """A SQLite file that several threads share safely: the server's request threads, the
    in-process scheduler and, in tests, the live server. WAL lets readers go on while one
    writer commits; a writer that finds the file busy waits up to 20 s instead of failing.
    Tests get a file of their own beside it (never the shared-cache in-memory database,
    whose table locks fail at once instead of waiting)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        "TEST": {"NAME": str(path.with_name(f"test-{path.name}"))},
    }


def env_database(
    name: str,
    sqlite_path: Path,
    *,
    pool_size: int = 10,
    environ: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """`postgres://user:pass@host:port/db?sslmode=…` or `sqlite:///path`; unset → SQLite.

    PostgreSQL connections come from a psycopg pool of at most `pool_size` per process
    (0: a fresh connection per request). Not `CONN_MAX_AGE`: under ASGI every request runs its
    database work in a thread of its own, so persistent connections pile up, one per thread,
    until the server refuses new clients.
    """
    value = _raw(name, environ)
    if value is None:
        return _sqlite(sqlite_path)
    parts = urlsplit(value)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path → "relative/path"; sqlite:////absolute/path → "/absolute/path"
        path = unquote(parts.path[1:]) if parts.netloc == "" else ""
        if not path:
            raise _fail(name, value, "expected sqlite:///relative/path or sqlite:////absolute/path")
        return _sqlite(Path(path))
    if parts.scheme not in {"postgres", "postgresql"}:
        raise _fail(name, value, "expected a postgresql:// or sqlite:/// URL")
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise _fail(name, value, "expected postgresql://user@host:port/database")
    try:
        port = parts.port
    except ValueError:
        raise _fail(name, value, "the port is not a number") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": database,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port or ""),
        "CONN_MAX_AGE": 0,
        # With a pool, Django turns this into the pool's check of a connection as it leaves
        # the pool: a database restart costs a reconnect, never a failed request.
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {**dict(parse_qsl(parts.query)), **_pool(pool_size)},
    }


def _pool(size: int) -> dict[str, object]:
    if size == 0:
        return {}
    return {"pool": {"min_size": 1, "max_size": size, "timeout": 10}}


def _service_url(
    name: str, environ: Mapping[str, str] | None, schemes: set[str], shape: str
) -> str | None:
    """A service's URL with one of `schemes`, a host and (if any) a numeric port, or unset."""
    value = _raw(name, environ)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.hostname:
        raise _fail(name, value, f"expected {shape}")
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise _fail(name, value, "the port is not a number") from None
    return value


def env_redis_url(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    return _service_url(name, environ, {"redis", "rediss"}, "redis://host:port/db")


def env_mqtt_url(name: str, *, environ: Mapping[str, str] | None = None) -> str | None:
    """An MQTT broker: mqtt://[user:password@]host[:port] (mqtts:// for TLS), or unset."""
    return _service_url(name, environ, {"mqtt", "mqtts"}, "mqtt://host:port")


def env_site_url(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    """The site's own address (scheme and host, an optional path prefix), for the links that
    leave the site in e-mails and SMS: no query, no fragment, no trailing slash."""
    value = (_raw(name, environ) or default).rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise _fail(name, value, "expected the site's address, such as https://grid.example.org")
    try:
        parts.port  # noqa: B018 - raises on a non-numeric port
    except ValueError:
        raise _fail(name, value, "the port is not a number") from None
    return value


_RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def env_rate(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    """A request rate such as `30/hour`: a whole number, a slash, second/minute/hour/day."""
    value = _raw(name, environ) or default
    count, _slash, period = value.partition("/")
    if not count.isascii() or not count.isdigit() or period not in _RATE_PERIODS:
        raise _fail(name, value, "expected a rate such as 30/hour (per second, minute, hour, day)")
    return value
