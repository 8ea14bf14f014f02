"""The time-limit sweep: warn once, escalate once per level, idempotent under re-runs and races."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection, connections
from django.utils import timezone

from governance import scheduler, timelimits, workflow
from governance.models import AreaDailyStatistics, Assignment, Case, CaseEvent
from notifications.models import Notification
from tests.realtime.test_events import submit


@pytest.fixture
def community_leader(city, people):
    from citizens.models import User

    leader = User.objects.create_user(username="community_leader", email="cl@example.com")
    Assignment.objects.create(user=leader, area=city.community_a, role="leader")
    return leader


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def at_fraction(case: Case, fraction: float):
    return case.created_at + (case.due_at - case.created_at) * fraction


def kinds(case: Case) -> list[str]:
    return list(case.events.values_list("kind", flat=True))


def test_warns_once_when_80_percent_of_the_limit_has_passed(city, people):
    case = fresh(submit(city, people))
    assert timelimits.sweep(at_fraction(case, 0.7)).warned == []
    assert timelimits.sweep(at_fraction(case, 0.85)).warned == [case.tracking_id]
    assert timelimits.sweep(at_fraction(case, 0.9)).warned == []
    case = fresh(case)
    assert case.warned_at is not None
    assert kinds(case) == ["submitted", "warned"]
    assert Notification.objects.filter(user=people.officer_a, kind="due_soon").count() == 1


def test_dispatch_restarts_the_limit_and_the_warning(city, people):
    case = fresh(submit(city, people))
    timelimits.sweep(at_fraction(case, 0.85))
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    case = fresh(case)
    assert case.warned_at is None
    start = case.dispatched_at
    assert timelimits.sweep(start + (case.due_at - start) * 0.9).warned == [case.tracking_id]
    # the department, who now holds the case, is the one warned
    assert Notification.objects.filter(user=people.clerk, kind="due_soon").count() == 1


def test_the_warning_point_follows_the_limit_through_dispatch_rework_and_reopen(city, people):
    def warns_at(case: Case) -> None:
        """Stored right, and the sweep warns just after it, not just before."""
        case = fresh(case)
        start = case.dispatched_at or case.created_at
        assert case.warn_at == start + (case.due_at - start) * 0.8
        assert timelimits.sweep(case.warn_at - timedelta(seconds=1)).warned == []
        assert timelimits.sweep(case.warn_at + timedelta(seconds=1)).warned == [case.tracking_id]

    case = fresh(submit(city, people))
    warns_at(case)
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    with timelimits.clock.travel(case.created_at + timedelta(hours=1)):
        workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    assert fresh(case).warn_at > case.warn_at  # the limit starts again at dispatch
    warns_at(case)
    dispatched = fresh(case).warn_at
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="已清理")
    workflow.rework_case(case_id=case.pk, actor=people.officer_a, reason="现场仍有垃圾")
    assert fresh(case).warn_at == dispatched  # rework keeps the limit, and so its warning
    assert kinds(case).count("warned") == 2
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="已清理")
    workflow.verify_and_close_case(case_id=case.pk, actor=people.officer_a)
    workflow.reopen_case(case_id=case.pk, actor=people.citizen, reason="垃圾又出现了")
    assert fresh(case).warn_at == dispatched  # filed again: warned already for this limit
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    warns_at(case)


def test_overdue_escalates_once_to_the_parent_area_then_a_level_up_after_another_limit(
    city, people, community_leader
):
    case = fresh(submit(city, people))
    limit = case.due_at - case.created_at
    late = case.due_at + timedelta(minutes=1)
    assert timelimits.sweep(late).escalated == [case.tracking_id]
    assert timelimits.sweep(late + timedelta(minutes=5)).escalated == []
    case = fresh(case)
    assert case.escalation_level == 1
    escalation = case.events.get(kind="escalated")
    assert escalation.data == {"level": 1, "to": city.community_a.code, "overdue": True}
    assert Notification.objects.filter(user=community_leader, kind="escalated").count() == 1
    assert not Notification.objects.filter(user=people.street_leader, kind="escalated").exists()

    # still overdue one more limit later: a level up, to the street's leaders
    assert timelimits.sweep(late + limit / 2).escalated == []
    assert timelimits.sweep(late + limit + timedelta(minutes=1)).escalated == [case.tracking_id]
    case = fresh(case)
    assert case.escalation_level == 2
    assert Notification.objects.filter(user=people.street_leader, kind="escalated").count() == 1
    assert kinds(case).count("escalated") == 2


def test_a_case_escalated_to_the_top_of_the_tree_is_not_tried_again(
    city, people, community_leader, django_assert_max_num_queries
):
    case = fresh(submit(city, people))
    limit = case.due_at - case.created_at
    at = case.due_at + timedelta(minutes=1)
    levels = len(case.area_path.strip("/").split("/")) - 1  # the areas above the grid
    for _level in range(levels):
        assert timelimits.sweep(at).escalated == [case.tracking_id]
        at += limit + timedelta(minutes=1)
    assert fresh(case).escalation_level == levels
    escalations = CaseEvent.objects.filter(kind="escalated").count()
    # Still overdue, and a whole limit since the last escalation, but nothing is above the
    # city: the sweep reads its candidates and pending deliveries (notifications, messages to
    # reporters' contacts, followers' alerts, satisfaction callbacks), and locks nothing.
    with django_assert_max_num_queries(6):
        assert timelimits.sweep(at).escalated == []
    with django_assert_max_num_queries(6):
        assert timelimits.sweep(at + limit * 5).escalated == []
    assert CaseEvent.objects.filter(kind="escalated").count() == escalations == levels


def test_one_sweep_escalates_many_cases_each_to_its_leaders_in_few_queries(
    city,
    people,
    community_leader,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    cases = [fresh(submit(city, people)) for _ in range(3)]
    cases += [fresh(submit(city, people, city.point_b)) for _ in range(3)]
    late = max(c.due_at for c in cases) + timedelta(minutes=1)
    timelimits.sweep(late - (late - cases[0].created_at) * 0.1)  # the warnings, done before
    # One batch: the same few statements for any number of cases (one by one it was ~50 each);
    # who is told is the relay's work after commit, not counted here.
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(30):
        result = timelimits.sweep(late)
    assert sorted(result.escalated) == sorted(c.tracking_id for c in cases)
    for case in cases:
        escalation = fresh(case).events.get(kind="escalated")
        assert escalation.data["level"] == 1 and escalation.data["overdue"] is True
        assert escalation.data["to"] == fresh(case).area_path.strip("/").split("/")[-2]
    # community A's leader hears of community A's three cases only
    assert Notification.objects.filter(user=community_leader, kind="escalated").count() == 3
    assert {n.case_id for n in Notification.objects.filter(user=community_leader)} == {
        c.pk for c in cases[:3]
    }
    assert Notification.objects.filter(user=people.officer_a, kind="overdue").count() == 3
    assert Notification.objects.filter(user=people.officer_b, kind="overdue").count() == 3


def test_a_closed_case_is_neither_warned_nor_escalated(city, people):
    case = fresh(submit(city, people))
    workflow.reject_case(case_id=case.pk, actor=people.street_leader, reason="不属实")
    result = timelimits.sweep(case.due_at + timedelta(days=3))
    assert (result.warned, result.escalated) == ([], [])


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_never_warn_or_escalate_twice(city, people):
    cases = [fresh(submit(city, people)) for _ in range(3)]
    late = max(c.due_at for c in cases) + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results: list[timelimits.SweepResult] = []
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            results.append(timelimits.sweep(late))
        except BaseException as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    warned = sorted(t for r in results for t in r.warned)
    escalated = sorted(t for r in results for t in r.escalated)
    ids = sorted(c.tracking_id for c in cases)
    assert warned == ids and escalated == ids
    for case in cases:
        assert kinds(case).count("warned") == 1
        assert kinds(case).count("escalated") == 1
        assert fresh(case).escalation_level == 1


def test_daily_statistics_per_area_are_idempotent(city, people):
    case = fresh(submit(city, people))
    submit(city, people, city.point_b)
    day = timezone.localtime(case.created_at).date()
    assert timelimits.daily_statistics(day) == timelimits.daily_statistics(day)
    stats = AreaDailyStatistics.objects.get(area=city.street_a, day=day)
    assert (stats.created, stats.open_total, stats.closed) == (1, 1, 0)
    assert AreaDailyStatistics.objects.get(area=city.district, day=day).created == 2
    assert AreaDailyStatistics.objects.filter(day=day).count() == 10


def test_duplicate_check_notes_nearby_open_cases_once(city, people):
    from governance import duplicates

    first = submit(city, people)
    second = submit(city, people, (city.point_a[0] + 0.0001, city.point_a[1]))
    far = submit(city, people, (city.point_a[0] + 0.01, city.point_a[1]))
    # the task already ran eagerly after each submission; running it again changes nothing
    assert duplicates.check_duplicates(second.pk) == [first.tracking_id]
    notes = CaseEvent.objects.filter(case=second, kind="note")
    assert [n.data for n in notes] == [{"possible_duplicates": [first.tracking_id]}]
    assert notes[0].audience == "internal"
    assert not CaseEvent.objects.filter(case=far, kind="note").exists()


@pytest.mark.django_db(transaction=True)
def test_embedded_scheduler_escalates_an_overdue_case_by_itself(city, people, settings):
    from governance import clock

    with clock.travel(clock.now() - timedelta(days=30)):
        case = submit(city, people)
    assert connection.vendor in ("sqlite", "postgresql")
    stop = threading.Event()
    scheduler._started = None
    thread = scheduler.start(interval=0.2, stop=stop)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if fresh(case).escalation_level:
                    break
            except OperationalError:  # the test's in-memory SQLite: table locked by the sweep
                pass
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(5)
        scheduler._started = None
    assert fresh(case).escalation_level >= 1


def test_the_embedded_scheduler_stays_off_with_redis_or_under_tests(settings):
    settings.REDIS_URL = None
    assert scheduler.wanted() is False  # pytest is running
    settings.REDIS_URL = "redis://127.0.0.1:6379/5"
    assert scheduler.start_if_embedded() is None


def test_beat_runs_the_sweep_every_minute_and_the_statistics_nightly(city, people):
    from config.celery import app
    from governance import tasks

    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["governance.tasks.sweep_time_limits"] == 60.0
    assert "governance.tasks.daily_statistics" in schedule
    assert set(schedule) <= set(app.tasks)
    for name in ("sweep_time_limits", "check_duplicates", "daily_statistics"):
        task = getattr(tasks, name)
        assert task.acks_late and task.autoretry_for == tasks.TRANSIENT
    case = fresh(submit(city, people))
    with timelimits.clock.travel(case.due_at + timedelta(minutes=1)):
        result = tasks.sweep_time_limits.apply().get()
    assert result["escalated"] == [case.tracking_id]
    assert tasks.daily_statistics.apply(args=[case.due_at.date().isoformat()]).get() == 10
