"""The time-limit sweep: warn once when most of a limit has passed, escalate when overdue.

Run every minute (Celery beat in production, an in-process thread when embedded). The
candidates are chosen in SQL (warnings: the stored `warn_at` has come; escalations: overdue,
a level left above, and a whole limit since the last escalation), then handled in batches of
`BATCH` cases per transaction. Each step is claimed in the database, so a sweep run twice, or
by two workers at once, never warns or escalates twice: the rows are locked with
`SELECT … FOR UPDATE SKIP LOCKED`, re-checked, and claimed by an update conditional on what
the sweep saw (`warned_at IS NULL`; the escalation level), its row count checked.

Escalation ladder: overdue and never escalated → the parent area's leaders (level 1); still
overdue one more limit after the previous escalation → a level up again, to the top of the tree
(where a case stays: it is not tried again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce, Length, Replace
from django.utils import timezone

from governance import clock, subscribers, workflow
from governance.models import Area, AreaDailyStatistics, Case
from governance.models.case import OPEN_STATUSES
from governance.paths import at_or_beneath


@dataclass
class SweepResult:
    warned: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    requeued: int = 0


BATCH = 100  # cases per transaction: short row locks, and few round trips per case


def _warn_candidates(now: datetime) -> list[int]:
    """Open cases not yet warned whose warning point has come: a range scan on the partial
    index `case_open_unwarned` over the stored `warn_at`, not a read of every open case."""
    return list(
        Case.objects.filter(status__in=OPEN_STATUSES, warned_at__isnull=True, warn_at__lte=now)
        .order_by("warn_at", "pk")
        .values_list("pk", flat=True)
    )


def _escalation_candidates(now: datetime) -> list[tuple[int, int]]:
    """(id, level) of the overdue open cases due a step up the ladder now, by due time.

    The whole test is in SQL, so a sweep reads only the cases it will escalate: not those
    escalated within their limit (most overdue cases), nor those already escalated to the top
    of their area path (a path of n areas has n - 1 levels above the grid's own), which
    would otherwise be locked and refused again on every sweep, forever.
    """
    start = Coalesce("dispatched_at", "created_at")
    limit = ExpressionWrapper(F("due_at") - start, output_field=DurationField())
    areas_on_path = Length("area_path") - Length(Replace("area_path", Value("/"), Value(""))) - 1
    return list(
        Case.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now)
        .alias(
            areas_on_path=areas_on_path,
            next_step=ExpressionWrapper(F("escalated_at") + limit, output_field=DateTimeField()),
        )
        .filter(escalation_level__lt=F("areas_on_path") - 1)
        .filter(
            Q(escalation_level=0)
            | Q(escalated_at__isnull=True)
            | Q(next_step__lte=now, escalated_at__lte=now - timedelta(minutes=1))
        )
        .order_by("due_at", "pk")
        .values_list("pk", "escalation_level")
    )


def sweep(now: datetime | None = None) -> SweepResult:
    """One pass: warnings, escalations, and deliveries still pending from an outage (the
    subscribers' catch-ups, `governance.subscribers.sweeper`)."""
    now = now or clock.now()
    result = SweepResult()
    with clock.travel(now):
        warn = _warn_candidates(now)
        for start in range(0, len(warn), BATCH):
            warned = workflow.warn_cases(warn[start : start + BATCH])
            result.warned += _in_order(warn[start : start + BATCH], warned)
        overdue = _escalation_candidates(now)
        for start in range(0, len(overdue), BATCH):
            batch = dict(overdue[start : start + BATCH])
            result.escalated += _in_order(list(batch), workflow.escalate_overdue_cases(batch))
    result.requeued = subscribers.sweep()
    return result


def _in_order(ids: list[int], cases: list[Case]) -> list[str]:
    tracking = {case.pk: case.tracking_id for case in cases}
    return [tracking[pk] for pk in ids if pk in tracking]


def daily_statistics(day: date) -> int:
    """Per area: the day's new, closed and overdue counts and the open total (idempotent).

    A system aggregate over all cases (no person asks), stored per area and day.
    """
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    written = 0
    for area in Area.objects.active():
        counts = Case.objects.filter(at_or_beneath(area.path)).aggregate(
            created=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
            closed=Count("pk", filter=Q(closed_at__gte=start, closed_at__lt=end)),
            open_total=Count("pk", filter=Q(status__in=OPEN_STATUSES, created_at__lt=end)),
            overdue=Count(
                "pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=end, created_at__lt=end)
            ),
        )
        AreaDailyStatistics.objects.update_or_create(area=area, day=day, defaults=counts)
        written += 1
    return written
