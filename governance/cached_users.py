"""The signed-in person read from Redis: no query for the account on each request.

Every request of a signed-in browser loads its account by the id its session holds, to check
that the session still matches the password (Django's session hash) and that the account is
still active. The account's row is kept in the shared cache (`governance.caching.shared`:
Redis, or nothing while it is away), without the password hash: the copy carries the session
hash made from it instead, which is what the session itself holds. A copy has the password
deferred, so the rare page that needs it (a password change) reads it then.

Any save or deletion of an account deletes its copy (at once and again after commit, so a
request that read the row before the commit cannot leave an old copy behind for long); a
change made without signals (`QuerySet.update`) calls `forget_user`. Copies also expire after
`TIMEOUT` seconds, which bounds what a write that bypassed both could leave behind.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from governance import caching

TIMEOUT = 300
PASSWORD = "password"


def _key(pk: Any) -> str:
    return f"user.{pk}"


def _fields() -> list[str]:
    return [f.attname for f in get_user_model()._meta.concrete_fields if f.attname != PASSWORD]


def _copy(user) -> dict[str, Any]:
    return {
        "values": [getattr(user, name) for name in _fields()],
        "session_hash": user.get_session_auth_hash(),
    }


def _from_copy(copy: dict[str, Any]):
    model = get_user_model()
    user = model.from_db("default", _fields(), copy["values"])  # the password deferred
    user.cached_session_hash = copy["session_hash"]
    return user


def cached_user(user_id: Any):
    """The account with id `user_id` (as a session holds it), or None when there is none."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    copy = caching.shared.get(_key(pk))
    if copy is not None and len(copy.get("values", ())) == len(_fields()):
        return _from_copy(copy)
    user = model._default_manager.filter(pk=pk).first()
    if user is not None:
        caching.shared.set(_key(pk), _copy(user), TIMEOUT)
    return user


def remember_user(user) -> None:
    """Keep the account just read from the database (with its password) as `cached_user`
    would have: the next request finds it in the cache."""
    caching.shared.set(_key(user.pk), _copy(user), TIMEOUT)


def forget_user(pk: Any) -> None:
    """Drop the account's copy, now and once the current transaction commits."""
    caching.shared.delete(_key(pk))
    transaction.on_commit(lambda: caching.shared.delete(_key(pk)))


def user_changed(sender, instance, **kwargs) -> None:
    """Signal receiver (post_save, post_delete on the user model)."""
    if instance.pk is not None:
        forget_user(instance.pk)
