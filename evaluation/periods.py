"""Evaluation periods: [start, end) in the platform's time zone.

`parse_period` reads "2026-11-03" (day), "2026-W47" (ISO week), "2026-11" (month), "2026-Q4"
(quarter), "2026" (year), or a range of dates `start=2026-11-01&end=2026-11-15` (both days
included). Each period knows its predecessor of the same length (环比) and its counterpart a
year before (同比).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

DAY, WEEK, MONTH, QUARTER, YEAR, RANGE = "day", "week", "month", "quarter", "year", "range"
STEPS = (DAY, WEEK, MONTH)
# A range longer than this is refused: nobody reads ten years at once, and it would be slow.
LONGEST_RANGE_DAYS = 3 * 366


class PeriodError(ValueError):
    """A period that cannot be read; the message says what is expected."""


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str
    first: date  # the first day
    last: date  # the last day (included)

    @property
    def start(self) -> datetime:
        return _midnight(self.first)

    @property
    def end(self) -> datetime:
        return _midnight(self.last + timedelta(days=1))

    @property
    def label(self) -> str:
        if self.kind == DAY:
            return self.first.isoformat()
        if self.kind == WEEK:
            year, week, _day = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == YEAR:
            return str(self.first.year)
        return f"{self.first.isoformat()}/{self.last.isoformat()}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same kind and length just before (环比)."""
        if self.kind in (MONTH, QUARTER, YEAR):
            months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
            first = _add_months(self.first, -months)
            return Period(self.kind, first, self.first - timedelta(days=1))
        return Period(
            self.kind, self.first - timedelta(days=self.days), self.first - timedelta(days=1)
        )

    def last_year(self) -> Period:
        """The same period a year before (同比): the same dates, the same ISO week."""
        if self.kind == WEEK:
            year, week, _day = self.first.isocalendar()
            try:
                first = date.fromisocalendar(year - 1, week, 1)
            except ValueError:  # week 53 in a year of 52
                first = date.fromisocalendar(year - 1, 52, 1)
            return Period(WEEK, first, first + timedelta(days=6))
        return Period(self.kind, _year_before(self.first), _year_before(self.last))

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "label": self.label,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PeriodError(_("%(name)s must be a date like 2026-11-03.") % {"name": name}) from None


def parse_period(
    value: str | None = None, *, start: str | None = None, end: str | None = None
) -> Period:
    """The period a query names; `PeriodError` with a readable message when it names none."""
    if value and (start or end):
        raise PeriodError(_("Give either a period or a start and an end, not both."))
    if start or end:
        if not (start and end):
            raise PeriodError(_("A range needs both a start and an end date."))
        first, last = _date(start, "start"), _date(end, "end")
        if last < first:
            raise PeriodError(_("The end date comes before the start date."))
        if (last - first).days >= LONGEST_RANGE_DAYS:
            raise PeriodError(_("A range is at most three years long."))
        return Period(RANGE, first, last)
    text = (value or "").strip()
    if not text:
        today = timezone.localdate()
        return Period(MONTH, today.replace(day=1), _add_months(today, 1) - timedelta(days=1))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return Period(DAY, day, day)
        if match := re.fullmatch(r"(\d{4})-W(\d{2})", text):
            first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return Period(WEEK, first, first + timedelta(days=6))
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            first = date(int(match[1]), int(match[2]), 1)
            return Period(MONTH, first, _add_months(first, 1) - timedelta(days=1))
        if match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            first = date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)
            return Period(QUARTER, first, _add_months(first, 3) - timedelta(days=1))
        if re.fullmatch(r"\d{4}", text):
            first = date(int(text), 1, 1)
            return Period(YEAR, first, date(first.year, 12, 31))
    except ValueError:
        pass
    raise PeriodError(
        _(
            "A period is a day (2026-11-03), a week (2026-W47), a month (2026-11), "
            "a quarter (2026-Q4) or a year (2026)."
        )
    )


def period_of(kind: str, moment: date) -> Period:
    """The day, week or month that contains a date (the steps of a series)."""
    if kind == DAY:
        return Period(DAY, moment, moment)
    if kind == WEEK:
        first = moment - timedelta(days=moment.weekday())
        return Period(WEEK, first, first + timedelta(days=6))
    if kind == MONTH:
        first = moment.replace(day=1)
        return Period(MONTH, first, _add_months(first, 1) - timedelta(days=1))
    raise PeriodError(_("A step is day, week or month."))
