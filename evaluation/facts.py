"""Deriving obligations from a case's timeline, and writing them.

`derive` is the one definition (the reference's table, read event by event); the subscriber
(`record_facts`) and the rebuild command both call it, so live facts and rebuilt facts are the
same rows by construction. Writing is an upsert keyed by (start event, kind): running it again
on events already seen changes nothing, which is what makes the subscriber idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from citizens.models import User
from evaluation.models import Kind, Obligation, Outcome, Policy
from governance.models import Case, CaseEvent, Department, EventKind
from governance.working_time import WorkingCalendar, calendar_around

# The columns an upsert rewrites (everything but the key and the id).
UPDATED_FIELDS = [
    "case",
    "area_path",
    "category",
    "department",
    "person",
    "fulfilled_by",
    "reporter",
    "channel",
    "starts_at",
    "deadline",
    "fulfilled_at",
    "outcome",
    "on_time",
    "reworked",
    "rating",
    "callback_satisfied",
    "callback_resolved",
    "end_event_id",
]
# Timeline kinds that can change a case's obligations (the others — notes, warnings,
# escalations, starts — never do, and the subscriber skips cases that only had those).
RELEVANT = frozenset(
    {
        EventKind.SUBMITTED,
        EventKind.FILED,
        EventKind.REJECTED,
        EventKind.MERGED,
        EventKind.DISPATCHED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
        EventKind.REWORK,
        EventKind.WITHDRAWN,
        EventKind.REOPENED,
        EventKind.RATED,
        EventKind.ROUTED,
        "callback",
    }
)


class Limits:
    """The intake and verification limits in working hours, and the calendar to add them."""

    def __init__(self, policy: Policy | None = None):
        policy = policy or Policy.current()
        self.intake_hours = policy.intake_limit_hours
        self.verification_hours = policy.verification_limit_hours
        # One calendar per year (loaded around its middle, it covers the year before and the
        # two after): a rebuild over years of history loads a handful, not one per day.
        self._calendars: dict[int, WorkingCalendar] = {}

    def after(self, moment: datetime, hours: float) -> datetime:
        year = timezone.localtime(moment).year
        calendar = self._calendars.get(year)
        if calendar is None:
            calendar = self._calendars[year] = calendar_around(date(year, 7, 1))
        return calendar.add_working_hours(moment, hours)


def _department_ids() -> dict[str, int]:
    return dict(Department.objects.values_list("code", "id"))


def _end(obligation: Obligation, event: CaseEvent, outcome: str, *, fulfilled: bool) -> None:
    obligation.outcome = outcome
    obligation.end_event_id = event.pk
    if fulfilled:
        obligation.fulfilled_at = event.created_at
        obligation.fulfilled_by_id = event.actor_id
        obligation.on_time = obligation.deadline is None or event.created_at <= obligation.deadline
    else:
        obligation.on_time = False if outcome == Outcome.REDISPATCHED else None


def derive(
    case: Case,
    events: Sequence[CaseEvent],
    *,
    limits: Limits,
    departments: dict[str, int],
    people: set[int] | None = None,
) -> list[Obligation]:
    """The case's obligations from its timeline (events oldest first), unsaved."""
    made: list[Obligation] = []

    def new(kind: str, event: CaseEvent, deadline: datetime | None, **extra: Any) -> Obligation:
        obligation = Obligation(
            case_id=case.pk,
            kind=kind,
            area_path=case.area_path,
            category_id=case.category_id,
            starts_at=event.created_at,
            deadline=deadline,
            start_event_id=event.pk,
            outcome=Outcome.OPEN,
            **extra,
        )
        made.append(obligation)
        return obligation

    intake = handling = verification = closing = None
    rating: int | None = None
    satisfied: bool | None = None
    resolved: bool | None = None
    for event in events:
        kind = event.kind
        data = event.data if isinstance(event.data, dict) else {}
        if kind == EventKind.SUBMITTED:
            if intake is None:
                intake = new(
                    Kind.INTAKE,
                    event,
                    limits.after(event.created_at, limits.intake_hours),
                    # The reporter, or the staff who filed a patrol finding or a call.
                    reporter_id=case.reporter_id or event.actor_id,
                    channel=case.channel,
                )
        elif kind in (EventKind.FILED, EventKind.REJECTED, EventKind.MERGED):
            if intake is not None and intake.outcome == Outcome.OPEN:
                _end(intake, event, kind, fulfilled=True)
            if kind != EventKind.FILED:
                for open_one in (handling, verification, closing):
                    if open_one is not None and open_one.outcome == Outcome.OPEN:
                        _end(open_one, event, Outcome.CANCELLED, fulfilled=False)
        elif kind == EventKind.WITHDRAWN:
            for open_one in (intake, handling, verification, closing):
                if open_one is not None and open_one.outcome == Outcome.OPEN:
                    _end(open_one, event, Outcome.CANCELLED, fulfilled=False)
        elif kind == EventKind.DISPATCHED:
            if handling is not None and handling.outcome == Outcome.OPEN:
                _end(handling, event, Outcome.REDISPATCHED, fulfilled=False)
            due = parse_datetime(data["due_at"]) if data.get("due_at") else None
            department = departments.get(data.get("department") or "")
            assignee = data.get("assignee")
            if people is not None and assignee not in people:
                assignee = None
            handling = new(Kind.HANDLING, event, due, department_id=department, person_id=assignee)
            if closing is None:
                closing = new(Kind.CLOSING, event, due, department_id=department)
            elif closing.outcome == Outcome.OPEN:
                closing.department_id = department
        elif kind == EventKind.RESOLVED:
            if handling is not None and handling.outcome == Outcome.OPEN:
                _end(handling, event, Outcome.RESOLVED, fulfilled=True)
            verification = new(
                Kind.VERIFICATION,
                event,
                limits.after(event.created_at, limits.verification_hours),
                department_id=handling.department_id if handling is not None else None,
            )
        elif kind in (EventKind.CLOSED, EventKind.REWORK):
            if verification is not None and verification.outcome == Outcome.OPEN:
                _end(verification, event, kind, fulfilled=True)
            if kind == EventKind.CLOSED:
                if closing is not None and closing.outcome == Outcome.OPEN:
                    _end(closing, event, Outcome.CLOSED, fulfilled=True)
            elif handling is not None and handling.outcome == Outcome.RESOLVED:
                handling.reworked = True
        elif kind == EventKind.REOPENED:
            rating = None
        elif kind == EventKind.RATED:
            value = data.get("rating")
            rating = value if isinstance(value, int) and 1 <= value <= 5 else rating
        elif kind == "callback":
            if isinstance(data.get("satisfied"), bool):
                satisfied = data["satisfied"]
            if isinstance(data.get("resolved"), bool):
                resolved = data["resolved"]
    if closing is not None:
        closing.rating = rating
        closing.callback_satisfied = satisfied
        closing.callback_resolved = resolved
    return made


def _people(events: Iterable[CaseEvent]) -> set[int]:
    wanted = {
        e.data.get("assignee")
        for e in events
        if e.kind == EventKind.DISPATCHED and isinstance(e.data, dict) and e.data.get("assignee")
    }
    if not wanted:
        return set()
    return set(User.objects.filter(pk__in=wanted).values_list("pk", flat=True))


class Step(NamedTuple):
    """What `derive` reads of a timeline entry (a `CaseEvent` has the same attributes)."""

    pk: int
    kind: str
    data: Any
    created_at: datetime
    actor_id: int | None


class CaseFacts(NamedTuple):
    """What `derive` reads of a case (a `Case` has the same attributes)."""

    pk: int
    area_path: str
    category_id: int
    reporter_id: int | None
    channel: str


def derive_all(*, batch: int = 5000, limits: Limits | None = None) -> Iterator[Obligation]:
    """Every case's obligations, case by case in id order, read in batches of `batch` cases
    with two queries each (the cases, their relevant events) — for the rebuild, which writes
    them as they come."""
    limits = limits or Limits()
    departments = _department_ids()
    people = set(User.objects.values_list("pk", flat=True))
    last = 0
    while True:
        cases = [
            CaseFacts(*row)
            for row in Case.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "area_path", "category_id", "reporter_id", "channel")[:batch]
        ]
        if not cases:
            return
        last = cases[-1].pk
        timelines: dict[int, list[Step]] = defaultdict(list)
        rows = (
            CaseEvent.objects.filter(case_id__gte=cases[0].pk, case_id__lte=last, kind__in=RELEVANT)
            .order_by("case_id", "pk")
            .values_list("case_id", "pk", "kind", "data", "created_at", "actor_id")
        )
        for case_id, *step in rows.iterator(chunk_size=20_000):
            timelines[case_id].append(Step(*step))
        for case in cases:
            yield from derive(
                case,  # type: ignore[arg-type]
                timelines.get(case.pk, ()),  # type: ignore[arg-type]
                limits=limits,
                departments=departments,
                people=people,
            )


def write_cases(
    case_ids: Iterable[int],
    *,
    limits: Limits | None = None,
    departments: dict[str, int] | None = None,
) -> int:
    """Derive and upsert the obligations of these cases from their whole timelines."""
    ids = sorted(set(case_ids))
    if not ids:
        return 0
    limits = limits or Limits()
    departments = departments if departments is not None else _department_ids()
    cases = {
        c.pk: c
        for c in Case.objects.filter(pk__in=ids).only(
            "id", "area_path", "category_id", "reporter_id", "channel"
        )
    }
    timelines: dict[int, list[CaseEvent]] = defaultdict(list)
    events = list(
        CaseEvent.objects.filter(case_id__in=list(cases), kind__in=RELEVANT)
        .only("id", "case_id", "kind", "actor_id", "data", "created_at")
        .order_by("case_id", "pk")
    )
    for event in events:
        timelines[event.case_id].append(event)
    people = _people(events)
    rows: list[Obligation] = []
    for pk, case in cases.items():
        rows += derive(
            case, timelines.get(pk, ()), limits=limits, departments=departments, people=people
        )
    if rows:
        with transaction.atomic():
            Obligation.objects.bulk_create(
                rows,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["start_event_id", "kind"],
                update_fields=UPDATED_FIELDS,
            )
    return len(rows)


def record_facts(events: Sequence[CaseEvent]) -> None:
    """The subscriber: the cases these events belong to get their obligations derived again."""
    write_cases({e.case_id for e in events if e.kind in RELEVANT})
