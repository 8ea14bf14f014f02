"""A person's saved queue filters, read from the shared cache: no query on each queue page.

The chips above the work queue list the person's own saved filters on every visit, and they
change only when the person saves or deletes one. The list is kept in `caching.shared` (Redis,
or nothing while it is away) per person and deleted whenever one of their filters is saved or
deleted (`governance.signals`, at once and again after commit).
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction

from governance import caching
from governance.models import SavedFilter

TIMEOUT = 3600


class Saved(NamedTuple):
    pk: int
    name: str
    query: str


def _key(owner_id: int) -> str:
    return f"saved_filters.{owner_id}"


def saved_filters(owner_id: int) -> list[Saved]:
    """The person's saved filters, by name."""
    cached = caching.shared.get(_key(owner_id))
    if cached is not None:
        return [Saved(*row) for row in cached]
    rows = list(
        SavedFilter.objects.filter(owner_id=owner_id)
        .order_by("name", "pk")
        .values_list("pk", "name", "query")
    )
    caching.shared.set(_key(owner_id), rows, TIMEOUT)
    return [Saved(*row) for row in rows]


def forget_saved_filters(owner_id: int) -> None:
    caching.shared.delete(_key(owner_id))
    transaction.on_commit(lambda: caching.shared.delete(_key(owner_id)))
