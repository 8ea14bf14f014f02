"""Household visits (走访): recording one, the residents due a visit, and the reminders.

- `visit_record(by=…, household=…, residents=…, …)`: an officer's visit, written with the
  follow-up case it asks for (`governance.workflow.submission.submit_case`, channel patrol)
  in one transaction: the visit and its case both, or neither.
- `due_visits(user=…, area=…)`: the residents tagged for regular visits (`VisitInterval`, per
  tag; `DEFAULT_INTERVALS` until an administrator sets one) that the person may see, with
  when their visit falls due: their last visit plus the interval, or the day they were
  registered if nobody has visited them yet.
- `correct_visit(by=…, visit_id=…, …)`: the visitor's correction of their own visit within a
  month, the former version kept on it.
- `remind_due_visits()`: the periodic job. Each resident's due date is told once
  (`VisitReminder`, unique per resident and due date) to the officers of their grid, in one
  notification per officer and grid and run; a re-run, or two at once, tells nobody twice.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance import clock
from governance.addresses import absolute
from governance.errors import InvalidInput, NotPermitted
from governance.models import Area, Assignment, Category, Channel, Role
from governance.workflow.submission import submit_case
from gridwork.access import Person, RecordAction, records_for
from gridwork.duty import compute_day
from gridwork.models import (
    DEFAULT_INTERVALS,
    Household,
    Resident,
    Visit,
    VisitInterval,
    VisitReminder,
)
from gridwork.search import within
from notifications.centre import notify
from notifications.models import NotificationKind

GRID_ROLES = (Role.OFFICER, Role.LEAD_OFFICER)
NOTES_LIMIT = 2000
# A visit is recorded, and corrected by its visitor, within a month of it.
CORRECTABLE_FOR = datetime.timedelta(days=31)


# ---------------------------------------------------------------------------------------------
# Intervals and what is due


@dataclass(frozen=True)
class Interval:
    every_days: int
    remind_days_before: int


def visit_intervals() -> dict[str, Interval]:
    """Tag → interval in force: the defaults, overridden (or switched off) per tag."""
    intervals = {tag: Interval(*days) for tag, days in DEFAULT_INTERVALS.items()}
    for row in VisitInterval.objects.all():
        if row.active and row.every_days:
            intervals[row.tag] = Interval(row.every_days, row.remind_days_before)
        else:
            intervals.pop(row.tag, None)
    return intervals


def _tagged(intervals: dict[str, Interval]) -> Q:
    # Tags are a JSON list of codes; `icontains` on the quoted code works on every database.
    condition = Q(pk__in=[])
    for tag in intervals:
        condition |= Q(tags__icontains=f'"{tag}"')
    return condition


@dataclass
class DueVisit:
    resident: Resident
    last_visit: datetime.date | None
    due_on: datetime.date
    every_days: int
    remind_on: datetime.date

    def overdue(self, today: datetime.date) -> bool:
        return self.due_on < today

    def days_left(self, today: datetime.date) -> int:
        return (self.due_on - today).days


def _due(resident: Resident, intervals: dict[str, Interval]) -> DueVisit | None:
    own = [intervals[tag] for tag in resident.tags or [] if tag in intervals]
    if not own:
        return None
    every = min(i.every_days for i in own)
    ahead = max(i.remind_days_before for i in own)
    last = resident.last_visit
    last_day = timezone.localdate(last) if last else None
    due_on = (
        last_day + datetime.timedelta(days=every)
        if last_day
        else timezone.localdate(resident.created_at)
    )
    return DueVisit(resident, last_day, due_on, every, due_on - datetime.timedelta(days=ahead))


def _candidates(residents: QuerySet[Resident], intervals: dict[str, Interval]) -> QuerySet:
    return (
        residents.filter(_tagged(intervals))
        .annotate(last_visit=Max("visits__visited_at"))
        .select_related("building", "household", "grid")
        .defer("grid__boundary")
    )


def due_visits(
    *,
    user: Person,
    area: Area | None = None,
    today: datetime.date | None = None,
    within_days: int | None = None,
) -> list[DueVisit]:
    """The residents `user` may see who are tagged for regular visits, soonest due first; only
    those due within `within_days` of `today` (overdue ones included) when it is given."""
    today = today or timezone.localdate(clock.now())
    intervals = visit_intervals()
    if not intervals:
        return []
    residents = within(records_for(user, Resident, RecordAction.VIEW), area)
    found = []
    for resident in _candidates(residents, intervals):
        due = _due(resident, intervals)
        if due is None:
            continue
        if within_days is not None and due.due_on > today + datetime.timedelta(days=within_days):
            continue
        found.append(due)
    found.sort(key=lambda d: (d.due_on, d.resident.name, d.resident.pk))
    return found


# ---------------------------------------------------------------------------------------------
# Recording a visit


def _clean_time(visited_at: datetime.datetime | None) -> datetime.datetime:
    now = clock.now()
    if visited_at is None:
        return now
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if visited_at > now + datetime.timedelta(minutes=5):
        raise InvalidInput({"visited_at": [_("A visit cannot be in the future.")]})
    if visited_at < now - CORRECTABLE_FOR:
        raise InvalidInput({"visited_at": [_("Record a visit within a month of making it.")]})
    return visited_at


def _point_of(visit: Visit, household: Household | None) -> tuple[float, float]:
    building = household.building if household else None
    if building is not None and building.lon is not None and building.lat is not None:
        return building.lon, building.lat
    grid = visit.grid
    if grid is not None and grid.min_lon is not None:
        return (grid.min_lon + grid.max_lon) / 2, (grid.min_lat + grid.max_lat) / 2
    raise InvalidInput({"follow_up": [_("This household has no place to file a case at.")]})


def _detail_errors(
    household: Household | None, residents: list[Resident], notes: str, minutes: int | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if household is None and not residents:
        errors["household"] = [_("Choose the household or the residents visited.")]
    if household is not None and any(r.household_id != household.pk for r in residents):
        errors["residents"] = [_("Choose residents of this household.")]
    if len(notes) > NOTES_LIMIT:
        errors["notes"] = [_("At most %(n)d characters.") % {"n": NOTES_LIMIT}]
    if minutes is not None and not 0 < minutes <= 600:
        errors["minutes"] = [_("Between 1 and 600 minutes.")]
    return errors


def visit_record(
    *,
    by: Person,
    household: Household | None = None,
    residents: Sequence[Resident] = (),
    visited_at: datetime.datetime | None = None,
    minutes: int | None = None,
    notes: str = "",
    follow_up: bool = False,
    follow_up_category: Category | None = None,
    follow_up_description: str = "",
) -> Visit:
    """Record `by`'s visit to `household` (and the `residents` seen there); with `follow_up`,
    file a case (channel patrol) at the household's building, linked to the visit.

    Refused (NotPermitted) unless `by` may edit the registry where the household is; nothing
    is written when anything is wrong."""
    residents = list(residents)
    notes = (notes or "").strip()
    errors = _detail_errors(household, residents, notes, minutes)
    if follow_up and follow_up_category is None:
        errors["follow_up_category"] = [_("Choose the category of the follow-up case.")]
    if follow_up and not (follow_up_description or "").strip():
        errors["follow_up_description"] = [_("Say what needs following up.")]
    if errors:
        raise InvalidInput(errors)
    visited_at = _clean_time(visited_at)

    editable_households = records_for(by, Household, RecordAction.EDIT)
    editable_residents = records_for(by, Resident, RecordAction.EDIT)
    if household is not None and not editable_households.filter(pk=household.pk).exists():
        raise NotPermitted(_("You may only record visits in your own grids."))
    if residents and editable_residents.filter(pk__in=[r.pk for r in residents]).count() != len(
        {r.pk for r in residents}
    ):
        raise NotPermitted(_("You may only record visits in your own grids."))
    first = residents[0] if residents else None
    if household is not None:
        grid_id, area_path = household.building.grid_id, household.area_path
    else:
        assert first is not None
        grid_id, area_path = first.grid_id, first.area_path

    with transaction.atomic():
        visit = Visit.objects.create(
            household=household,
            visitor=by,
            visited_at=visited_at,
            minutes=minutes,
            notes=notes,
            follow_up=follow_up,
            grid_id=grid_id,
            area_path=area_path,
        )
        visit.residents_seen.set(residents)
        if follow_up:
            assert follow_up_category is not None
            lon, lat = _point_of(visit, household)
            building = household.building if household else (first.building if first else None)
            visit.case = submit_case(
                actor=by,
                category=follow_up_category,
                description=follow_up_description,
                lon=lon,
                lat=lat,
                address=building.address if building else "",
                channel=Channel.PATROL,
            )
            visit.save(update_fields=["case"])
        # Re-check after writing: the visit lies where `by` may edit, or nothing is written.
        if not records_for(by, Visit, RecordAction.EDIT).filter(pk=visit.pk).exists():
            raise NotPermitted(_("You may only record visits in your own grids."))
    return visit


# ---------------------------------------------------------------------------------------------
# Correcting a visit


def may_correct(user: Person, visit: Visit) -> bool:
    """Only the officer who made a visit corrects it, while it is within a month (as long as it
    could still have been recorded)."""
    return (
        getattr(user, "pk", None) == visit.visitor_id
        and visit.visited_at >= clock.now() - CORRECTABLE_FOR
    )


def correct_visit(
    *,
    by: Person,
    visit_id: int,
    residents: Sequence[Resident],
    visited_at: datetime.datetime,
    minutes: int | None,
    notes: str,
) -> Visit:
    """`by`'s correction of their own visit: the residents seen, when, how long, the notes.
    The visit keeps what it said before (`corrections`); its household and its follow-up case
    stay as recorded. The visitor's duty rows of the days concerned are recomputed.

    Not found (Visit.DoesNotExist) when `by` may not see the visit; NotPermitted unless `by`
    made it, may still edit where it lies, and it is within a month; nothing is written when
    anything is wrong. A correction that changes nothing writes nothing."""
    with transaction.atomic():
        visit = (
            records_for(by, Visit, RecordAction.VIEW)
            .select_for_update(of=("self",))
            .select_related("household")
            .get(pk=visit_id)
        )
        if not may_correct(by, visit):
            raise NotPermitted(
                _("Only the officer who made a visit corrects it, within a month of it.")
            )
        if not records_for(by, Visit, RecordAction.EDIT).filter(pk=visit.pk).exists():
            raise NotPermitted(_("You may only record visits in your own grids."))
        residents = list(residents)
        notes = (notes or "").strip()
        errors = _detail_errors(visit.household, residents, notes, minutes)
        if residents and records_for(by, Resident, RecordAction.EDIT).filter(
            pk__in=[r.pk for r in residents]
        ).count() != len({r.pk for r in residents}):
            errors.setdefault("residents", []).append(_("Choose residents of this household."))
        if errors:
            raise InvalidInput(errors)
        visited_at = _clean_time(visited_at)
        before = {
            "visited_at": visit.visited_at.astimezone(datetime.UTC).isoformat(),
            "minutes": visit.minutes,
            "notes": visit.notes,
            "residents": sorted(visit.residents_seen.values_list("pk", flat=True)),
        }
        after = {
            "visited_at": visited_at.astimezone(datetime.UTC).isoformat(),
            "minutes": minutes,
            "notes": notes,
            "residents": sorted({r.pk for r in residents}),
        }
        if after == before:
            return visit
        now = clock.now()
        days = {timezone.localdate(visit.visited_at), timezone.localdate(visited_at)}
        visit.visited_at, visit.minutes, visit.notes = visited_at, minutes, notes
        visit.corrected_at = now
        visit.corrections = [*visit.corrections, {"at": now.isoformat(), "before": before}]
        visit.save(update_fields=["visited_at", "minutes", "notes", "corrected_at", "corrections"])
        visit.residents_seen.set(residents)
        for day in sorted(days):  # the visit counts on the day it was made
            compute_day(day, officers=[visit.visitor_id])
    return visit


# ---------------------------------------------------------------------------------------------
# Reminders


def _title_params(grid: Area, count: int) -> dict[str, str]:
    params = {}
    for language, key in (("zh-hans", "title"), ("en", "title_en")):
        with translation.override(language):
            params[key] = ngettext(
                "%(grid)s: %(count)d resident", "%(grid)s: %(count)d residents", count
            ) % {"grid": grid.display_name, "count": count}
    params["link"] = absolute(reverse("gridwork:visits") + f"?area={grid.code}")
    return params


def _claim(resident: Resident, due_on: datetime.date) -> bool:
    """Write the reminder of this due date; False when one was written already."""
    try:
        with transaction.atomic():
            VisitReminder.objects.create(resident=resident, due_on=due_on, grid=resident.grid)
    except IntegrityError:
        return False
    return True


def _officers_of(grid_ids: set[int]) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    assignments = Assignment.objects.filter(
        area_id__in=grid_ids, role__in=GRID_ROLES, user__is_active=True
    ).select_related("user")
    seen = set()
    for assignment in assignments:
        if (assignment.area_id, assignment.user_id) not in seen:
            seen.add((assignment.area_id, assignment.user_id))
            found[assignment.area_id].append(assignment.user)
    return found


def remind_due_visits(*, today: datetime.date | None = None) -> int:
    """Tell each grid's officers of the residents whose visit falls due within their interval's
    reminder days (or is overdue), once per due date; the number of residents newly told of."""
    today = today or timezone.localdate(clock.now())
    intervals = visit_intervals()
    if not intervals:
        return 0
    # Not yet told of this due date: compared in Python per candidate (a small share of the
    # registry carries a tag), claimed one by one so concurrent runs never both tell.
    told = 0
    by_grid: dict[int, list[DueVisit]] = defaultdict(list)
    residents = Resident.objects.filter(grid__isnull=False)
    for resident in _candidates(residents, intervals):
        due = _due(resident, intervals)
        if due is not None and due.remind_on <= today:
            by_grid[resident.grid_id].append(due)
    if not by_grid:
        return 0
    known = set(
        VisitReminder.objects.filter(
            resident_id__in=[d.resident.pk for dues in by_grid.values() for d in dues]
        ).values_list("resident_id", "due_on")
    )
    officers = _officers_of(set(by_grid))
    for grid_id, dues in by_grid.items():
        fresh = [d for d in dues if (d.resident.pk, d.due_on) not in known]
        if not fresh:
            continue
        with transaction.atomic():
            claimed = [d for d in fresh if _claim(d.resident, d.due_on)]
            if not claimed:
                continue
            grid = claimed[0].resident.grid
            params = _title_params(grid, len(claimed))
            for officer in officers.get(grid_id, []):
                notify(
                    user=officer,
                    kind=NotificationKind.VISIT_DUE,
                    case=None,
                    params=params,  # no names: a notification may go out by e-mail or SMS
                )
            told += len(claimed)
    return told


def recent_visits(*, user: Person, area: Area | None = None, limit: int = 50) -> list[Visit]:
    visits = within(records_for(user, Visit, RecordAction.VIEW), area)
    return list(
        visits.select_related("household__building", "visitor", "case")
        .prefetch_related("residents_seen")
        .order_by("-visited_at", "-pk")[:limit]
    )
