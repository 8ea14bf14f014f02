"""Per-process copies of reference data that every filed case and every staff page reads and
that almost never changes: the categories (by code, and as the choice lists of filters and
selects), their extra questions and the departments here, the working calendar in
`working_time`.

The same scheme as the grid index (`governance.routing`): saving or deleting a row drops this
process's copy now and, once committed, bumps a random version token in the shared cache (see
`governance.signals`); each process compares its copy with that token at most once every
GRID_INDEX_CHECK_SECONDS and reloads when it changed. A copy is also reloaded after MAX_AGE
seconds, so a change made without signals (a bulk insert, an update in the database shell)
shows within minutes. The choice lists only offer choices: a chosen category is looked up
again, so a stale list never grants anything.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from governance.models import Category, Department, Question

T = TypeVar("T")

MAX_AGE = 300.0


class VersionedCopy(Generic[T]):
    """One process's copy of `load()`, valid while the shared version token is unchanged."""

    def __init__(self, key: str, load: Callable[[], T]) -> None:
        self.key = key
        self.load = load
        self.value: T | None = None
        self.version: str | None = None
        self.loaded_at = 0.0
        self.checked_at = 0.0
        self.lock = threading.Lock()

    def get(self) -> T:
        now = time.monotonic()
        interval = settings.GOVERNANCE["GRID_INDEX_CHECK_SECONDS"]
        value = self.value
        fresh = now - self.checked_at < interval and now - self.loaded_at < MAX_AGE
        if value is not None and fresh:
            return value
        with self.lock:
            version = cache.get_or_set(self.key, _new_token, timeout=None)
            if self.value is None or self.version != version or now - self.loaded_at >= MAX_AGE:
                self.value = self.load()
                self.version = version
                self.loaded_at = now
            self.checked_at = now
            return self.value

    def invalidate(self) -> None:
        with self.lock:
            self.value = None
            self.checked_at = 0.0

    def changed(self) -> None:
        """Rows changed: drop this process's copy now, and tell the others once committed."""
        self.invalidate()
        transaction.on_commit(self._bump)

    def _bump(self) -> None:
        cache.set(self.key, _new_token(), timeout=None)
        self.invalidate()


def _new_token() -> str:
    return secrets.token_hex(8)


def _load_questions() -> dict[int, list[Question]]:
    by_category: dict[int, list[Question]] = defaultdict(list)
    for question in Question.objects.all():  # in the model's order, as category.questions
        by_category[question.category_id].append(question)
    return dict(by_category)


questions_copy: VersionedCopy[dict[int, list[Question]]] = VersionedCopy(
    "reference:questions-version", _load_questions
)


def questions_of(category_id: int) -> list[Question]:
    """The category's extra questions, in order (shared objects: do not modify them)."""
    return questions_copy.get().get(category_id, [])


def _load_categories() -> dict[str, Category]:
    return {category.code: category for category in Category.objects.all()}


categories_copy: VersionedCopy[dict[str, Category]] = VersionedCopy(
    "reference:categories-version", _load_categories
)


def active_category(code: str) -> Category | None:
    """The active category with this code, or None (a shared object: do not modify it)."""
    category = categories_copy.get().get(code)
    return category if category is not None and category.active else None


@dataclass(frozen=True)
class Choice:
    """A category or department as a filter or select offers it."""

    pk: int
    code: str
    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        """The name in the current language (English when chosen and known), as the models."""
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") and self.name_en else self.name


def categories() -> list[Choice]:
    """Every category, in the model's order, as choices."""
    return [Choice(c.pk, c.code, c.name, c.name_en) for c in categories_copy.get().values()]


def _load_departments() -> list[Choice]:
    return [Choice(*row) for row in Department.objects.values_list("pk", "code", "name", "name_en")]


departments_copy: VersionedCopy[list[Choice]] = VersionedCopy(
    "reference:departments-version", _load_departments
)


def departments() -> list[Choice]:
    """Every department, in the model's order, as choices."""
    return departments_copy.get()
