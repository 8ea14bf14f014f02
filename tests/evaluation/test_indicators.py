"""Each count and rate on the hand-computed month of `tests/evaluation/story.py`."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from evaluation.indicators import (
    Scope,
    evaluate,
    parse_period,
    rank_children,
    rank_departments,
)
from tests.evaluation.story import tell

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def story(city, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tell(city, people)


def test_the_districts_month_counts_every_case_shape(city, story):
    result = evaluate(Scope.for_area(city.district), parse_period("2026-11"), as_of=NOW)
    assert result.counts == {
        "reported": 9,
        "filed": 8,  # c4 merged
        "dispatched": 8,  # c3 twice, c7 twice (reopened)
        "resolved": 6,  # c3's first dispatch never resolved; c8 open
        "resolved_on_time": 5,  # c3's second late; c9 exactly at its deadline counts
        "to_close": 6,
        "closed": 5,
        "closed_on_time": 3,  # c1, c7, c9 (at its deadline); c2, c3 late
        "reworked": 1,  # c2, reworked twice, is one handling obligation
        "overdue_open": 1,  # c8
        "rated": 5,  # c1, c2, c7 rated; c3, c9 answered the callback
        "satisfied": 3,  # c1 (5), c7 (4 after reopening), c9 (callback)
    }
    rates = result.rates
    assert rates["filed_on_time_rate"] == pytest.approx(8 / 9)  # c2 filed late
    assert rates["handling_rate"] == pytest.approx(6 / 8)
    assert rates["on_time_handling_rate"] == pytest.approx(5 / 8)
    assert rates["closing_rate"] == pytest.approx(5 / 6)
    assert rates["on_time_closing_rate"] == pytest.approx(3 / 6)
    assert rates["rework_rate"] == pytest.approx(1 / 6)
    assert rates["verified_on_time_rate"] == pytest.approx(7 / 8)  # c3's closed a day late
    assert rates["satisfaction_rate"] == pytest.approx(3 / 5)
    assert rates["resolution_rate"] == pytest.approx(1 / 2)
    assert rates["valid_report_rate"] is None  # no patrol reports
    # 0.5×50 + 5/6×30 + (1 − 1/6)×10 + 0.6×10 = 64.33
    assert result.score == pytest.approx(64.3)
    assert result.grade == "C"
    assert result.figures.sample == 31


def test_departments_are_counted_by_the_dispatch_that_names_them(city, story):
    period = parse_period("2026-11")
    mine = evaluate(Scope.for_department(city.department), period, as_of=NOW)
    assert mine.counts["dispatched"] == 7  # c3's first dispatch is theirs
    assert mine.counts["resolved"] == 5
    assert mine.rates["on_time_handling_rate"] == pytest.approx(5 / 7)
    assert mine.rates["closing_rate"] == pytest.approx(4 / 5)
    assert mine.rates["rework_rate"] == pytest.approx(1 / 5)
    assert mine.rates["satisfaction_rate"] == pytest.approx(3 / 4)
    assert mine.score == pytest.approx(76.1)
    assert mine.grade == "B"
    water = evaluate(Scope.for_department(city.other_department), period, as_of=NOW)
    assert (water.counts["dispatched"], water.counts["resolved_on_time"]) == (1, 0)
    assert water.score == pytest.approx(50.0)
    assert water.grade is None  # 3 obligations: below the minimum sample, not graded
    ranked = rank_departments(period, as_of=NOW)
    assert [r.key.code for r in ranked] == ["city-management", "water"]
    assert [r.rank for r in ranked] == [1, 2]


def test_an_empty_period_has_no_rates_no_score_no_grade(city, story):
    result = evaluate(Scope.for_area(city.district), parse_period("2026-12"), as_of=NOW)
    assert set(result.counts.values()) == {0}
    assert set(result.rates.values()) == {None}
    assert result.score is None and result.grade is None


def test_the_ranking_of_a_districts_streets(city, story):
    ranked = rank_children(city.district, parse_period("2026-11"), as_of=NOW)
    assert [(r.key, r.rank) for r in ranked] == [(city.street_a, 1), (city.street_b, None)]
    assert ranked[0].figures.score == pytest.approx(64.3)
    assert ranked[1].figures.counts["reported"] == 0
