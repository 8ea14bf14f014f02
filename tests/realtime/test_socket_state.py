"""What an open socket keeps, and that it still checks access before every message.

Thousands of queue sockets stay open at once, so each keeps only its routing and the listening
person's id: not the handshake's headers and cookies, not the loaded session, not the account
(BENCHMARKS.md, memory per socket). Dropping them must not weaken the check: every event reads
the person again, so a deactivated account or a withdrawn permission stops the messages.
"""

from __future__ import annotations

import gc

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.base import SessionBase

from config.asgi import application
from governance import workflow
from governance.models import Assignment
from governance.realtime.consumers import QueueConsumer

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def _cookie(client, user) -> tuple[bytes, bytes]:
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def _submit(city, people):
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
    )


async def _received(comm, timeout=0.5) -> list[dict]:
    found = []
    while not await comm.receive_nothing(timeout=timeout):
        found.append(await comm.receive_json_from())
    return found


def _open_consumers() -> list[QueueConsumer]:
    # type(), not isinstance(): isinstance asks a lazy object its __class__, which evaluates it.
    return [o for o in gc.get_objects() if type(o) is QueueConsumer]


def _reachable(root, depth: int = 4) -> list:
    """Objects reachable from `root` within `depth` references (its own state, not modules)."""
    seen, frontier, found = {id(root)}, [root], []
    for _ in range(depth):
        following = []
        for item in frontier:
            for ref in gc.get_referents(item):
                kind = type(ref)
                if id(ref) in seen or issubclass(kind, type) or kind.__name__ == "module":
                    continue
                seen.add(id(ref))
                found.append(ref)
                following.append(ref)
        frontier = following
    return found


def test_an_open_queue_socket_keeps_neither_session_headers_nor_account(city, people, client):
    cookie = _cookie(client, people.officer_a)

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/queue/", headers=[ORIGIN, cookie])
        assert (await comm.connect())[0]
        consumers = _open_consumers()
        kept = [(dict(c.scope), c.person, _reachable(c)) for c in consumers]
        await comm.disconnect()
        return kept

    [(scope, person, reachable)] = run(scenario)
    assert person == people.officer_a.pk
    assert not {"user", "session", "headers", "cookies"} & set(scope)
    assert scope["path"] == "/ws/queue/"
    assert not [o for o in reachable if issubclass(type(o), SessionBase)]
    assert not [o for o in reachable if type(o).__name__ == "User"]
    assert not [o for o in reachable if type(o) is bytes and b"sessionid=" in o]


def test_a_deactivated_account_stops_hearing_at_once(city, people, client):
    cookie = _cookie(client, people.officer_a)

    def deactivate():
        people.officer_a.is_active = False
        people.officer_a.save()

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/queue/", headers=[ORIGIN, cookie])
        assert (await comm.connect())[0]
        before = await database_sync_to_async(_submit)(city, people)
        heard_before = await _received(comm)
        await database_sync_to_async(deactivate)()
        await database_sync_to_async(_submit)(city, people)
        heard_after = await _received(comm)
        await comm.disconnect()
        return before, heard_before, heard_after

    before, heard_before, heard_after = run(scenario)
    assert [m["tracking_id"] for m in heard_before] == [before.tracking_id]
    assert heard_after == []


def test_a_permission_withdrawn_from_a_session_socket_stops_it(city, people, client):
    cookie = _cookie(client, people.officer_a)

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/queue/", headers=[ORIGIN, cookie])
        assert (await comm.connect())[0]
        await database_sync_to_async(Assignment.objects.filter(user=people.officer_a).delete)()
        await database_sync_to_async(_submit)(city, people)
        heard = await _received(comm)
        await comm.disconnect()
        return heard

    assert run(scenario) == []


def run(coroutine_function):
    return async_to_sync(coroutine_function)()
