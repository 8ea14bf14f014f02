"""Sessions kept in the database and read from Redis: no query for the session per request.

Django's cached-database engine, with its cache being `caching.shared`: a session is written to
the database and to Redis, read from Redis, and from the database when Redis does not have it.
While Redis is away every read goes to the database (never to one process's memory, where a
session signed out through another process could live on); a session deleted meanwhile is
deleted from Redis when it answers again. Signing out, a new password (the session's hash no
longer matches) and expiry behave as with the plain database engine: the database stays the
truth, and the copy in Redis expires with the session.
"""

from __future__ import annotations

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbStore

from governance import caching

KEY_PREFIX = "session."


class SessionStore(CachedDbStore):
    cache_key_prefix = KEY_PREFIX

    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache = caching.shared
