"""Patrol duty (巡查履职): each officer's day computed into `DutyDay`, the monthly duty sheet read
from those rows, and "patrol duty met" for the officer's evaluation.

A day (the site's time zone) of an officer counts:
- time on patrol inside their grids and distance on that day (`Patrol.day_figures`: a patrol
  past midnight counts on each day it ran, for up to LONGEST_PATROL after it started), and the
  patrols started that day;
- check-ins at key places and reports (cases filed from a patrol) made that day;
- household visits recorded as made that day.

`compute_day(day)` rewrites that day's rows (one per officer with anything to count; rows of
officers with nothing left are removed): running it again changes nothing, and two runs at once
write the same rows (an upsert on the (officer, day) pair). The scheduled job
(`compute_recent_duty`) recomputes yesterday and today.

Patrol duty met, over a period (evaluated as of a moment), is the mean of the shares below,
each capped at 1, leaving out a minimum set to 0 (`DutyRules`, an administrator's data):
- working days met / working days elapsed: a working day is met with at least
  `minutes_per_day` on patrol inside the grids (today counts once it is met: a day in progress
  is not yet a day missed);
- reports / the monthly minimum, prorated by the working days elapsed in each month;
- visits / the monthly minimum, prorated likewise.
None (left out of the score) for a person who holds no grid-officer role and has recorded no
duty, or when no working day has elapsed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.db.models import Count, FloatField, IntegerField, Q, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import clock
from governance.models import Area, Assignment, Role
from governance.paths import at_or_beneath
from governance.scope import scope_of
from governance.working_time import calendar_around
from gridwork.access import Person
from gridwork.models import CheckIn, DutyDay, DutyRules, Patrol, PatrolReport, Visit

GRID_ROLES = (Role.OFFICER, Role.LEAD_OFFICER)
# Who may read other officers' duty sheets: those who manage an area (its intake or
# escalation), at or beneath the areas where they hold it. Anyone reads their own.
MANAGING = ("intake_cases", "escalate_cases")
COUNTED = ("patrol_seconds", "distance_m", "patrols", "check_ins", "reports", "visits")
# A day's duty reads the patrols started that day and in this long before it (a night patrol).
LONGEST_PATROL = datetime.timedelta(days=1)

User = get_user_model()


# ---------------------------------------------------------------------------------------------
# Computing the days


def _bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
    )


@dataclass(frozen=True)
class _Officers:
    """Whose duty a computation counts: everybody's (None), or these officers'."""

    ids: list[int] | None

    def where(self, field: str) -> Q:
        return Q() if self.ids is None else Q(**{f"{field}__in": self.ids})


def _day_counts(day: datetime.date, officers: _Officers) -> dict[int, dict[str, int]]:
    start, end = _bounds(day)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTED, 0))
    today = KeyTransform(day.isoformat(), "day_figures")
    patrols = (
        Patrol.objects.filter(
            officers.where("officer"),
            started_at__gte=start - LONGEST_PATROL,
            started_at__lt=end,
            officer__isnull=False,
        )
        .values("officer")
        .annotate(
            seconds=Sum(Cast(KeyTextTransform("s", today), IntegerField())),
            distance=Sum(Cast(KeyTextTransform("m", today), FloatField())),
            n=Count("pk", filter=Q(started_at__gte=start)),
        )
        .filter(Q(n__gt=0) | Q(seconds__gt=0) | Q(distance__gt=0))
        .order_by()
    )
    for row in patrols:
        own = counts[row["officer"]]
        own["patrol_seconds"] = int(row["seconds"] or 0)
        own["distance_m"] = round(row["distance"] or 0)
        own["patrols"] = row["n"]
    for model, who, when, extra, name in (
        (CheckIn, "patrol__officer", "at", Q(), "check_ins"),
        (PatrolReport, "patrol__officer", "at", Q(case__isnull=False), "reports"),
        (Visit, "visitor", "visited_at", Q(), "visits"),
    ):
        rows = (
            model.objects.filter(extra, **{f"{when}__gte": start, f"{when}__lt": end})
            .filter(officers.where(who))
            .exclude(**{f"{who}__isnull": True})
            .values(who)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            counts[row[who]][name] = row["n"]
    return counts


def compute_day(day: datetime.date, *, officers: Iterable[int] | None = None) -> int:
    """Rewrite `day`'s duty rows from the patrols, check-ins, reports and visits (only those of
    `officers` when given: a correction of one officer's record); the number of officers with
    a row."""
    whose = _Officers(None if officers is None else list(officers))
    counts = _day_counts(day, whose)
    now = clock.now()
    rows = [
        DutyDay(officer_id=officer, day=day, computed_at=now, **figures)
        for officer, figures in counts.items()
    ]
    with transaction.atomic():
        DutyDay.objects.filter(whose.where("officer"), day=day).exclude(
            officer_id__in=list(counts)
        ).delete()
        DutyDay.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["officer", "day"],
            update_fields=[*COUNTED, "computed_at"],
            batch_size=1000,
        )
    return len(rows)


def compute_recent_duty(*, today: datetime.date | None = None) -> int:
    """The scheduled job: yesterday's rows (final) and today's (so far)."""
    today = today or timezone.localdate(clock.now())
    return compute_day(today - datetime.timedelta(days=1)) + compute_day(today)


def compute_range(first: datetime.date, last: datetime.date) -> int:
    """Every day from `first` to `last` (a rebuild, or the demo's weeks)."""
    written, day = 0, first
    while day <= last:
        written += compute_day(day)
        day += datetime.timedelta(days=1)
    return written


# ---------------------------------------------------------------------------------------------
# Reading: a month's sheet


def parse_month(value: str | None) -> datetime.date:
    """A month written 2026-11 → its first day; this month when absent or unreadable."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 2000 <= year <= 2100:
            return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        pass
    return timezone.localdate(clock.now()).replace(day=1)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def working_days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    if last < first:
        return []
    calendar = calendar_around(first)
    days, day = [], first
    while day <= last:
        if calendar.is_working_day(day):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _expected(per_month: int, first: datetime.date, last: datetime.date) -> float:
    """A monthly minimum over [first, last]: prorated by working days, month by month."""
    expected, month = 0.0, first.replace(day=1)
    while month <= last:
        month_first, month_last = month_bounds(month)
        whole = len(working_days(month_first, month_last))
        part = len(working_days(max(first, month_first), min(last, month_last)))
        if whole:
            expected += per_month * part / whole
        month = month_last + datetime.timedelta(days=1)
    return expected


@dataclass
class OfficerDuty:
    """An officer's duty over some days: totals, the days, and whether the minimums are met."""

    officer: AbstractUser
    first: datetime.date
    last: datetime.date  # the last day counted (today at the latest)
    rules: DutyRules
    days: list[DutyDay] = field(default_factory=list)
    grids: list[str] = field(default_factory=list)
    today: datetime.date | None = None

    def total(self, name: str) -> int:
        return sum(getattr(day, name) for day in self.days)

    @property
    def name(self) -> str:
        return self.officer.get_full_name() or self.officer.get_username()

    @property
    def patrol_hours(self) -> float:
        return round(self.total("patrol_seconds") / 3600, 1)

    @property
    def distance_km(self) -> float:
        return round(self.total("distance_m") / 1000, 1)

    def _met_on(self, day: DutyDay) -> bool:
        return day.patrol_seconds >= self.rules.minutes_per_day * 60

    @cached_property
    def counted_last(self) -> datetime.date:
        """The last day the minimums count: today only once today's patrol time is met (a day
        in progress is not yet a day missed)."""
        if self.last != self.today:
            return self.last
        own = [d for d in self.days if d.day == self.today]
        if own and self._met_on(own[0]):
            return self.last
        return self.last - datetime.timedelta(days=1)

    @cached_property
    def working_days(self) -> list[datetime.date]:
        return working_days(self.first, self.counted_last)

    @property
    def days_met(self) -> int:
        working = set(self.working_days)
        return sum(1 for d in self.days if d.day in working and self._met_on(d))

    def expected(self, name: str) -> float:
        per_month = {"reports": self.rules.reports_per_month, "visits": self.rules.visits_per_month}
        return _expected(per_month[name], self.first, self.counted_last)

    def shares(self) -> dict[str, float]:
        """Each minimum's share met (0–1); a minimum of 0, or nothing elapsed, is left out."""
        shares: dict[str, float] = {}
        working = len(self.working_days)
        if working and self.rules.minutes_per_day:
            shares["time"] = min(1.0, self.days_met / working)
        for name in ("reports", "visits"):
            expected = self.expected(name)
            if expected > 0:
                shares[name] = min(1.0, self.total(name) / expected)
        return shares

    @property
    def rate(self) -> float | None:
        shares = self.shares()
        return sum(shares.values()) / len(shares) if shares else None

    @property
    def met(self) -> bool | None:
        shares = self.shares()
        return all(s >= 1.0 for s in shares.values()) if shares else None

    @cached_property
    def summary(self) -> dict:
        return self.as_dict()

    def as_dict(self) -> dict:
        return {
            "officer": {"username": self.officer.get_username(), "name": self.name},
            "grids": self.grids,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "patrol_hours": self.patrol_hours,
            "distance_km": self.distance_km,
            "patrols": self.total("patrols"),
            "check_ins": self.total("check_ins"),
            "reports": self.total("reports"),
            "visits": self.total("visits"),
            "working_days": len(self.working_days),
            "days_met": self.days_met,
            "reports_expected": round(self.expected("reports"), 1),
            "visits_expected": round(self.expected("visits"), 1),
            "rate": None if self.rate is None else round(self.rate, 4),
            "met": self.met,
            "days": [
                {
                    "day": d.day.isoformat(),
                    "patrol_minutes": d.patrol_seconds // 60,
                    "distance_m": d.distance_m,
                    "patrols": d.patrols,
                    "check_ins": d.check_ins,
                    "reports": d.reports,
                    "visits": d.visits,
                }
                for d in self.days
            ],
        }


def duty_of(
    officers: Iterable[AbstractUser],
    first: datetime.date,
    last: datetime.date,
    *,
    today: datetime.date | None = None,
) -> list[OfficerDuty]:
    """Each officer's duty from `first` to `last` (not past today): one query for the days."""
    today = today or timezone.localdate(clock.now())
    last = min(last, today)
    rules = DutyRules.current()
    officers = list(officers)
    found = {o.pk: OfficerDuty(o, first, last, rules, today=today) for o in officers}
    rows = DutyDay.objects.filter(officer__in=list(found), day__gte=first, day__lte=last)
    for row in rows.order_by("officer", "day"):
        found[row.officer_id].days.append(row)
    grids: dict[int, list[str]] = defaultdict(list)
    assignments = Assignment.objects.filter(user__in=list(found), role__in=GRID_ROLES)
    for user_id, name in assignments.values_list("user", "area__name").order_by("area__code"):
        grids[user_id].append(name)
    for pk, duty in found.items():
        duty.grids = grids.get(pk, [])
    return [found[o.pk] for o in officers]


# ---------------------------------------------------------------------------------------------
# Who reads which sheet


def managed_paths(user: Person) -> list[str]:
    if not user.is_authenticated or not user.is_active:
        return []
    scope = scope_of(user)
    return sorted({p for codename in MANAGING for p in scope.area_paths(codename)})


def may_see_duty(user: Person) -> bool:
    """Whether the duty sheet is for this person at all: officers (their own) and managers."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or managed_paths(user):
        return True
    return Assignment.objects.filter(user=user, role__in=GRID_ROLES).exists()


def officers_under(user: Person, area: Area | None = None) -> list[AbstractUser]:
    """The grid officers whose sheets `user` may read (beneath `area` when given): those of
    the areas they manage, and themselves if they are one."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        condition = Q()
    else:
        condition = Q(pk__in=[])
        for path in managed_paths(user):
            condition |= at_or_beneath(path, field="area__path")
        condition |= Q(user=user)
    assignments = Assignment.objects.filter(condition, role__in=GRID_ROLES, user__is_active=True)
    if area is not None:
        assignments = assignments.filter(at_or_beneath(area.path, field="area__path"))
    ids = assignments.values("user")
    return list(
        User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "username", "pk")
    )


def may_read_officer(user: Person, officer: AbstractUser) -> bool:
    if not user.is_authenticated:
        return False
    return officer.pk == user.pk or any(o.pk == officer.pk for o in officers_under(user))


# ---------------------------------------------------------------------------------------------
# Patrol duty met, for the evaluation (`evaluation.contributed`, registered in ready())


def _has_duty(person: AbstractUser) -> bool:
    return (
        Assignment.objects.filter(user=person, role__in=GRID_ROLES).exists()
        or DutyDay.objects.filter(officer=person).exists()
    )


def _period_duty(person: AbstractUser, period, as_of: datetime.datetime) -> OfficerDuty | None:
    if not _has_duty(person):
        return None
    today = timezone.localdate(as_of)
    if period.first > today:
        return None
    return duty_of([person], period.first, period.last, today=today)[0]


def patrol_duty_met(person: AbstractUser, period, as_of: datetime.datetime) -> float | None:
    duty = _period_duty(person, period, as_of)
    return None if duty is None else duty.rate


def patrol_duty_words(person: AbstractUser, period, as_of: datetime.datetime) -> str:
    duty = _period_duty(person, period, as_of)
    if duty is None or duty.rate is None:
        return _("no data: no grid-officer duty in the period (shown as null)")
    return _(
        "mean of the minimums' shares met, each at most 1: %(days_met)d of %(working)d "
        "working days with %(minutes)d minutes on patrol inside the grids; %(reports)d of "
        "%(reports_expected).1f reports; %(visits)d of %(visits_expected).1f visits "
        "(monthly minimums prorated by working days)"
    ) % {
        "days_met": duty.days_met,
        "working": len(duty.working_days),
        "minutes": duty.rules.minutes_per_day,
        "reports": duty.total("reports"),
        "reports_expected": duty.expected("reports"),
        "visits": duty.total("visits"),
        "visits_expected": duty.expected("visits"),
    }
