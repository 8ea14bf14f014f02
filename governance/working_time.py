"""Working-time arithmetic: time limits count working hours or working days.

A working day is Monday to Friday unless the calendar marks it a holiday, or a weekend day the
calendar marks a make-up working day (调休). Working hours are WORKDAY_START to WORKDAY_END in
the site's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from governance.models import CalendarDay, LimitUnit
from governance.versioned import VersionedCopy


@dataclass(frozen=True)
class WorkingCalendar:
    start: time
    end: time
    holidays: frozenset[date]
    workdays: frozenset[date]

    @classmethod
    def load(cls, around: date) -> WorkingCalendar:
        """The configured calendar, with exceptions from a year before to two years after."""
        config = settings.GOVERNANCE
        days = CalendarDay.objects.filter(
            date__gte=around - timedelta(days=366), date__lte=around + timedelta(days=731)
        ).values_list("date", "kind")
        return cls(
            start=time.fromisoformat(config["WORKDAY_START"]),
            end=time.fromisoformat(config["WORKDAY_END"]),
            holidays=frozenset(d for d, kind in days if kind == CalendarDay.Kind.HOLIDAY),
            workdays=frozenset(d for d, kind in days if kind == CalendarDay.Kind.WORKDAY),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def _day_bounds(self, day: date, tz) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.start, tzinfo=tz),
            datetime.combine(day, self.end, tzinfo=tz),
        )

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        tz = timezone.get_current_timezone()
        cursor = timezone.localtime(moment, tz)
        remaining = timedelta(hours=hours)
        for _ in range(3660):  # ten years of days: a bound, never reached with sane limits
            day = cursor.date()
            if self.is_working_day(day):
                opens, closes = self._day_bounds(day, tz)
                cursor = max(cursor, opens)
                if cursor < closes:
                    available = closes - cursor
                    if remaining <= available:
                        return cursor + remaining
                    remaining -= available
            cursor = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
        raise ValueError("time limit does not end within ten years")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """The working hours from `start` to `end` (none when `end` is not after it)."""
        if end <= start:
            return 0.0
        tz = timezone.get_current_timezone()
        start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
        total = timedelta()
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                opens, closes = self._day_bounds(day, tz)
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta():
                    total += overlap
            day += timedelta(days=1)
        return total.total_seconds() / 3600

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The same time of day `days` working days later (end of day when after hours)."""
        tz = timezone.get_current_timezone()
        local = timezone.localtime(moment, tz)
        day, counted = local.date(), 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        clock = min(max(local.timetz().replace(tzinfo=None), self.start), self.end)
        return datetime.combine(day, clock, tzinfo=tz)


# This process's calendars by the day they were loaded around: every filed case needs one.
calendars: VersionedCopy[dict[date, WorkingCalendar]] = VersionedCopy(
    "working-time:calendar-version", lambda _version: {}
)


def calendar_around(day: date) -> WorkingCalendar:
    """`WorkingCalendar.load(day)`, kept by this process until a calendar day changes."""
    loaded = calendars.get()
    calendar = loaded.get(day)
    if calendar is None:
        calendar = WorkingCalendar.load(day)
        if len(loaded) >= 8:  # a long-running process moves on day by day
            loaded.clear()
        loaded[day] = calendar
    return calendar


def due_time(start: datetime, amount: int, unit: str) -> datetime:
    """When a limit of `amount` working hours or days, started at `start`, runs out."""
    calendar = calendar_around(timezone.localtime(start).date())
    if unit == LimitUnit.WORKING_DAYS:
        return calendar.add_working_days(start, amount)
    return calendar.add_working_hours(start, amount)


def working_hours_between(start: datetime, end: datetime) -> float:
    """The working hours from `start` to `end`, by the calendar around `start`."""
    return calendar_around(timezone.localtime(start).date()).working_hours_between(start, end)


def after_working_hours(start: datetime, hours: float) -> datetime:
    """The moment `hours` working hours after `start`."""
    return calendar_around(timezone.localtime(start).date()).add_working_hours(start, hours)
