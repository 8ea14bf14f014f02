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
from governance.tasks import relay_outbox
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
    real = events._send_all

    async def failing(layer, envelopes):
        if state["down"]:
            raise ConnectionError("redis is down")
        await real(layer, envelopes)

    monkeypatch.setattr(events, "_send_all", failing)
    return state


def test_filing_writes_its_side_effects_with_it_and_delivers_them_after_commit(
    city, people, layer, django_capture_on_commit_callbacks
):
    grid = _listen(layer, events.area_group(city.grid_a.code))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = submit(city, people)
    rows = list(OutboxMessage.objects.order_by("pk"))
    # One push row (every group's messages, sent in one trip), the matching of followers and
    # area alerts, the duplicate check, and the new timeline entry for the domain's subscribers.
    assert [r.kind for r in rows] == ["push", "task", "task", "events"]
    event = case.events.get()
    assert rows[1].payload == {"task": "citizens.tasks.fan_out_alerts", "args": [event.pk]}
    assert rows[2].payload == {"task": "governance.tasks.check_duplicates", "args": [case.pk]}
    assert rows[3].payload == {"events": [event.pk]}
    assert all(r.delivered_at is None and r.claimed_until for r in rows)  # held by the writer
    assert outbox.relay() == 0  # a relay meanwhile leaves them to the writer
    for callback in callbacks:
        callback()
    assert OutboxMessage.objects.filter(delivered_at__isnull=True).count() == 0
    assert [m["tracking_id"] for m in _received(layer, grid)] == [case.tracking_id]
    assert outbox.relay() == 0  # nothing is sent twice


def test_with_the_layer_down_pushes_wait_and_are_relayed_once(
    city, people, layer, layer_down, django_capture_on_commit_callbacks
):
    grid = _listen(layer, events.area_group(city.grid_a.code))
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(city, people)
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True)
    assert [m.kind for m in pending] == ["push"]  # the task went; the push waits
    assert pending.get().claimed_until is None and pending.get().attempts == 1
    assert _received(layer, grid) == []

    layer_down["down"] = False
    events.layer_breaker.reset()
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    assert [m["tracking_id"] for m in _received(layer, grid)] == [case.tracking_id]
    assert not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()


def test_the_next_delivery_after_an_outage_catches_up_the_backlog(
    city, people, layer, layer_down, django_capture_on_commit_callbacks
):
    grid = _listen(layer, events.area_group(city.grid_a.code))
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(city, people)
    layer_down["down"] = False
    events.layer_breaker.reset()
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
    assert OutboxMessage.objects.filter(delivered_at__isnull=True, kind="task").count() == 2

    state["down"] = False
    queueing.broker.reset()
    out = StringIO()
    call_command("relay_outbox", stdout=out)
    assert "relayed 2; still pending 0" in out.getvalue()
    assert queued == [
        ("citizens.tasks.fan_out_alerts", (case.events.get().pk,)),
        ("governance.tasks.check_duplicates", (case.pk,)),
    ]
    call_command("relay_outbox", stdout=StringIO())
    assert len(queued) == 2


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
