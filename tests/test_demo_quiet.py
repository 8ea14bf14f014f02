"""A fresh demo starts quiet: its history has already been through the time-limit sweep.

Without that, the first sweep after `make run` warned and escalated every overdue case of the
replayed months at once, and a clerk started the demo with 40 unread notices.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

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


def test_the_next_minutes_bring_only_what_falls_due_in_them():
    now = timezone.now()
    seed_demo(now=now)
    later = sweep(now + timedelta(minutes=5))
    # Only a case whose warning point falls in those five minutes (a handful at most).
    assert len(later.warned) + len(later.escalated) <= 3
