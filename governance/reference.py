"""Per-process copies of reference data that every filed case and every staff page reads and
that almost never changes: the categories (by code, and as the choice lists of filters and
selects), their extra questions and the departments here, the working calendar in
`working_time`.

Kept as `governance.versioned.VersionedCopy`s, as the grid index is. The choice lists only
offer choices: a chosen category is looked up again, so a stale list never grants anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import get_language

from governance.models import Category, Department, Question
from governance.versioned import VersionedCopy


def _load_questions(_version: str) -> dict[int, list[Question]]:
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


def _load_categories(_version: str) -> dict[str, Category]:
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


def _load_departments(_version: str) -> list[Choice]:
    return [Choice(*row) for row in Department.objects.values_list("pk", "code", "name", "name_en")]


departments_copy: VersionedCopy[list[Choice]] = VersionedCopy(
    "reference:departments-version", _load_departments
)


def departments() -> list[Choice]:
    """Every department, in the model's order, as choices."""
    return departments_copy.get()
