"""Rates contributed by the apps above evaluation (a registry filled from their ready()).

Evaluation is a lower layer than the apps whose facts some rates stand on — a grid officer's
"patrol duty met" comes from grid work's patrols and visits — so it never imports them: an app
registers a function giving a person's rate over a period (a share from 0 to 1, or None when
there is nothing to count) with the words saying how it was counted, and the person's score
weighs it like any other rate (`Policy.weights["person"]`; a None rate is left out and the
other weights scaled to 100, as for every rate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractUser

from evaluation.periods import Period

RateFunction = Callable[[AbstractUser, Period, datetime], float | None]
WordsFunction = Callable[[AbstractUser, Period, datetime], str]


@dataclass(frozen=True)
class PersonRate:
    name: str
    rate: RateFunction
    how_counted: WordsFunction


_person_rates: dict[str, PersonRate] = {}


def register_person_rate(name: str, *, rate: RateFunction, how_counted: WordsFunction) -> None:
    """Contribute the rate `name` (one of `evaluation.models.policy.SCORED_RATES`) to every
    person's figures; registering the same name again replaces it."""
    _person_rates[name] = PersonRate(name, rate, how_counted)


def unregister_person_rate(name: str) -> None:
    _person_rates.pop(name, None)


def registered() -> tuple[str, ...]:
    return tuple(_person_rates)


def person_rates(person: AbstractUser, period: Period, as_of: datetime) -> dict[str, float | None]:
    """Every contributed rate of `person` over `period`, counted as of `as_of`."""
    rates: dict[str, float | None] = {}
    for name, contributed in _person_rates.items():
        value = contributed.rate(person, period, as_of)
        rates[name] = None if value is None else max(0.0, min(1.0, float(value)))
    return rates


def person_words(person: AbstractUser, period: Period, as_of: datetime) -> dict[str, str]:
    return {
        name: contributed.how_counted(person, period, as_of)
        for name, contributed in _person_rates.items()
    }
