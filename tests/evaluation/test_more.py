"""Periods, the administrators' settings, series, categories, the cases behind a number, and
open obligations by time used."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from evaluation.indicators import (
    Scope,
    by_category,
    cases_behind,
    colour_for,
    evaluate,
    open_obligations,
    parse_period,
    series,
    time_used,
    yellow_from,
)
from evaluation.models import Policy
from evaluation.periods import PeriodError
from governance.access import Action, cases_for
from tests.evaluation.story import at, tell

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def story(city, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tell(city, people)


@pytest.mark.parametrize(
    ("text", "first", "last", "previous", "last_year"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30), "2026-10", "2025-11"),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31), "2026-02", "2025-03"),
        ("2026-W47", date(2026, 11, 16), date(2026, 11, 22), "2026-W46", "2025-W47"),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2025-Q4", "2025-Q1"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "2025", "2025"),
        ("2026-11-03", date(2026, 11, 3), date(2026, 11, 3), "2026-11-02", "2025-11-03"),
    ],
)
def test_periods_and_their_comparisons(db, text, first, last, previous, last_year):
    period = parse_period(text)
    assert (period.first, period.last, period.label) == (first, last, text)
    assert period.previous().label == previous
    assert period.last_year().label == last_year
    assert period.start.utcoffset() == timedelta(hours=8)  # the platform's time zone


def test_a_range_compares_with_the_same_length_before(db):
    period = parse_period(start="2026-11-10", end="2026-11-19")
    assert period.days == 10
    assert (period.previous().first, period.previous().last) == (
        date(2026, 10, 31),
        date(2026, 11, 9),
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"value": "2026-13"},
        {"value": "2026-W60"},
        {"value": "soon"},
        {"start": "2026-11-01"},
        {"start": "2026-11-05", "end": "2026-11-01"},
        {"start": "2020-01-01", "end": "2026-01-01"},
    ],
)
def test_bad_periods_say_what_is_expected(db, bad):
    value = bad.pop("value", None)
    with pytest.raises(PeriodError):
        parse_period(value, **bad)


def test_administrators_change_weights_cut_offs_and_the_minimum_sample(city, story):
    period = parse_period("2026-11")
    scope = Scope.for_area(city.district)
    assert evaluate(scope, period, as_of=NOW).grade == "C"
    policy = Policy.current()
    policy.weights = {**policy.weights, "area": {"closing_rate": 100}}
    policy.cutoffs = {"A": 80, "B": 70, "C": 60, "D": 40}
    policy.minimum_sample = 40
    policy.full_clean()
    policy.save()
    changed = evaluate(scope, period, as_of=NOW)
    assert changed.score == pytest.approx(83.3)  # closing rate 5/6 alone
    assert changed.grade is None  # 31 obligations, now below the minimum of 40
    policy.minimum_sample = 10
    policy.save()
    assert evaluate(scope, period, as_of=NOW).grade == "A"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weights", {"area": {"closing_rate": -1}}),
        ("weights", {"area": {"no_such_rate": 10}}),
        ("weights", {"everyone": {"closing_rate": 10}}),
        ("cutoffs", {"A": 50, "B": 75, "C": 60, "D": 40}),
        ("cutoffs", {"A": 90}),
        ("intake_limit_hours", 0),
    ],
)
def test_bad_settings_are_refused_with_a_reason(db, field, value):
    policy = Policy.current()
    setattr(policy, field, value)
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert field in refused.value.message_dict


def test_the_settings_page_in_the_admin(client, people):
    client.force_login(people.admin)
    answer = client.get("/admin/evaluation/policy/", follow=True)
    assert answer.status_code == 200
    assert b"minimum_sample" in answer.content
    assert Policy.objects.filter(pk=1).exists()


def test_a_series_per_day_and_per_week(city, story):
    scope = Scope.for_area(city.district)
    days = series(scope, date(2026, 11, 2), date(2026, 11, 6), "day", as_of=NOW)
    assert [p.period.label for p in days] == [f"2026-11-0{d}" for d in range(2, 7)]
    assert [p.figures.counts["reported"] for p in days] == [1, 1, 1, 3, 1]
    weeks = series(scope, date(2026, 11, 1), date(2026, 11, 30), "week", as_of=NOW)
    assert weeks[0].period.label == "2026-W44"
    assert sum(p.figures.counts["reported"] for p in weeks) == 9
    months = series(scope, date(2026, 10, 1), date(2026, 12, 31), "month", as_of=NOW)
    assert [p.figures.counts["reported"] for p in months] == [0, 9, 0]
    assert months[0].figures.score is None


def test_figures_by_category(city, story):
    rows = by_category(Scope.for_area(city.district), parse_period("2026-11"), as_of=NOW)
    assert [(r.category.code, r.figures.counts["reported"]) for r in rows] == [
        (city.category.code, 9)
    ]


def test_the_cases_behind_a_number_through_the_scoped_path(city, people, story):
    scope, period = Scope.for_area(city.district), parse_period("2026-11")
    cases = story.cases
    late = cases_for(people.dispatcher, Action.VIEW).filter(
        cases_behind(scope, period, "on_time_closing_rate", as_of=NOW)
    )
    assert set(late) == {cases["c2"], cases["c3"], cases["c8"]}  # late, late, still open
    reworked = cases_for(people.dispatcher, Action.VIEW).filter(
        cases_behind(scope, period, "reworked", as_of=NOW)
    )
    assert list(reworked) == [cases["c2"]]
    # The same number, asked by someone who sees none of these cases: nothing.
    assert not cases_for(people.officer_b, Action.VIEW).filter(
        cases_behind(scope, period, "reworked", as_of=NOW)
    )
    with pytest.raises(KeyError):
        cases_behind(scope, period, "happiness")


def test_open_obligations_coloured_by_time_used(city, people, story):
    c8 = story.cases["c8"]
    # c8's handling: dispatched Mon 09:20, due 13:20 (4 hours on the clock).
    at_start = open_obligations(Scope.for_area(city.district), now=at(9, 12))
    handling = next(o for o in at_start if o.case_id == c8.pk and o.kind == "handling")
    assert handling.used == pytest.approx(160 / 240) and handling.colour == "green"
    later = open_obligations(Scope.for_area(city.district), now=at(9, 13))
    handling = next(o for o in later if o.case_id == c8.pk and o.kind == "handling")
    assert handling.colour == "yellow"  # 220 / 240
    overdue = open_obligations(Scope.for_area(city.district), now=at(9, 14))
    assert next(o for o in overdue if o.case_id == c8.pk).colour == "red"
    assert (colour_for(0.79), colour_for(0.8), colour_for(1.0), colour_for(1.01)) == (
        "green",
        "yellow",
        "yellow",
        "red",
    )


@pytest.mark.django_db  # the calendar's holidays and make-up days
def test_time_used_counts_working_time_as_the_limit_does():
    """Two working hours from Friday 16:00 run out on Monday at 10:00: on Monday at 09:00 half
    of them are used (green), though 65 of the 66 hours on the clock have passed."""
    friday, monday = at(27, 16), at(30, 10)
    assert time_used(friday, monday, at(28, 12)) == pytest.approx(0.5)  # Saturday: none since
    assert time_used(friday, monday, at(30, 9)) == pytest.approx(0.5)
    assert colour_for(time_used(friday, monday, at(30, 9))) == "green"
    assert yellow_from(friday, monday) == at(30, 9, 36)  # 80 % of two working hours
    assert colour_for(time_used(friday, monday, at(30, 9, 40))) == "yellow"
    # Past the deadline it is red, even when no working hour has passed since (Friday 17:01).
    late = time_used(at(27, 15), at(27, 17), at(27, 17, 1))
    assert late == pytest.approx(1.0)
    assert colour_for(late, overdue=True) == "red"
    assert time_used(friday, monday, at(30, 11)) == pytest.approx(1.5)
