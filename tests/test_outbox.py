"""The outbox: a change's pushes and tasks are written with it, delivered after commit once,
and, when the channel layer or the broker was down, relayed later, each exactly once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.core.management import call_command
from django.utils import timezone

from governance import events, outbox, queueing
from governance.models import OutboxMessage
from governance.realtime import layer as realtime_layer
from governance.tasks import relay_outbox
from notifications.models import Notification
from tests.cases import submit


@pytest.fixture
def layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield get_channel_layer()
    channel_layers.backends.clear()


def _listen(layer, group: str) -> str:
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def _received(layer, channel: str) -> list[dict]:
    queue = layer.channels.get(channel)
    messages = []
    while queue is not None and not queue.empty():
        messages.append(queue.get_nowait()[1]["payload"])
    return messages


@pytest.fixture
def layer_down(monkeypatch):
    """The channel layer refuses every send, as a stopped Redis does."""
    state = {"down": True}
    real = realtime_layer._send_all

    async def failing(layer, envelopes):
        if state["down"]:
            raise ConnectionError("redis is down")
        await real(layer, envelopes)

    monkeypatch.setattr(realtime_layer, "_send_all", failing)
    return state


def test_filing_writes_one_row_and_the_relay_makes_the_rest_after_commit(
    city, people, layer, django_capture_on_commit_callbacks
):
    grid = _listen(layer, events.area_group(city.grid_a.code))
    officer = _listen(layer, events.user_group(people.officer_a.pk))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submit(city, people)
    # One row naming the new timeline entry, for the relay: nothing else is written or sent.
    [row] = OutboxMessage.objects.all()
    event = case.events.get()
    assert (row.kind, row.payload, row.case_id) == ("events", {"events": [event.pk]}, case.pk)
    assert row.claimed_until is None and row.delivered_at is None  # the relay's to take
    assert not Notification.objects.filter(case=case).exists()
    assert _received(layer, grid) == []
    for callback in callbacks:  # after commit: the relay is woken (in place when eager)
        callback()
    row.refresh_from_db()
    assert row.delivered_at is not None
    assert [m["tracking_id"] for m in _received(layer, grid)] == [case.tracking_id]
    [told] = Notification.objects.filter(case=case, user=people.officer_a)
    assert [m["id"] for m in _received(layer, officer)] == [told.pk]
    assert outbox.relay() == 0  # nothing is delivered twice


def test_with_the_layer_down_the_row_waits_and_is_delivered_once_when_it_is_back(
    city, people, layer, layer_down, django_capture_on_commit_callbacks
):
    grid = _listen(layer, events.area_group(city.grid_a.code))
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(city, people)
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True)
    assert [m.kind for m in pending] == ["events"]  # its pushes did not go: it waits whole
    assert pending.get().claimed_until is None and pending.get().attempts == 1
    assert _received(layer, grid) == []
    told = sorted(Notification.objects.filter(case=case).values_list("user_id", "kind"))
    assert told  # written by the first attempt, and not again by the next ones

    assert outbox.relay() == 0  # still down: nothing lost, nothing written twice
    layer_down["down"] = False
    realtime_layer.layer_breaker.reset()
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    assert [m["tracking_id"] for m in _received(layer, grid)] == [case.tracking_id]
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    assert sorted(Notification.objects.filter(case=case).values_list("user_id", "kind")) == told


def test_the_next_delivery_after_an_outage_catches_up_the_backlog(
    city, people, layer, layer_down, django_capture_on_commit_callbacks
):
    grid = _listen(layer, events.area_group(city.grid_a.code))
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(city, people)
    layer_down["down"] = False
    realtime_layer.layer_breaker.reset()
    with django_capture_on_commit_callbacks(execute=True):
        second = submit(city, people)
    got = [m["tracking_id"] for m in _received(layer, grid) if m["kind"] == "case.created"]
    assert sorted(got) == sorted([first.tracking_id, second.tracking_id])  # each once
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()


def test_with_the_broker_down_tasks_wait_for_the_relay(
    request, city, people, layer, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[tuple[str, tuple]] = []
    state = {"down": True}

    def apply_async(self, args=None, kwargs=None, **options):
        if state["down"]:
            raise ConnectionError("broker is down")
        queued.append((self.name, tuple(args)))

    from celery import Task

    monkeypatch.setattr(Task, "apply_async", apply_async)
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    request.addfinalizer(lambda: setattr(app.conf, "task_always_eager", eager))
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(city, people)
    assert queued == []
    assert OutboxMessage.objects.filter(delivered_at__isnull=True, kind="events").count() == 1

    state["down"] = False
    queueing.broker.reset()
    out = StringIO()
    call_command("relay_outbox", stdout=out)
    assert "relayed 1; still pending 0" in out.getvalue()
    assert sorted(q for q in queued if q[0] != "governance.tasks.relay_now") == [
        ("citizens.tasks.fan_out_alerts", (case.events.get().pk,)),
        ("governance.tasks.check_duplicates", (case.pk,)),
    ]
    call_command("relay_outbox", stdout=StringIO())
    assert len([q for q in queued if q[0] != "governance.tasks.relay_now"]) == 2


def test_a_relay_takes_what_a_dead_writer_held_once_its_lease_ran_out(city, people, layer):
    stuck = OutboxMessage.objects.create(
        kind="push",
        payload={"sends": [[["broadcast"], {"kind": "broadcast", "text": "x", "at": "now"}]]},
        created_at=timezone.now(),
        claimed_until=timezone.now() + timedelta(seconds=30),
    )
    assert outbox.relay() == 0
    OutboxMessage.objects.filter(pk=stuck.pk).update(claimed_until=timezone.now())
    assert outbox.relay() == 1
    stuck.refresh_from_db()
    assert stuck.delivered_at is not None


def test_the_beat_task_relays_and_purges_what_was_delivered_a_day_ago(db, layer):
    old = timezone.now() - timedelta(days=2)
    OutboxMessage.objects.create(
        kind="push", payload={"sends": []}, created_at=old, delivered_at=old
    )
    OutboxMessage.objects.create(kind="push", payload={"sends": []}, created_at=timezone.now())
    assert relay_outbox() == {"relayed": 1, "purged": 1}
    assert OutboxMessage.objects.count() == 1


def test_a_subscriber_registers_its_own_kind(db, monkeypatch, django_capture_on_commit_callbacks):
    seen: list[dict] = []
    monkeypatch.setitem(outbox._handlers, "test.echo", None)

    @outbox.handler("test.echo")
    def echo(messages):
        seen.extend(m.payload for m in messages)
        return {m.pk for m in messages}

    with django_capture_on_commit_callbacks(execute=True):
        outbox.add(
            [
                OutboxMessage(kind="test.echo", payload={"n": 1}),
                OutboxMessage(kind="test.echo", payload={"n": 2}),
            ]
        )
    assert seen == [{"n": 1}, {"n": 2}]
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
