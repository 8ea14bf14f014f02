"""A fresh demo starts quiet: its history has already been through the time-limit sweep.

Without that, the first sweep after `make run` warned and escalated every overdue case of the
replayed months at once, and a clerk started the demo with 40 unread notices.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from governance import workflow
from governance.models import Case, CaseEvent, EventKind
from governance.seeding import seed_demo
from governance.timelimits import sweep
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_first_sweep_after_seeding_sends_nothing():
    now = timezone.now()
    seed_demo(now=now)
    notices = Notification.objects.count()

    result = sweep(now)

    assert (result.warned, result.escalated) == ([], [])
    assert Notification.objects.count() == notices
    # The overdue cases were warned and escalated in the past, as a lived history has them.
    overdue = list(Case.objects.overdue())
    assert len(overdue) >= 10
    for case in overdue:
        assert case.warned_at is not None and case.warned_at <= now, case.tracking_id
        if case.grid_id is not None:  # the city's own queue has no level above it
            assert case.escalation_level > 0, case.tracking_id
    swept = CaseEvent.objects.filter(kind__in=[EventKind.WARNED, EventKind.ESCALATED])
    assert swept.filter(created_at__lt=now - timedelta(hours=1)).count() >= len(overdue)
    assert not swept.filter(created_at__gt=now).exists()
    # Each timeline stays in order: a case's swept entries come after its last transition.
    for case in overdue:
        kinds = list(case.events.order_by("created_at", "pk").values_list("kind", flat=True))
        assert kinds[0] == "submitted", case.tracking_id


def _point_of(case: Case) -> datetime:
    """When the sweep next has something to do for an open case: its warning, its first
    escalation when it falls due, then one more each whole limit after the last."""
    if case.warned_at is None:
        return case.warn_at
    if case.escalation_level == 0 or case.escalated_at is None:
        return case.due_at
    return case.escalated_at + workflow.time_limit(case)


@pytest.mark.parametrize(
    "now",
    [
        None,  # the wall clock, as `make run` has it
        # Monday 16:58 in the city: a limit counted in working time ends at 17:00, so many
        # cases fall due in the same minute. They are due then, not a backlog.
        datetime(2026, 11, 30, 8, 58, tzinfo=UTC),
        # Monday 10:58: the limits that began with the working day fall due at 11:00.
        datetime(2026, 11, 30, 2, 58, tzinfo=UTC),
    ],
)
def test_the_next_minutes_bring_only_what_falls_due_in_them(now):
    now = now or timezone.now()
    seed_demo(now=now)
    later = now + timedelta(minutes=5)
    points = {case.tracking_id: _point_of(case) for case in Case.objects.open()}

    result = sweep(later)

    # The history left no backlog: whatever the sweep brings fell due in those five minutes.
    for tracking_id in result.warned + result.escalated:
        assert now < points[tracking_id] <= later, tracking_id
    assert len(result.warned) + len(result.escalated) == sum(
        now < point <= later for point in points.values()
    )
