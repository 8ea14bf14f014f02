"""Rules → alarms → cases: each rule kind judged from its kept state, one case per alarm,
re-trips and clearing recorded on it, and the batch evaluated in a few queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from governance import duplicates, workflow
from governance.models import Case, CaseEvent, Channel, EventKind, Status
from governance.models.case import OPEN_STATUSES
from sensing import rules
from sensing.models import Alarm, Datastream, RuleState
from sensing.observers import Reading, notify
from tests.sensing.rules_helpers import T0, at, feed, make_rule, make_stream

pytestmark = pytest.mark.django_db


def sensor_notes(case: Case) -> list[CaseEvent]:
    return list(case.events.filter(kind=EventKind.NOTE, data__has_key="sensing").order_by("pk"))


def test_a_threshold_trips_once_and_clears_below_its_band(city):
    stream = make_stream(city)
    rule = make_rule(stream, urgency="urgent")
    feed(stream, 3.0, 8.0)
    assert not Alarm.objects.exists() and not Case.objects.exists()

    feed(stream, 25.0, start=at(5))
    alarm = Alarm.objects.get()
    assert alarm.active and alarm.value == 25.0 and alarm.raised_at == at(5)
    case = alarm.case
    assert case.channel == Channel.SENSOR
    assert case.category == city.urgent_category  # the thing's component (the rule names none)
    assert case.urgency == "urgent" and case.grid == city.grid_a
    assert case.due_at is not None and case.status == Status.SUBMITTED
    assert case.reporter_id is None  # a sensor's case has no reporter to tell
    assert "井盖倾斜" in case.description and "25°" in case.description

    # In the band (below the trip, above the clearing value): still active, nothing new.
    feed(stream, 26.0, 15.0, start=at(6))
    alarm.refresh_from_db()
    assert alarm.active and alarm.trip_count == 1
    # Past the trip again: the same alarm and case, a note on it.
    feed(stream, 30.0, start=at(9))
    alarm.refresh_from_db()
    assert alarm.trip_count == 2 and Case.objects.count() == 1
    assert [n.data["sensing"] for n in sensor_notes(case)] == ["tripped"]

    feed(stream, 5.0, start=at(12))
    alarm.refresh_from_db()
    assert not alarm.active and alarm.cleared_at == at(12) and alarm.clear_value == 5.0
    notes = sensor_notes(case)
    assert [n.data["sensing"] for n in notes] == ["tripped", "cleared"]
    assert notes[-1].audience == "internal"
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED  # clearing is recorded; the rule does not resolve
    assert rule.alarms.count() == 1


def test_a_new_episode_adds_to_the_open_case(city):
    stream = make_stream(city)
    make_rule(stream)
    feed(stream, 25.0, 5.0, 40.0)
    first, second = Alarm.objects.order_by("pk")
    assert not first.active and second.active
    assert first.case_id == second.case_id and Case.objects.count() == 1
    assert [n.data["sensing"] for n in sensor_notes(first.case)] == ["cleared", "raised"]


def test_a_closed_case_is_not_taken_up_again(city, people):
    stream = make_stream(city)
    make_rule(stream)
    feed(stream, 25.0, 5.0)
    case = Alarm.objects.get().case
    workflow.reject_case(case_id=case.pk, actor=people.dispatcher, reason="已现场处理")
    feed(stream, 40.0, start=at(10))
    assert Case.objects.count() == 2
    assert Alarm.objects.filter(active=True).get().case != case


def test_a_duration_rule_needs_the_condition_held(city):
    stream = make_stream(city, prop="water level", unit="m")
    make_rule(stream, kind="duration", trip_at=2.0, clear_at=1.5, duration_s=600)
    feed(stream, 2.5, 2.6, 1.0, step=240)  # above for 4 min, then down: no alarm
    assert not Alarm.objects.exists()
    feed(stream, 2.8, 2.9, 3.0, start=at(20), step=300)  # above from 20 to 30 min
    alarm = Alarm.objects.get()
    assert alarm.raised_at == at(30)


def test_a_count_rule_needs_enough_trips_in_its_window(city):
    stream = make_stream(city, prop="bin fill", unit="%")
    make_rule(stream, kind="count", trip_at=90.0, clear_at=90.0, count=3, window_s=600)
    feed(stream, 95, 50, 95, 50, step=60)  # two trips
    assert not Alarm.objects.exists()
    feed(stream, 95, 50, start=at(20))  # the third, but the first two left the window
    assert not Alarm.objects.exists()
    feed(stream, 95, 50, 95, start=at(22))  # three within ten minutes
    alarm = Alarm.objects.get()
    assert alarm.active and alarm.raised_at == at(24)
    feed(stream, 10, start=at(40))  # the window holds no trip: it clears
    alarm.refresh_from_db()
    assert not alarm.active


def test_a_rate_of_change_rule_trips_on_a_jump(city):
    stream = make_stream(city, prop="electricity", unit="kWh")
    make_rule(stream, kind="rate", trip_at=100.0, clear_at=50.0)  # kWh per hour
    feed(stream, 10, 11, 12, step=3600)  # 1 kWh/h
    assert not Alarm.objects.exists()
    feed(stream, 212, start=T0 + timedelta(hours=3))  # 200 kWh in an hour
    assert Alarm.objects.get().active
    feed(stream, 220, start=T0 + timedelta(hours=4))  # 8 kWh/h
    assert not Alarm.objects.get().active


def test_no_signal_is_swept_and_cleared_by_the_next_reading(city):
    stream = make_stream(city, prop="tilt")
    make_rule(stream, kind="no_signal", trip_at=None, clear_at=None, window_s=3600)
    Datastream.objects.filter(pk=stream.pk).update(last_time=T0)
    assert rules.sweep_silent(T0 + timedelta(minutes=30)) == 0
    assert rules.sweep_silent(T0 + timedelta(hours=2)) == 1
    assert rules.sweep_silent(T0 + timedelta(hours=3)) == 0  # idempotent
    alarm = Alarm.objects.get()
    assert alarm.active and alarm.case is not None
    feed(stream, 1.0, start=T0 + timedelta(hours=3))
    alarm.refresh_from_db()
    assert not alarm.active


def test_a_property_rule_applies_to_every_stream_under_its_area(city):
    inside = make_stream(city, name="井盖 A", grid=city.grid_a)
    elsewhere = make_stream(city, name="井盖 B", grid=city.grid_b, point=city.point_b)
    make_rule(observed_property=inside.observed_property, area=city.street_a)
    feed(inside, 30.0)
    feed(elsewhere, 30.0)
    assert [a.thing.name for a in Alarm.objects.all()] == ["井盖 A"]


def test_out_of_order_and_repeated_readings_do_not_move_the_state(city):
    stream = make_stream(city)
    make_rule(stream)
    feed(stream, 25.0, start=at(10))
    feed(stream, 1.0, start=at(5))  # older than what the state has seen
    feed(stream, 1.0, start=at(10))  # the same time again
    assert Alarm.objects.get().active


def test_clearing_resolves_a_case_being_handled_when_the_rule_says_so(city, people):
    stream = make_stream(city)
    make_rule(stream, resolve_on_clear=True)
    feed(stream, 25.0)
    case = Alarm.objects.get().case
    workflow.file_case(case_id=case.pk, actor=people.dispatcher)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    workflow.start_case(case_id=case.pk, actor=people.other_clerk)
    feed(stream, 2.0, start=at(5))
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert case.events.filter(kind=EventKind.RESOLVED).get().note.startswith("告警已解除")


def test_one_active_alarm_per_thing_and_rule(city):
    stream = make_stream(city)
    rule = make_rule(stream)
    feed(stream, 25.0)
    alarm = Alarm.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alarm.objects.create(
            rule=rule, thing=alarm.thing, raised_at=T0, last_trip_at=T0, active=True
        )
    # A second datastream of the same thing tripping the same rule trips the one alarm.
    twin = Datastream.objects.create(
        name="twin",
        thing=stream.thing,
        sensor=stream.sensor,
        observed_property=stream.observed_property,
    )
    make_rule(observed_property=stream.observed_property, name="任一倾斜")
    feed(twin, 50.0)
    assert Alarm.objects.filter(active=True).count() == 2  # one per rule
    assert Case.objects.filter(status__in=OPEN_STATUSES).count() == 2


def test_a_batch_is_judged_in_a_few_queries_without_reading_history(city):
    streams = [make_stream(city, name=f"井盖 {i}") for i in range(20)]
    make_rule(observed_property=streams[0].observed_property, area=city.city)
    feed(streams[0], 1.0)  # the states of one stream exist; the others' are made in the batch
    readings = [
        Reading(s.pk, s.thing_id, at(10 + i), 1.0 + (i % 5)) for s in streams for i in range(25)
    ]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        notify(readings)
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) <= 6, sql
    assert not any("sensing_observation" in s for s in sql)
    assert RuleState.objects.count() == 20
    state = RuleState.objects.get(datastream=streams[3])
    assert state.last_value == 5.0 and state.last_time == at(34)


def test_a_citizen_report_of_the_same_cover_nearby_is_offered_for_merging(city, people):
    stream = make_stream(city)
    make_rule(stream)
    feed(stream, 25.0)
    sensor_case = Alarm.objects.get().case
    lon, lat = city.point_a
    citizen_case = workflow.submit_case(
        actor=people.citizen,
        category=city.urgent_category,
        description="井盖翘起来了",
        lon=lon + 0.0001,
        lat=lat,
    )
    assert duplicates.earlier_open_cases_near(citizen_case) == [sensor_case]
    duplicates.check_duplicates(citizen_case.pk)
    note = citizen_case.events.get(data__has_key="possible_duplicates")
    assert note.data["possible_duplicates"] == [sensor_case.tracking_id]
    # and staff may merge it into the sensor's case
    workflow.merge_case(case_id=citizen_case.pk, into_id=sensor_case.pk, actor=people.dispatcher)
    citizen_case.refresh_from_db()
    assert citizen_case.merged_into == sensor_case
