"""A case's time limit: when the sweep warns, how long the limit is, when it is overdue
enough to escalate; the sweep's warnings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction

from governance import clock
from governance.models import Case, EventKind
from governance.models.case import OPEN_STATUSES
from governance.workflow.recording import _Contended, _record_system_events

WARN_AT = 0.8  # the share of a time limit after which the sweep warns, once


def warning_time(case: Case) -> datetime | None:
    """When the sweep warns: WARN_AT of the way from dispatch (or submission) to due.

    Stored in `warn_at` wherever `due_at` is set (submission, dispatch), so the sweep reads
    only the cases to warn now from a partial index.
    """
    if case.due_at is None:
        return None
    start = case.dispatched_at or case.created_at
    return start + (case.due_at - start) * WARN_AT


def time_limit(case: Case) -> timedelta:
    """The case's current time limit: from dispatch (or submission) to due, at least a minute."""
    start = case.dispatched_at or case.created_at
    return max(case.due_at - start, timedelta(minutes=1))


def needs_escalation(case: Case, now: datetime) -> bool:
    """Overdue and not escalated yet, or still overdue a whole limit after the last escalation."""
    if not case.is_open or case.due_at is None or case.due_at > now:
        return False
    if case.escalation_level == 0 or case.escalated_at is None:
        return True
    return now >= case.escalated_at + time_limit(case)


def warn_cases(case_ids: Sequence[int]) -> list[Case]:
    """The system's notice that most of each case's time limit has passed (WARN_AT of it),
    once per limit, for many cases in one transaction (the sweep): the cases warned.

    Each case is locked (SKIP LOCKED: one another sweep holds is left to it), re-checked and
    claimed by an update conditional on `warned_at` still being empty, so two sweeps at once
    warn once.
    """
    now = clock.now()
    try:
        with transaction.atomic():
            cases = []
            for case in (
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("category")
                .filter(pk__in=list(case_ids), warned_at__isnull=True, due_at__isnull=False)
                .order_by("pk")
            ):
                if case.is_open and now >= warning_time(case):
                    cases.append(case)
            ids = [case.pk for case in cases]
            claimed = Case.objects.filter(
                pk__in=ids, warned_at__isnull=True, status__in=OPEN_STATUSES
            ).update(warned_at=now)
            if claimed != len(ids):
                raise _Contended
            for case in cases:
                case.warned_at = now
            _record_system_events(
                cases,
                kind=EventKind.WARNED,
                at=now,
                data=lambda case: {"due_at": case.due_at.isoformat()},
            )
    except _Contended:  # only where rows cannot be locked (SQLite): the next sweep retries
        return []
    return cases
