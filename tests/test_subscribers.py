"""The domain's subscribers: every change's timeline entries reach each registered subscriber
after commit, oldest first; a failing subscriber keeps the row for the relay without starving
the others, and the retry reaches every subscriber again."""

from __future__ import annotations

import pytest

from governance import outbox, subscribers, workflow
from governance.models import EventKind, OutboxKind, OutboxMessage
from tests.cases import submit


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(subscribers, "_subscribers", {})
    monkeypatch.setattr(subscribers, "_live", set())
    return subscribers


def test_a_change_hands_its_events_to_every_subscriber_after_commit(
    city, people, registry, django_capture_on_commit_callbacks
):
    seen: dict[str, list[tuple[int, str]]] = {"a": [], "b": []}

    @registry.subscriber("a")
    def first(events):
        seen["a"].extend((e.case_id, e.kind) for e in events)

    @registry.subscriber("b")
    def second(events):
        seen["b"].extend((e.case_id, e.kind) for e in events)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submit(city, people)
        assert seen == {"a": [], "b": []}  # nothing before commit
    for callback in callbacks:
        callback()
    assert seen["a"] == [(case.pk, EventKind.SUBMITTED)]
    assert seen["b"] == seen["a"]
    row = OutboxMessage.objects.get(kind=OutboxKind.EVENTS)
    assert row.delivered_at is not None


def test_a_failing_subscriber_keeps_the_row_and_the_relay_hands_it_over_again(
    city, people, registry, django_capture_on_commit_callbacks
):
    calls: list[str] = []
    broken = {"yes": True}

    @registry.subscriber("flaky")
    def flaky(events):
        calls.append("flaky")
        if broken["yes"]:
            raise ConnectionError("service down")

    @registry.subscriber("steady")
    def steady(events):
        calls.append("steady")

    with django_capture_on_commit_callbacks(execute=True):
        submit(city, people)
    assert calls == ["flaky", "steady"]  # the failure did not starve the next subscriber
    row = OutboxMessage.objects.get(kind=OutboxKind.EVENTS)
    assert row.delivered_at is None and row.claimed_until is None

    broken["yes"] = False
    assert outbox.relay() >= 1
    assert calls == ["flaky", "steady", "flaky", "steady"]
    row.refresh_from_db()
    assert row.delivered_at is not None


def test_events_arrive_oldest_first(city, people, registry, django_capture_on_commit_callbacks):
    seen: list[int] = []

    @registry.subscriber("order")
    def order(events):
        seen.extend(e.pk for e in events)

    with django_capture_on_commit_callbacks(execute=True):
        case = submit(city, people)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.file_case(case_id=case.pk, actor=people.street_leader)
    assert seen == sorted(seen) and len(seen) == 2


def test_the_live_subscribers_pushes_go_out_before_the_slower_subscribers_run(
    city, people, registry, monkeypatch, django_capture_on_commit_callbacks
):
    """An open page sees the change without waiting for the notification centre's rows."""
    from governance.realtime import layer

    timeline: list[str] = []
    monkeypatch.setattr(
        layer, "send_many", lambda sends: timeline.extend(m["kind"] for _, m in sends) or True
    )

    @registry.subscriber("slow")  # registered first, still runs after the live one
    def slow(entries):
        timeline.append("slow ran")
        registry.push(["staff"], {"kind": "slow's push"})

    @registry.subscriber("view", live=True)
    def view(entries):
        timeline.append("view ran")
        registry.push(["grid"], {"kind": "case"})

    with django_capture_on_commit_callbacks(execute=True):
        submit(city, people)
    assert timeline == ["view ran", "case", "slow ran", "slow's push"]
