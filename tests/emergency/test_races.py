"""Under a race: a plan activated by two managers at the same moment is activated once (its
tasks made and owners told once); two lateness sweeps at once mark and tell once. Real
concurrent transactions need PostgreSQL (SQLite serialises writers)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from emergency import incidents, plans
from emergency.models import Activation, IncidentEventKind, IncidentKind, Plan, PlanStep, Task
from governance import clock
from governance.models import Role
from notifications.models import Notification, NotificationKind

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def at_once(count: int, work) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_activations_and_two_sweeps_at_once_do_everything_once(city, people):
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD)
    for order in (1, 2):
        PlanStep.objects.create(
            plan=plan, order=order, title=f"步骤{order}", owner_role=Role.OFFICER, limit=30
        )
    incident = incidents.declare_incident(
        by=people.street_leader,
        title="暴雨内涝",
        kind=IncidentKind.FLOOD,
        level=3,
        areas=[city.grid_a],
    )
    results = at_once(
        4, lambda: plans.activate_plan(incident=incident, plan=plan, by=people.street_leader)[1]
    )
    assert sorted(results) == [False, False, False, True]
    assert Activation.objects.count() == 1 and Task.objects.count() == 2
    assert Notification.objects.filter(kind=NotificationKind.EMERGENCY_TASK).count() == 2

    later = clock.now() + timedelta(hours=1)

    def sweep() -> int:
        with clock.travel(later):
            return len(plans.sweep_late_tasks())

    assert sorted(at_once(3, sweep)) in ([0, 0, 2], [0, 1, 1])
    assert Task.objects.filter(late=True).count() == 2
    assert incident.events.filter(kind=IncidentEventKind.STEP_LATE).count() == 2
