"""Plans: activating one turns its steps into tasks and tells their owners, once; feedback is
recorded; past-due steps are marked late once, in working time, and the leaders above told."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from emergency import incidents, plans
from emergency.models import (
    IncidentEventKind,
    IncidentKind,
    Plan,
    PlanStep,
    StepLimitUnit,
    Task,
)
from emergency.tasks import sweep_late_tasks
from governance import clock
from governance.errors import InvalidTransition, NotPermitted
from governance.models import Role
from notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=SHANGHAI)


def flood_plan(city) -> Plan:
    plan = Plan.objects.create(
        name="城市防汛应急预案",
        name_en="Urban flood plan",
        kind=IncidentKind.FLOOD,
        min_level=2,
        max_level=4,
        command_group="区防汛指挥部",
        termination="积水全部排除",
    )
    PlanStep.objects.create(
        plan=plan,
        order=1,
        title="排查积水点",
        title_en="Check the flooded spots",
        owner_role=Role.OFFICER,
        limit=30,
        limit_unit=StepLimitUnit.MINUTES,
        feedback_expected="积水点位置与深度",
    )
    PlanStep.objects.create(
        plan=plan,
        order=2,
        title="抽排积水",
        title_en="Pump the water out",
        owner_department=city.other_department,
        limit=2,
        limit_unit=StepLimitUnit.WORKING_HOURS,
    )
    PlanStep.objects.create(
        plan=plan,
        order=3,
        title="上报灾情",
        owner_role=Role.LEADER,
        limit=1,
        limit_unit=StepLimitUnit.WORKING_DAYS,
    )
    return plan


def declare(people, city, **extra):
    return incidents.declare_incident(
        by=people.street_leader,
        title="暴雨内涝",
        title_en="Rainstorm flooding",
        kind=IncidentKind.FLOOD,
        level=3,
        areas=[city.grid_a],
        **extra,
    )


def told(kind=NotificationKind.EMERGENCY_TASK) -> set[tuple[str, str]]:
    return {
        (n.user.username, n.params.get("title_en", ""))
        for n in Notification.objects.filter(kind=kind).select_related("user")
    }


def test_plans_for_an_incident_are_those_of_its_kind_and_level(city, people):
    plan = flood_plan(city)
    Plan.objects.create(name="重大", kind=IncidentKind.FLOOD, min_level=1, max_level=1)
    Plan.objects.create(name="火灾", kind=IncidentKind.FIRE, min_level=1, max_level=4)
    Plan.objects.create(name="旧", kind=IncidentKind.FLOOD, min_level=1, max_level=4, active=False)
    assert list(plans.plans_for(declare(people, city))) == [plan]


def test_activating_creates_the_tasks_and_tells_each_owner_once(city, people):
    plan = flood_plan(city)
    incident = declare(people, city)
    with clock.travel(FRIDAY_4PM):
        activation, created = plans.activate_plan(
            incident=incident, plan=plan, by=people.street_leader
        )
    assert created
    tasks = list(activation.tasks.order_by("order"))
    assert [t.title for t in tasks] == ["排查积水点", "抽排积水", "上报灾情"]
    # The role at the affected grid; the department; the leader of the nearest area above.
    assert list(tasks[0].owner_people.all()) == [people.officer_a]
    assert tasks[1].owner_department == city.other_department
    assert list(tasks[2].owner_people.all()) == [people.street_leader]
    # Due: 30 clock minutes; 2 working hours (Friday 16:00 + 1 h, Monday 09:00 + 1 h);
    # one working day (Monday, the same time).
    assert tasks[0].due_at == datetime(2026, 11, 27, 16, 30, tzinfo=SHANGHAI)
    assert tasks[1].due_at == datetime(2026, 11, 30, 10, 0, tzinfo=SHANGHAI)
    assert tasks[2].due_at == datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI)
    assert told() == {
        ("officer_a", "Check the flooded spots (Rainstorm flooding)"),
        ("other_clerk", "Pump the water out (Rainstorm flooding)"),
        ("street_leader", "上报灾情 (Rainstorm flooding)"),
    }
    assert incident.events.filter(kind=IncidentEventKind.PLAN_ACTIVATED).count() == 1

    again, created = plans.activate_plan(incident=incident, plan=plan, by=people.dispatcher)
    assert (again, created) == (activation, False)
    assert Task.objects.count() == 3
    assert Notification.objects.filter(kind=NotificationKind.EMERGENCY_TASK).count() == 3
    assert incident.events.filter(kind=IncidentEventKind.PLAN_ACTIVATED).count() == 1


def test_activating_needs_a_manager_and_an_open_incident(city, people):
    plan = flood_plan(city)
    incident = declare(people, city)
    with pytest.raises(NotPermitted):
        plans.activate_plan(incident=incident, plan=plan, by=people.officer_a)
    incidents.change_status(incident_id=incident.pk, by=people.street_leader, to="closed")
    with pytest.raises(InvalidTransition):
        plans.activate_plan(incident=incident, plan=plan, by=people.street_leader)
    assert not Task.objects.exists()


def test_owners_give_feedback_once_and_others_may_not(city, people):
    plan = flood_plan(city)
    incident = declare(people, city)
    activation, _created = plans.activate_plan(
        incident=incident, plan=plan, by=people.street_leader
    )
    pump = activation.tasks.get(order=2)
    assert list(plans.tasks_for(people.other_clerk)) == [pump]
    assert list(plans.tasks_for(people.clerk)) == []
    with pytest.raises(NotPermitted):
        plans.record_feedback(task_id=pump.pk, by=people.clerk, text="?")
    with pytest.raises(NotPermitted):
        plans.record_feedback(task_id=pump.pk, by=people.officer_a, text="?")
    plans.record_feedback(task_id=pump.pk, by=people.other_clerk, text="两台泵已到位")
    pump.refresh_from_db()
    assert (pump.feedback, pump.feedback_by, pump.late) == (
        "两台泵已到位",
        people.other_clerk,
        False,
    )
    assert pump.on_time is True
    with pytest.raises(InvalidTransition):
        plans.record_feedback(task_id=pump.pk, by=people.other_clerk, text="again")
    entry = incident.events.get(kind=IncidentEventKind.STEP_FEEDBACK)
    assert entry.note == "两台泵已到位"


def test_the_sweep_marks_late_in_working_time_once_and_tells_the_leaders_above(city, people):
    plan = flood_plan(city)
    with clock.travel(FRIDAY_4PM):
        incident = declare(people, city)
        activation, _created = plans.activate_plan(
            incident=incident, plan=plan, by=people.street_leader
        )
    check, pump, report = activation.tasks.order_by("order")
    Notification.objects.all().delete()
    with clock.travel(datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI)):  # Saturday noon
        assert [t.pk for t in plans.sweep_late_tasks()] == [check.pk]  # 30 clock minutes
    # The pump's two working hours run to Monday 10:00, however long the weekend.
    with clock.travel(datetime(2026, 11, 30, 9, 59, tzinfo=SHANGHAI)):
        assert plans.sweep_late_tasks() == []
    with clock.travel(datetime(2026, 11, 30, 10, 1, tzinfo=SHANGHAI)):
        assert sweep_late_tasks.apply().get() == 1  # the beat's task, run here
        assert plans.sweep_late_tasks() == []  # once
    for task in (check, pump, report):
        task.refresh_from_db()
    assert (check.late, pump.late, report.late) == (True, True, False)
    assert pump.escalated_at is not None and pump.on_time is False
    # The incident is on grid A: no leader on its community, so the street's is told.
    assert told() == {
        ("street_leader", "Late: Check the flooded spots (Rainstorm flooding)"),
        ("street_leader", "Late: Pump the water out (Rainstorm flooding)"),
    }
    late = incident.events.filter(kind=IncidentEventKind.STEP_LATE).order_by("pk")
    assert [e.data["step"] for e in late] == ["排查积水点", "抽排积水"]
    assert late[0].data["to"] == [city.street_a.code]


def test_feedback_after_the_due_time_counts_late(city, people):
    plan = flood_plan(city)
    with clock.travel(FRIDAY_4PM):
        incident = declare(people, city)
        activation, _created = plans.activate_plan(
            incident=incident, plan=plan, by=people.street_leader
        )
    check = activation.tasks.get(order=1)
    with clock.travel(datetime(2026, 11, 27, 16, 45, tzinfo=SHANGHAI)):
        plans.record_feedback(task_id=check.pk, by=people.officer_a, text="三处积水")
    check.refresh_from_db()
    assert check.late and check.on_time is False
    with clock.travel(datetime(2026, 11, 27, 17, 0, tzinfo=SHANGHAI)):
        assert plans.sweep_late_tasks() == []  # answered: nobody is told


def test_the_embedded_scheduler_runs_the_lateness_sweep_too(city, people, monkeypatch):
    from governance import scheduler

    # Its thread closes its own connections between runs; here they are the test's.
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)

    plan = flood_plan(city)
    with clock.travel(FRIDAY_4PM):
        incident = declare(people, city)
        activation, _created = plans.activate_plan(
            incident=incident, plan=plan, by=people.street_leader
        )
    with clock.travel(datetime(2026, 11, 27, 16, 31, tzinfo=SHANGHAI)):
        scheduler.run_once()
    assert activation.tasks.get(order=1).late
