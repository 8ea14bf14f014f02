"""The domain's notion of "now", which seeds and tests can move (a context variable)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("governance_now", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def travel(moment: datetime) -> Iterator[None]:
    """Run the enclosed domain actions as if it were `moment` (for seeds and tests)."""
    if timezone.is_naive(moment):
        raise ValueError("travel() needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
