"""The header's unread count, per person, kept in the cache until it changes.

Every page a signed-in person opens shows it; counting it there cost a query per request. It is
forgotten whenever one of the person's notifications is written or read (`forget`), and kept
at most `KEEP` seconds in case a change slipped past (a row deleted by hand).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

from notifications.models import Notification

KEEP = 300


def _key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def count(user_id: int) -> int:
    cached = cache.get(_key(user_id))
    if cached is not None:
        return int(cached)
    value = Notification.objects.filter(user_id=user_id, in_app=True, read_at__isnull=True).count()
    cache.set(_key(user_id), value, KEEP)
    return value


def forget(user_ids: Iterable[int]) -> None:
    """The counts of these people changed: the next page counts again."""
    keys = [_key(user_id) for user_id in user_ids]
    if keys:
        cache.delete_many(keys)
