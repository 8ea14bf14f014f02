"""Wording that follows the reader's language: how a list is joined."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import pgettext


def join_list(items: Iterable[str]) -> str:
    """The items joined the active language's way: "a, b" in English, "a、b" in Chinese."""
    # Translators: what joins the items of a list ("、" in Chinese).
    return pgettext("list separator", ", ").join(str(item) for item in items)
