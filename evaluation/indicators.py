"""Indicators: counts, rates, scores and grades of a scope over a period.

Every figure is a sum over obligations (`evaluation.models.Obligation`) that **start** in the
period, their outcomes counted as of the moment of evaluation; names and definitions are the
reference's (`reference/evaluation.md`). A rate whose denominator is 0 is `None`.

Public functions (what the API, the reports and the cockpit call):

- `Period`, `parse_period(value | start=, end=)`, `Period.previous()` (环比),
  `Period.last_year()` (同比) — see `evaluation.periods`.
- `Scope.for_area(area)`, `Scope.for_department(department)`, `Scope.for_person(user)`: what is
  evaluated; `scope.family` picks the weights (area, department, person).
- `evaluate(scope, period, *, as_of=None, compare=True) -> Evaluation`: counts, rates, score,
  grade (None when the sample is below the minimum: "not graded"), `how_counted` per figure,
  and the same for the previous period and the same period last year.
- `rank_children(area, period) -> list[Ranked]`: the areas one level down, best score first
  (scoreless last), each with its evaluation; one query for all of them.
- `rank_departments(period, *, within=None) -> list[Ranked]`: departments, optionally only
  their obligations under an area.
- `series(scope, start, end, step) -> list[Point]`: the figures per day, week or month.
- `by_category(scope, period) -> list[CategoryFigures]`: the figures per case category.
- `cases_behind(scope, period, figure) -> Q`: the cases behind a number — for a count, the
  cases it counts; for a rate, the cases that cost it (in the denominator, not the numerator).
  Apply it to `governance.access.cases_for(user, ...)`: who sees which case stays decided there.
- `open_obligations(scope, *, now=None, limit=200) -> list[OpenObligation]`: what is owed now,
  with the share of its working time used and its colour (`colour_for`: green below 80 %,
  yellow 80 % to 100 %, red over), and the moment it turns yellow (`yellow_at`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr, TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.contributed import person_rates, person_words
from evaluation.models import Kind, Obligation, Outcome, Policy
from evaluation.periods import (
    DAY,
    MONTH,
    WEEK,
    Period,
    PeriodError,
    parse_period,
    period_of,
)
from governance import clock
from governance.models import Area, Category, Department
from governance.models.area import CODE_LENGTH, Level
from governance.paths import at_or_beneath
from governance.working_time import after_working_hours, working_hours_between

__all__ = [
    "COUNT_NAMES",
    "RATE_NAMES",
    "Evaluation",
    "OpenObligation",
    "Period",
    "PeriodError",
    "Ranked",
    "Scope",
    "by_category",
    "cases_behind",
    "colour_for",
    "evaluate",
    "grade_for",
    "open_obligations",
    "parse_period",
    "rank_children",
    "rank_departments",
    "score_for",
    "series",
    "time_used",
    "yellow_from",
]

IN, H, V, C = Kind.INTAKE, Kind.HANDLING, Kind.VERIFICATION, Kind.CLOSING
NOT_CANCELLED = ~Q(outcome=Outcome.CANCELLED)
ANSWERED = Q(callback_satisfied__isnull=False) | Q(callback_resolved__isnull=False)

# Each raw count: the obligations it sums (its condition), before the scope's own filter.
# `reported` counts every intake (every case submitted); other counts leave cancelled ones out.
RAW: dict[str, Q] = {
    "reported": Q(kind=IN),
    "intake": Q(kind=IN) & NOT_CANCELLED,
    "filed": Q(kind=IN, outcome=Outcome.FILED),
    "filed_on_time": Q(kind=IN, on_time=True) & NOT_CANCELLED,
    "dispatched": Q(kind=H) & NOT_CANCELLED,
    "resolved": Q(kind=H, outcome=Outcome.RESOLVED),
    "resolved_on_time": Q(kind=H, outcome=Outcome.RESOLVED, on_time=True),
    "reworked": Q(kind=H, reworked=True),
    "to_close": Q(kind=C) & NOT_CANCELLED,
    "closed": Q(kind=C, outcome=Outcome.CLOSED),
    "closed_on_time": Q(kind=C, outcome=Outcome.CLOSED, on_time=True),
    "verifications": Q(kind=V) & NOT_CANCELLED,
    "verified_on_time": Q(kind=V, on_time=True) & NOT_CANCELLED,
    "rated": Q(kind=C) & NOT_CANCELLED & (Q(rating__isnull=False) | ANSWERED),
    "satisfied": Q(kind=C) & NOT_CANCELLED & (Q(rating__gte=4) | Q(callback_satisfied=True)),
    "callback_answers": Q(kind=C, callback_resolved__isnull=False) & NOT_CANCELLED,
    "callback_resolved": Q(kind=C, callback_resolved=True) & NOT_CANCELLED,
    "patrol_intake_done": Q(
        kind=IN, channel="patrol", outcome__in=[Outcome.FILED, Outcome.REJECTED, Outcome.MERGED]
    ),
    "patrol_filed": Q(kind=IN, channel="patrol", outcome=Outcome.FILED),
    "obligations": NOT_CANCELLED,
}
# Counts whose outcome happens after the start: "as of" a past moment they need it by then.
FULFILLED_COUNTS = frozenset(
    {
        "filed",
        "filed_on_time",
        "resolved",
        "resolved_on_time",
        "closed",
        "closed_on_time",
        "verified_on_time",
        "patrol_intake_done",
        "patrol_filed",
    }
)
# The counts the API shows (the reference's names), and the rates: numerator, denominator.
COUNT_NAMES = (
    "reported",
    "filed",
    "dispatched",
    "resolved",
    "resolved_on_time",
    "to_close",
    "closed",
    "closed_on_time",
    "reworked",
    "overdue_open",
    "rated",
    "satisfied",
)
RATES: dict[str, tuple[str, str]] = {
    "filed_on_time_rate": ("filed_on_time", "intake"),
    "handling_rate": ("resolved", "dispatched"),
    "on_time_handling_rate": ("resolved_on_time", "dispatched"),
    "closing_rate": ("closed", "to_close"),
    "on_time_closing_rate": ("closed_on_time", "to_close"),
    "rework_rate": ("reworked", "resolved"),
    "verified_on_time_rate": ("verified_on_time", "verifications"),
    "valid_report_rate": ("patrol_filed", "patrol_intake_done"),
    "satisfaction_rate": ("satisfied", "rated"),
    "resolution_rate": ("callback_resolved", "callback_answers"),
}
RATE_NAMES = tuple(RATES)

# How each raw count is counted, in words (shown with every figure).
COUNTED = {
    "reported": gettext_lazy("cases submitted in the period"),
    "intake": gettext_lazy("intake obligations (cases submitted, not withdrawn before intake)"),
    "filed": gettext_lazy("intake obligations fulfilled by filing"),
    "filed_on_time": gettext_lazy(
        "intake obligations filed, rejected or merged within the intake limit"
    ),
    "dispatched": gettext_lazy("handling obligations (one per dispatch) starting in the period"),
    "resolved": gettext_lazy("handling obligations resolved before any later dispatch"),
    "resolved_on_time": gettext_lazy(
        "handling obligations resolved at or before the due time the dispatch set"
    ),
    "reworked": gettext_lazy("handling obligations whose resolution was sent back for rework"),
    "to_close": gettext_lazy("closing obligations (cases first dispatched in the period)"),
    "closed": gettext_lazy("closing obligations fulfilled by closing"),
    "closed_on_time": gettext_lazy(
        "closing obligations closed at or before the first dispatch's due time"
    ),
    "verifications": gettext_lazy("verification obligations (one per resolution)"),
    "verified_on_time": gettext_lazy(
        "verification obligations closed or sent back within the verification limit"
    ),
    "rated": gettext_lazy("cases of the closing obligations with a rating or a callback answer"),
    "satisfied": gettext_lazy("of those, rated 4 or 5 or answered satisfied"),
    "callback_answers": gettext_lazy("callback answers"),
    "callback_resolved": gettext_lazy("callback answers saying it was resolved"),
    "patrol_intake_done": gettext_lazy("patrol reports whose intake is done"),
    "patrol_filed": gettext_lazy("patrol reports filed"),
    "overdue_open": gettext_lazy("handling obligations still open and past their due time now"),
    "obligations": gettext_lazy("obligations of every kind (the sample for grading)"),
}


# ---------------------------------------------------------------------------------------------
# Scope


@dataclass(frozen=True)
class Scope:
    """What is evaluated: an area's subtree, a department, or a person."""

    kind: str  # "area" | "department" | "person"
    area: Area | None = None
    department: Department | None = None
    person: AbstractUser | None = None
    # A person's grids where they verify (the grid's officers own its verifications).
    verify_paths: tuple[str, ...] = ()

    @classmethod
    def for_area(cls, area: Area) -> Scope:
        return cls("area", area=area)

    @classmethod
    def for_department(cls, department: Department) -> Scope:
        return cls("department", department=department)

    @classmethod
    def for_person(cls, person: AbstractUser) -> Scope:
        from governance.scope import read_scope

        return cls(
            "person",
            person=person,
            verify_paths=tuple(read_scope(person).paths.get("verify_cases", ())),
        )

    @property
    def family(self) -> str:
        return self.kind

    def where(self) -> Q:
        """The obligations of the scope (whatever their period)."""
        if self.kind == "area":
            assert self.area is not None
            return at_or_beneath(self.area.path)
        if self.kind == "department":
            assert self.department is not None
            return Q(department_id=self.department.pk)
        assert self.person is not None
        return self.owned() | self.reports()

    def owned(self) -> Q:
        """A person's own obligations: named, fulfilled, or verifications of their grids."""
        assert self.person is not None
        pk = self.person.pk
        mine = Q(person_id=pk) | Q(fulfilled_by_id=pk)
        for path in self.verify_paths:
            mine |= Q(kind=V) & at_or_beneath(path)
        return mine

    def reports(self) -> Q:
        assert self.person is not None
        return Q(kind=IN, reporter_id=self.person.pk, channel="patrol")

    def condition(self, count: str) -> Q:
        """Within `where()`: the part a count reads (a person's patrol counts read only their
        own reports; everything else only what they owned or fulfilled)."""
        if self.kind != "person":
            return Q()
        return self.reports() if count.startswith("patrol_") else self.owned()

    def as_dict(self) -> dict[str, Any]:
        if self.kind == "area":
            assert self.area is not None
            return {
                "kind": "area",
                "code": self.area.code,
                "name": self.area.display_name,
                "level": Level(self.area.level).name.lower(),
            }
        if self.kind == "department":
            assert self.department is not None
            return {
                "kind": "department",
                "code": self.department.code,
                "name": self.department.display_name,
            }
        assert self.person is not None
        return {
            "kind": "person",
            "username": self.person.get_username(),
            "name": self.person.get_full_name() or self.person.get_username(),
        }


# ---------------------------------------------------------------------------------------------
# Counting


def _aggregates(scope: Scope, as_of: datetime, *, past: bool) -> dict[str, Count]:
    """One `Count(filter=…)` per raw count, and `overdue_open`."""
    result = {}
    for name, condition in RAW.items():
        condition = condition & scope.condition(name)
        if past and name in FULFILLED_COUNTS:
            condition &= Q(fulfilled_at__lte=as_of)
        result[name] = Count("pk", filter=condition)
    result["overdue_open"] = Count(
        "pk",
        filter=Q(kind=H, outcome=Outcome.OPEN, deadline__lt=as_of) & scope.condition("overdue"),
    )
    return result


def _in_period(queryset: QuerySet[Obligation], period: Period, as_of: datetime) -> QuerySet:
    return queryset.filter(starts_at__gte=period.start, starts_at__lt=min(period.end, as_of))


def _raw(scope: Scope, period: Period, as_of: datetime) -> dict[str, int]:
    past = as_of < clock.now() - timedelta(seconds=1)
    queryset = _in_period(Obligation.objects.filter(scope.where()), period, as_of)
    return queryset.aggregate(**_aggregates(scope, as_of, past=past))


def rates_of(raw: Mapping[str, int]) -> dict[str, float | None]:
    """Every rate of the reference; `None` where its denominator is 0."""
    return {
        name: (raw[top] / raw[bottom] if raw.get(bottom) else None)
        for name, (top, bottom) in RATES.items()
    }


def score_for(
    rates: Mapping[str, float | None], family: str, policy: Policy | None = None
) -> float | None:
    """The weighted score (0–100): terms whose rate is None are left out and the remaining
    weights scaled to 100; None when no term has a rate."""
    policy = policy or Policy.current()
    total = weight_sum = 0.0
    for name, weight in policy.weights_for(family).items():
        value = rates.get(name)
        if value is None or not weight:
            continue
        if name == "rework_rate":
            value = 1 - value
        total += weight * value
        weight_sum += weight
    if not weight_sum:
        return None
    return round(total / weight_sum * 100, 1)


def grade_for(score: float | None, sample: int, policy: Policy | None = None) -> str | None:
    """A–E by the cut-offs; None ("not graded") below the minimum sample or without a score."""
    policy = policy or Policy.current()
    if score is None or sample < policy.minimum_sample:
        return None
    for grade in ("A", "B", "C", "D"):
        if score >= float(policy.cutoffs[grade]):
            return grade
    return "E"


def _how_counted(raw: Mapping[str, int], period: Period, as_of: datetime) -> dict[str, str]:
    words = {
        "period": _(
            "Obligations that start in %(start)s – %(end)s (end excluded), outcomes as of "
            "%(as_of)s."
        )
        % {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "as_of": timezone.localtime(as_of).isoformat(timespec="seconds"),
        }
    }
    for name in COUNT_NAMES:
        words[name] = f"{raw.get(name, 0)}: {COUNTED[name]}"
    for name, (top, bottom) in RATES.items():
        if raw.get(bottom):
            words[name] = _("%(top)d / %(bottom)d: %(top_words)s / %(bottom_words)s") % {
                "top": raw[top],
                "bottom": raw[bottom],
                "top_words": COUNTED[top],
                "bottom_words": COUNTED[bottom],
            }
        else:
            words[name] = _("no data (0 %(bottom_words)s): shown as null") % {
                "bottom_words": COUNTED[bottom]
            }
    words["cancelled"] = _(
        "Obligations of a case withdrawn (or merged or rejected after a dispatch) before they "
        "were met are no longer owed and not counted; a dispatch replaced by another before "
        "any resolution counts as dispatched and not resolved."
    )
    words["score"] = _(
        "Weighted sum of the family's rates (rework as 1 − rework rate); rates without data "
        "are left out and the other weights scaled to 100."
    )
    words["grade"] = _(
        "A–E by the cut-offs; not graded (null) with fewer obligations than the minimum "
        "sample (%(sample)d here)."
    ) % {"sample": raw.get("obligations", 0)}
    return words


@dataclass
class Figures:
    """The figures of one scope over one period."""

    period: Period
    raw: dict[str, int]
    rates: dict[str, float | None]
    score: float | None
    grade: str | None

    @property
    def counts(self) -> dict[str, int]:
        return {name: self.raw.get(name, 0) for name in COUNT_NAMES}

    @property
    def sample(self) -> int:
        return self.raw.get("obligations", 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "counts": self.counts,
            "rates": {name: _round(value) for name, value in self.rates.items()},
            "score": self.score,
            "grade": self.grade,
            "graded": self.grade is not None,
            "sample": self.sample,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def figures_of(
    raw: dict[str, int],
    period: Period,
    family: str,
    policy: Policy | None = None,
    *,
    contributed: Mapping[str, float | None] | None = None,
) -> Figures:
    """The figures of some raw counts; `contributed`: rates the apps above add
    (`evaluation.contributed`, a person's patrol duty met), weighed like the others."""
    policy = policy or Policy.current()
    rates = rates_of(raw)
    rates.update(contributed or {})
    score = score_for(rates, family, policy)
    return Figures(period, raw, rates, score, grade_for(score, raw.get("obligations", 0), policy))


@dataclass
class Evaluation:
    scope: Scope
    period: Period
    as_of: datetime
    figures: Figures
    how_counted: dict[str, str]
    previous: Figures | None = None
    last_year: Figures | None = None

    @property
    def counts(self) -> dict[str, int]:
        return self.figures.counts

    @property
    def rates(self) -> dict[str, float | None]:
        return self.figures.rates

    @property
    def score(self) -> float | None:
        return self.figures.score

    @property
    def grade(self) -> str | None:
        return self.figures.grade

    def as_dict(self) -> dict[str, Any]:
        own = self.figures.as_dict()
        return {
            "scope": self.scope.as_dict(),
            "period": {
                **self.period.as_dict(),
            },
            "as_of": timezone.localtime(self.as_of).isoformat(timespec="seconds"),
            "counts": own["counts"],
            "rates": own["rates"],
            "score": own["score"],
            "grade": own["grade"],
            "graded": own["graded"],
            "sample": own["sample"],
            "how_counted": self.how_counted,
            "previous": self.previous.as_dict() if self.previous else None,
            "last_year": self.last_year.as_dict() if self.last_year else None,
        }


def evaluate(
    scope: Scope, period: Period, *, as_of: datetime | None = None, compare: bool = True
) -> Evaluation:
    """The scope's figures over the period, with 环比 and 同比 unless `compare` is False."""
    as_of = as_of or clock.now()
    policy = Policy.current()

    def contributed(of: Period) -> dict[str, float | None]:
        if scope.kind != "person" or scope.person is None:
            return {}
        return person_rates(scope.person, of, as_of)

    raw = _raw(scope, period, as_of)
    figures = figures_of(raw, period, scope.family, policy, contributed=contributed(period))
    words = _how_counted(raw, period, as_of)
    if scope.kind == "person" and scope.person is not None:
        words.update(person_words(scope.person, period, as_of))
    evaluation = Evaluation(scope, period, as_of, figures, words)
    if compare:
        previous, last_year = period.previous(), period.last_year()
        evaluation.previous = figures_of(
            _raw(scope, previous, as_of),
            previous,
            scope.family,
            policy,
            contributed=contributed(previous),
        )
        evaluation.last_year = figures_of(
            _raw(scope, last_year, as_of),
            last_year,
            scope.family,
            policy,
            contributed=contributed(last_year),
        )
    return evaluation


# ---------------------------------------------------------------------------------------------
# Rankings, series, categories


@dataclass
class Ranked:
    rank: int | None  # None: no score
    key: Any  # the Area or the Department
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        if isinstance(self.key, Area):
            who = {
                "kind": "area",
                "code": self.key.code,
                "name": self.key.display_name,
                "level": Level(self.key.level).name.lower(),
            }
        else:
            who = {"kind": "department", "code": self.key.code, "name": self.key.display_name}
        return {"rank": self.rank, "scope": who, **self.figures.as_dict()}


def _ranked(entries: list[tuple[Any, Figures]]) -> list[Ranked]:
    entries.sort(key=lambda e: (e[1].score is None, -(e[1].score or 0), str(e[0].code)))
    ranked, rank = [], 0
    for key, figures in entries:
        if figures.score is not None:
            rank += 1
        ranked.append(Ranked(rank if figures.score is not None else None, key, figures))
    return ranked


def _grouped(
    queryset: QuerySet[Obligation], group: Any, as_of: datetime, scope: Scope | None = None
) -> dict[Any, dict[str, int]]:
    past = as_of < clock.now() - timedelta(seconds=1)
    aggregates = _aggregates(scope or Scope("area"), as_of, past=past)
    rows = queryset.annotate(group_key=group).values("group_key").annotate(**aggregates)
    return {row.pop("group_key"): row for row in rows}


def _empty_raw() -> dict[str, int]:
    return {name: 0 for name in (*RAW, "overdue_open")}


def rank_children(area: Area, period: Period, *, as_of: datetime | None = None) -> list[Ranked]:
    """The areas one level below `area`, ranked by score (one grouped query)."""
    as_of = as_of or clock.now()
    policy = Policy.current()
    children = list(Area.objects.active().filter(parent=area).order_by("code"))
    if not children:
        return []
    length = len(area.path) + CODE_LENGTH[Level(children[0].level)] + 1
    queryset = _in_period(Obligation.objects.filter(at_or_beneath(area.path)), period, as_of)
    grouped = _grouped(queryset, Substr("area_path", 1, length), as_of)
    entries = [
        (child, figures_of(grouped.get(child.path, _empty_raw()), period, "area", policy))
        for child in children
    ]
    return _ranked(entries)


def rank_departments(
    period: Period, *, within: Area | None = None, as_of: datetime | None = None
) -> list[Ranked]:
    """Departments ranked by score; `within` keeps only obligations under that area."""
    as_of = as_of or clock.now()
    policy = Policy.current()
    queryset = Obligation.objects.filter(department__isnull=False)
    if within is not None:
        queryset = queryset.filter(at_or_beneath(within.path))
    grouped = _grouped(_in_period(queryset, period, as_of), F("department_id"), as_of)
    entries = [
        (d, figures_of(grouped.get(d.pk, _empty_raw()), period, "department", policy))
        for d in Department.objects.order_by("code")
    ]
    return _ranked(entries)


@dataclass
class Point:
    period: Period
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.period.label, **self.figures.as_dict()}


TRUNC = {DAY: TruncDay, WEEK: TruncWeek, MONTH: TruncMonth}


def series(
    scope: Scope, start: date, end: date, step: str = MONTH, *, as_of: datetime | None = None
) -> list[Point]:
    """The scope's figures per day, week or month from the step containing `start` to the one
    containing `end` (a trend chart), every step present (zeros where nothing happened)."""
    if step not in TRUNC:
        raise PeriodError(_("A step is day, week or month."))
    as_of = as_of or clock.now()
    policy = Policy.current()
    first, last = period_of(step, start), period_of(step, end)
    if (last.last - first.first).days > 3 * 366:
        raise PeriodError(_("A range is at most three years long."))
    span = Period("range", first.first, last.last)
    queryset = _in_period(Obligation.objects.filter(scope.where()), span, as_of)
    tz = timezone.get_current_timezone()
    grouped = {
        timezone.localtime(key, tz).date() if isinstance(key, datetime) else key: raw
        for key, raw in _grouped(
            queryset, TRUNC[step]("starts_at", tzinfo=tz), as_of, scope
        ).items()
    }
    points, current = [], first
    while current.first <= last.first:
        raw = grouped.get(current.first, _empty_raw())
        points.append(Point(current, figures_of(raw, current, scope.family, policy)))
        current = period_of(step, current.last + timedelta(days=1))
    return points


@dataclass
class CategoryFigures:
    category: Category
    figures: Figures

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": {"code": self.category.code, "name": str(self.category)},
            **self.figures.as_dict(),
        }


def by_category(
    scope: Scope, period: Period, *, as_of: datetime | None = None
) -> list[CategoryFigures]:
    """The scope's figures per category (those with obligations in the period), most
    reported first."""
    as_of = as_of or clock.now()
    policy = Policy.current()
    queryset = _in_period(Obligation.objects.filter(scope.where()), period, as_of)
    grouped = _grouped(queryset, F("category_id"), as_of, scope)
    categories = Category.objects.in_bulk(list(grouped))
    result = [
        CategoryFigures(categories[pk], figures_of(raw, period, scope.family, policy))
        for pk, raw in grouped.items()
        if pk in categories
    ]
    result.sort(key=lambda c: (-c.figures.raw.get("reported", 0), c.category.code))
    return result


# ---------------------------------------------------------------------------------------------
# The cases behind a number; what is owed now


def figure_condition(scope: Scope, figure: str, as_of: datetime) -> Q:
    """The obligations behind a figure: a count's own, or a rate's shortfall."""
    if figure == "overdue_open":
        return Q(kind=H, outcome=Outcome.OPEN, deadline__lt=as_of) & scope.condition(figure)
    if figure in RATES:
        top, bottom = RATES[figure]
        if figure == "rework_rate":  # what costs it is the reworked ones
            return RAW["reworked"] & scope.condition("reworked")
        return RAW[bottom] & ~RAW[top] & scope.condition(bottom)
    if figure in RAW:
        return RAW[figure] & scope.condition(figure)
    raise KeyError(figure)


def cases_behind(scope: Scope, period: Period, figure: str, *, as_of: datetime | None = None) -> Q:
    """A filter on cases: those behind `figure` (a count or rate name) of the scope and period.
    Combine it with `cases_for(user, Action.VIEW)` — this says which cases, not who sees them.
    Raises KeyError for a name that is no figure."""
    as_of = as_of or clock.now()
    obligations = _in_period(
        Obligation.objects.filter(scope.where()).filter(figure_condition(scope, figure, as_of)),
        period,
        as_of,
    )
    return Q(pk__in=obligations.values("case_id"))


GREEN, YELLOW, RED = "green", "yellow", "red"
YELLOW_SHARE = 0.8


def colour_for(used: float | None, *, overdue: bool = False) -> str:
    """Green below 80 % of the time used, yellow from 80 % to 100 %, red over (or past the
    deadline, even when no working hour has passed since)."""
    if overdue or (used is not None and used > 1):
        return RED
    if used is None or used < YELLOW_SHARE:
        return GREEN
    return YELLOW


@dataclass
class OpenObligation:
    case_id: int
    tracking_id: str
    kind: str
    area_path: str
    department_id: int | None
    starts_at: datetime
    deadline: datetime | None
    used: float | None = None
    colour: str = GREEN
    yellow_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case": self.tracking_id,
            "kind": self.kind,
            "starts_at": self.starts_at.isoformat(),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "yellow_at": self.yellow_at.isoformat() if self.yellow_at else None,
            "used": _round(self.used),
            "colour": self.colour,
        }


def time_used(starts_at: datetime, deadline: datetime | None, now: datetime) -> float | None:
    """The share of the obligation's time used, in working time as its limit counts: the
    working hours from its start to now over those from its start to its deadline (a night or
    a weekend uses none). Past the deadline it is over 1 by the working hours since."""
    if deadline is None:
        return None
    allowed = working_hours_between(starts_at, deadline)
    if allowed <= 0:  # a deadline with no working hour before it
        return 2.0 if now > deadline else 1.0
    if now <= deadline:
        return working_hours_between(starts_at, now) / allowed
    return 1.0 + working_hours_between(deadline, now) / allowed


def yellow_from(starts_at: datetime, deadline: datetime | None) -> datetime | None:
    """The moment 80 % of the obligation's working time is used (when it turns yellow): the
    page's clock compares itself with this and the deadline, so it needs no calendar."""
    if deadline is None:
        return None
    allowed = working_hours_between(starts_at, deadline)
    if allowed <= 0:
        return deadline
    return min(after_working_hours(starts_at, YELLOW_SHARE * allowed), deadline)


def open_obligations(
    scope: Scope,
    *,
    now: datetime | None = None,
    kinds: Iterable[str] = (IN, H, V),
    limit: int = 200,
) -> list[OpenObligation]:
    """What the scope owes now (open obligations with a deadline), the nearest deadline first,
    each with the share of its time used and its colour."""
    now = now or clock.now()
    rows = (
        Obligation.objects.filter(scope.where(), outcome=Outcome.OPEN, kind__in=list(kinds))
        .exclude(deadline__isnull=True)
        .select_related("case")
        .only(
            "case__tracking_id",
            "case_id",
            "kind",
            "area_path",
            "department_id",
            "starts_at",
            "deadline",
        )
        .order_by("deadline", "pk")[:limit]
    )
    result = []
    for row in rows:
        used = time_used(row.starts_at, row.deadline, now)
        result.append(
            OpenObligation(
                case_id=row.case_id,
                tracking_id=row.case.tracking_id,
                kind=row.kind,
                area_path=row.area_path,
                department_id=row.department_id,
                starts_at=row.starts_at,
                deadline=row.deadline,
                used=used,
                colour=colour_for(used, overdue=now > row.deadline),
                yellow_at=yellow_from(row.starts_at, row.deadline),
            )
        )
    return result


def default_period() -> Period:
    return parse_period(None)


def month_of(day: date) -> Period:
    return period_of(MONTH, day)
