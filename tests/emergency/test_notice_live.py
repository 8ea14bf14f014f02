"""Pushes reach connected sockets: each recipient's notification socket, and the roll-call
socket (names only for those who may read them); with the layer down the notice is recorded
and its pushes are delivered when the layer is back."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from emergency import answering, realtime
from emergency.models import Recipient
from governance import outbox
from governance.models import OutboxMessage
from governance.realtime import layer as realtime_layer
from governance.realtime.routing import websocket_urlpatterns
from notifications.models import Notification
from tests.emergency.notice_helpers import notice_to

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(path: str, user) -> WebsocketCommunicator:
    router = URLRouter(websocket_urlpatterns + realtime.routes())
    comm = WebsocketCommunicator(router, path)
    comm.scope["user"] = user if user is not None else AnonymousUser()
    return comm


async def connected(path, user):
    comm = communicator(path, user)
    ok, _code = await comm.connect()
    assert ok, f"{path} refused {user}"
    return comm


async def refused(path, user) -> bool:
    comm = communicator(path, user)
    ok, _code = await comm.connect()
    if ok:
        await comm.disconnect()
    return not ok


async def received(comm, timeout=0.5):
    found = []
    while not await comm.receive_nothing(timeout=timeout):
        found.append(await comm.receive_json_from())
    return found


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


def test_a_notice_reaches_the_notification_socket_of_each_recipient(city, people):
    async def scenario():
        officer = await connected("/ws/notifications/", people.officer_a)
        outsider = await connected("/ws/notifications/", people.officer_b)
        notice = await database_sync_to_async(notice_to)(
            people.dispatcher, [city.street_a], roles=["officer"]
        )
        got = [await received(officer), await received(outsider)]
        await officer.disconnect()
        await outsider.disconnect()
        return notice, got

    _notice, (got_officer, got_outsider) = run(scenario)
    [message] = got_officer
    told = Notification.objects.get(user=people.officer_a)
    assert message["kind"] == "notification" and message["id"] == told.pk
    assert message["notification_kind"] == "emergency_notice" and message["unread"] == 1
    assert "暴雨红色预警" in message["title"]
    assert got_outsider == []


def test_the_roll_call_socket_counts_live_and_names_only_for_those_permitted(city, people):
    notice = notice_to(people.dispatcher, [city.district])
    path = f"/ws/emergency/notices/{notice.pk}/roll-call/"
    token_a = Recipient.objects.get(notice=notice, user=people.officer_a).token
    token_b = Recipient.objects.get(notice=notice, user=people.officer_b).token

    async def scenario():
        refusals = [
            await refused(path, AnonymousUser()),
            await refused(path, people.citizen),
            await refused(path, people.clerk),
        ]
        sender = await connected(path, people.dispatcher)
        leader = await connected(path, people.street_leader)
        await database_sync_to_async(answering.answer)(token_a, "received")
        await database_sync_to_async(answering.answer)(token_b, "need_help")
        await database_sync_to_async(answering.answer)(token_b, "received")  # a second tap
        got = [await received(sender), await received(leader)]
        await sender.disconnect()
        await leader.disconnect()
        return refusals, got

    refusals, (got_sender, got_leader) = run(scenario)
    assert refusals == [True, True, True]
    assert [(m["answer"], m["reached"], m["name"]) for m in got_sender] == [
        ("received", True, "officer_a"),
        ("need_help", True, "officer_b"),
    ]
    assert [m["area"] for m in got_sender] == [city.grid_a.pk, city.grid_b.pk]
    # the street leader: both counts, the name of their street's officer only
    assert [(m["answer"], m["name"]) for m in got_leader] == [
        ("received", "officer_a"),
        ("need_help", ""),
    ]


def test_with_the_layer_down_the_notice_is_recorded_and_pushed_when_it_is_back(
    city, people, monkeypatch
):
    state = {"down": True}

    def failing(real):
        async def send(layer, envelopes, *args):
            if state["down"]:
                raise ConnectionError("redis is down")
            await real(layer, envelopes, *args)

        return send

    for name in ("_send_all", "_send_concurrently"):  # in memory, and Redis
        monkeypatch.setattr(realtime_layer, name, failing(getattr(realtime_layer, name)))

    async def scenario():
        officer = await connected("/ws/notifications/", people.officer_a)
        notice = await database_sync_to_async(notice_to)(
            people.dispatcher, [city.grid_a], roles=["officer"]
        )
        during = await received(officer)
        pending = await database_sync_to_async(
            lambda: list(OutboxMessage.objects.filter(delivered_at__isnull=True))
        )()
        state["down"] = False
        realtime_layer.layer_breaker.reset()
        relayed = await database_sync_to_async(outbox.relay)()
        after = await received(officer)
        await officer.disconnect()
        return notice, during, pending, relayed, after

    notice, during, pending, relayed, after = run(scenario)
    assert notice.recipients.count() == 1  # recorded all the same
    assert Notification.objects.filter(user=people.officer_a).count() == 1
    assert during == [] and [m.kind for m in pending] == ["emergency.push"]
    assert relayed == 1
    [message] = after
    assert message["notification_kind"] == "emergency_notice"
    assert outbox.relay() == 0  # once
