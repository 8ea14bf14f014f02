"""The category and department lists of filters and selects, cached across requests.

Every staff page lists them, and an administrator changes them rarely. A change saved through
the models (the admin, the API, seeding with save()) drops them from the cache at once (see
`governance.signals`); one that bypasses the models (a bulk update) shows within
`CACHE_SECONDS`. They only offer choices: a chosen category is looked up again, so a stale list
never grants anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import get_language

CACHE_SECONDS = 300
KEYS = {"category": "reference:categories:v1", "department": "reference:departments:v1"}


@dataclass(frozen=True)
class Choice:
    pk: int
    code: str
    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        """The name in the current language (English when chosen and known), as the models."""
        language = get_language() or "zh-hans"
        return self.name_en if language.startswith("en") and self.name_en else self.name


def _listed(kind: str, model) -> list[Choice]:
    rows = cache.get(KEYS[kind])
    if rows is None:
        rows = list(model.objects.values_list("pk", "code", "name", "name_en"))
        cache.set(KEYS[kind], rows, CACHE_SECONDS)
    return [Choice(*row) for row in rows]


def categories() -> list[Choice]:
    from governance.models import Category

    return _listed("category", Category)


def departments() -> list[Choice]:
    from governance.models import Department

    return _listed("department", Department)


def forget(kind: str) -> None:
    cache.delete(KEYS[kind])
