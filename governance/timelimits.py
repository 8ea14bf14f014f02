"""The time-limit sweep: warn once when most of a limit has passed, escalate when overdue.

Run every minute (Celery beat in production, an in-process thread when embedded). Each step
is claimed in the database, so a sweep run twice, or by two workers at once, never warns or
escalates twice:

- warn: `workflow.warn_case` claims with `UPDATE … WHERE warned_at IS NULL` (row count checked);
- escalate: the case row is locked with `SELECT … FOR UPDATE SKIP LOCKED` and re-read with the
  escalation level the sweep saw, so a second sweep skips it (or finds the level moved on).

Escalation ladder: overdue and never escalated → the parent area's leaders (level 1); still
overdue one more limit after the previous escalation → a level up again, to the top of the tree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import clock, workflow
from governance.errors import WorkflowError
from governance.models import Area, AreaDailyStatistics, Case
from governance.models.case import OPEN_STATUSES

logger = logging.getLogger(__name__)

WARN_THRESHOLD = 0.8


@dataclass
class SweepResult:
    warned: list[str] = field(default_factory=list)
    escalated: list[str] = field(default_factory=list)
    requeued: int = 0


def _limit(case: Case) -> timedelta:
    start = case.dispatched_at or case.created_at
    return max(case.due_at - start, timedelta(minutes=1))


def _warn_candidates(now: datetime) -> list[int]:
    """Open cases not yet warned whose warning point has come (due_at index, then exact check)."""
    horizon = timedelta(days=settings.GOVERNANCE.get("WARN_HORIZON_DAYS", 60))
    rows = (
        Case.objects.filter(
            status__in=OPEN_STATUSES,
            due_at__isnull=False,
            due_at__lte=now + horizon,
            warned_at__isnull=True,
        )
        .order_by("due_at")
        .values_list("pk", "due_at", "dispatched_at", "created_at")
    )
    ids = []
    for pk, due_at, dispatched_at, created_at in rows.iterator():
        start = dispatched_at or created_at
        if now >= start + (due_at - start) * WARN_THRESHOLD:
            ids.append(pk)
    return ids


def _needs_escalation(case: Case, now: datetime) -> bool:
    if not case.is_open or case.due_at is None or case.due_at > now:
        return False
    if case.escalation_level == 0 or case.escalated_at is None:
        return True
    return now >= case.escalated_at + _limit(case)


def escalate_if_overdue(case_id: int, *, seen_level: int) -> bool:
    """Escalate one overdue case a level up, unless another sweep already did (or is doing)."""
    now = clock.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(skip_locked=True)
            .filter(pk=case_id, escalation_level=seen_level)
            .first()
        )
        if case is None or not _needs_escalation(case, now):
            return False
        try:
            workflow.escalate_case(
                case_id=case_id,
                actor=None,
                reason=str(_("Overdue: escalated automatically.")),
                overdue=True,
            )
        except WorkflowError as error:  # at the top of the tree: nothing further to escalate to
            logger.info("sweep: %s not escalated: %s", case.tracking_id, error)
            return False
    return True


def sweep(now: datetime | None = None) -> SweepResult:
    """One pass: warnings, escalations, and deliveries still pending from an outage."""
    from citizens.notifications import requeue_pending

    now = now or clock.now()
    result = SweepResult()
    for case_id in _warn_candidates(now):
        with clock.travel(now):
            if workflow.warn_case(case_id=case_id, threshold=WARN_THRESHOLD):
                result.warned.append(
                    Case.objects.values_list("tracking_id", flat=True).get(pk=case_id)
                )
    overdue = (
        Case.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now)
        .order_by("due_at")
        .values_list(
            "pk",
            "escalation_level",
            "tracking_id",
            "escalated_at",
            "due_at",
            "dispatched_at",
            "created_at",
        )
    )
    for case_id, level, tracking_id, escalated_at, due_at, dispatched_at, created_at in list(
        overdue
    ):
        # Escalated within its limit already: skip without a transaction and a row lock per
        # case (the same test `_needs_escalation` repeats under the lock). At city scale most
        # overdue cases are in this state; locking each one made a sweep take minutes.
        if level > 0 and escalated_at is not None:
            start = dispatched_at or created_at
            if now < escalated_at + max(due_at - start, timedelta(minutes=1)):
                continue
        with clock.travel(now):
            if escalate_if_overdue(case_id, seen_level=level):
                result.escalated.append(tracking_id)
    result.requeued = requeue_pending()
    return result


def daily_statistics(day: date) -> int:
    """Per area: the day's new, closed and overdue counts and the open total (idempotent).

    A system aggregate over all cases (no person asks), stored per area and day.
    """
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = start + timedelta(days=1)
    written = 0
    for area in Area.objects.active():
        counts = Case.objects.filter(area_path__startswith=area.path).aggregate(
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
