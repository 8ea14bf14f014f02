"""Time limits in working hours and working days, on a 09:00–17:00 calendar without lunch."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from governance.models import CalendarDay
from governance.working_time import due_time

SH = ZoneInfo("Asia/Shanghai")
HOURS, DAYS = "working_hours", "working_days"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A moment in 2026 (November by default: the 23rd is a Monday)."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def holiday_tuesday(db):
    CalendarDay.objects.create(date=date(2026, 11, 24), kind="holiday", name="测试假日")


@pytest.fixture
def makeup_saturday(db):
    CalendarDay.objects.create(date=date(2026, 11, 28), kind="workday", name="调休上班")


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (at(23, 10), 4, at(23, 14)),  # within one day
        (at(23, 9), 8, at(23, 17)),  # exactly one working day
        (at(23, 15), 4, at(24, 11)),  # 2 h today, 2 h tomorrow
        (at(23, 12, 30), 1, at(23, 13, 30)),  # no lunch break
        (at(23, 16, 30), 16, at(25, 16, 30)),  # across two nights
        (at(23, 17), 1, at(24, 10)),  # at closing time: tomorrow
        (at(23, 20), 2, at(24, 11)),  # after hours: counts from tomorrow's opening
        (at(23, 7), 2, at(23, 11)),  # before hours: counts from today's opening
        (at(27, 16), 2, at(30, 10)),  # Friday → Monday, the weekend skipped
        (at(28, 10), 1, at(30, 10)),  # submitted on Saturday
        (at(29, 23, 59), 3, at(30, 12)),  # Sunday night
        (at(23, 10), 0, at(23, 10)),
    ],
)
def test_working_hours(db, start, hours, due):
    assert due_time(start, hours, HOURS) == due


def test_the_result_is_in_local_time_whatever_the_input_zone(db):
    start = datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Shanghai
    assert due_time(start, 4, HOURS) == at(23, 14)


def test_a_holiday_is_skipped(holiday_tuesday):
    assert due_time(at(23, 16), 2, HOURS) == at(25, 10)
    assert due_time(at(24, 10), 1, HOURS) == at(25, 10)  # submitted on the holiday


def test_a_make_up_weekend_day_is_worked(makeup_saturday):
    assert due_time(at(27, 16), 2, HOURS) == at(28, 10)
    assert due_time(at(27, 16), 9, HOURS) == at(28, 17)  # 1 Fri + 8 Sat
    assert due_time(at(27, 16), 10, HOURS) == at(30, 10)  # then Sunday is rest again


def test_national_day_week_with_its_make_up_days(db):
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=date(2026, 10, d), kind="holiday") for d in range(1, 8)]
        + [
            CalendarDay(date=date(2026, 9, 27), kind="workday"),  # a Sunday
            CalendarDay(date=date(2026, 10, 10), kind="workday"),  # a Saturday
        ]
    )
    # Wednesday 30 September 16:00, 2 hours: one that day, one after the holiday.
    assert due_time(at(30, 16, month=9), 2, HOURS) == at(8, 10, month=10)
    # Saturday 26 September (not worked) to the make-up Sunday 27th.
    assert due_time(at(26, 10, month=9), 1, HOURS) == at(27, 10, month=9)
    # 3 working days from Wednesday 30 September: 8, 9 and the make-up Saturday 10 October.
    assert due_time(at(30, 11, month=9), 3, DAYS) == at(10, 11, month=10)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(23, 10), 1, at(24, 10)),  # same time next working day
        (at(23, 10), 5, at(30, 10)),  # a working week
        (at(27, 15), 1, at(30, 15)),  # Friday → Monday
        (at(28, 10), 1, at(30, 10)),  # from Saturday
        (at(23, 18), 1, at(24, 17)),  # after hours: end of that day
        (at(23, 7), 1, at(24, 9)),  # before hours: its opening
        (at(23, 10), 15, at(14, 10, month=12)),  # three weeks
    ],
)
def test_working_days(db, start, days, due):
    assert due_time(start, days, DAYS) == due


def test_working_days_skip_holidays_and_count_make_up_days(holiday_tuesday, makeup_saturday):
    assert due_time(at(23, 10), 1, DAYS) == at(25, 10)  # Tuesday off
    assert due_time(at(27, 10), 1, DAYS) == at(28, 10)  # Saturday worked
    # Mon → Wed, Thu, Fri, Sat (make-up), Mon: five working days, Tuesday not counted.
    assert due_time(at(23, 10), 5, DAYS) == at(30, 10)


def test_working_hours_change_with_the_configured_day(db, settings):
    settings.GOVERNANCE = {**settings.GOVERNANCE, "WORKDAY_START": "08:30", "WORKDAY_END": "17:30"}
    assert due_time(at(23, 17), 1, HOURS) == at(24, 9)
    assert due_time(at(23, 8), 9, HOURS) == at(23, 17, 30)
