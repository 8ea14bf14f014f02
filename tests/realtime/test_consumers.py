"""Communicator tests of every consumer and its permissions."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from rest_framework.authtoken.models import Token

from config.asgi import application
from governance import workflow
from governance.models import Assignment
from governance.realtime import schemas
from tests.realtime.helpers import communicator

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://testserver")


def submit(city, people, point=None):
    lon, lat = point or city.point_a
    return workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="垃圾堆在路边",
        lon=lon,
        lat=lat,
        answers={"amount": "small"},
    )


def run(coroutine_function):
    return async_to_sync(coroutine_function)()


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


# --- public feed -----------------------------------------------------------------------------


def test_public_feed_is_open_to_anyone_and_carries_only_public_kinds(city, people):
    async def scenario():
        comm = await connected("/ws/live/", AnonymousUser())
        case = await database_sync_to_async(submit)(city, people)
        await database_sync_to_async(workflow.escalate_case)(
            case_id=case.pk, actor=people.street_leader, reason="拖延"
        )
        got = await received(comm)
        await comm.disconnect()
        return case, got

    case, got = run(scenario)
    assert [m["kind"] for m in got] == [schemas.CASE_CREATED]
    assert got[0]["tracking_id"] == case.tracking_id
    assert set(got[0]) == set(schemas.SCHEMAS[schemas.CASE_CREATED].fields)


# --- queue -----------------------------------------------------------------------------------


def test_queue_refuses_anonymous_and_people_without_areas(city, people):
    async def scenario():
        return [
            await refused("/ws/queue/", AnonymousUser()),
            await refused("/ws/queue/", people.citizen),
        ]

    assert run(scenario) == [True, True]


def test_officer_of_grid_b_never_receives_grid_a_events(city, people):
    async def scenario():
        a = await connected("/ws/queue/", people.officer_a)
        b = await connected("/ws/queue/", people.officer_b)
        leader = await connected("/ws/queue/", people.street_leader)
        case_a = await database_sync_to_async(submit)(city, people)
        await database_sync_to_async(workflow.file_case)(
            case_id=case_a.pk, actor=people.street_leader
        )
        await database_sync_to_async(workflow.escalate_case)(
            case_id=case_a.pk, actor=people.street_leader, reason="拖延"
        )
        case_b = await database_sync_to_async(submit)(city, people, city.point_b)
        got = [await received(x) for x in (a, b, leader)]
        for x in (a, b, leader):
            await x.disconnect()
        return case_a, case_b, got

    case_a, case_b, (got_a, got_b, got_leader) = run(scenario)
    assert {m["tracking_id"] for m in got_a} == {case_a.tracking_id}
    assert [m["kind"] for m in got_a] == [
        schemas.CASE_CREATED,
        schemas.CASE_TRANSITIONED,
        schemas.CASE_ESCALATED,
    ]
    assert [m["tracking_id"] for m in got_b] == [case_b.tracking_id]
    assert case_a.tracking_id not in str(got_b)
    assert {m["tracking_id"] for m in got_leader} == {case_a.tracking_id}  # street A only


def test_department_staff_hear_of_cases_dispatched_to_them_only(city, people):
    async def scenario():
        clerk = await connected("/ws/queue/", people.clerk)
        other = await connected("/ws/queue/", people.other_clerk)
        case = await database_sync_to_async(submit)(city, people)
        await database_sync_to_async(workflow.file_case)(
            case_id=case.pk, actor=people.street_leader
        )
        await database_sync_to_async(workflow.dispatch_case)(
            case_id=case.pk, actor=people.dispatcher
        )
        got = [await received(clerk), await received(other)]
        await clerk.disconnect()
        await other.disconnect()
        return got

    got_clerk, got_other = run(scenario)
    assert [m["status"] for m in got_clerk] == ["dispatched"]
    assert got_other == []


def test_a_withdrawn_permission_stops_the_stream_at_once(city, people):
    async def scenario():
        a = await connected("/ws/queue/", people.officer_a)
        await database_sync_to_async(Assignment.objects.filter(user=people.officer_a).delete)()
        await database_sync_to_async(submit)(city, people)
        got = await received(a)
        await a.disconnect()
        return got

    assert run(scenario) == []


# --- one case --------------------------------------------------------------------------------


def test_case_socket_is_refused_unless_the_person_may_view_the_case(city, people):
    case = submit(city, people)
    path = f"/ws/cases/{case.tracking_id}/"

    async def scenario():
        return {
            "anonymous": await refused(path, AnonymousUser()),
            "other_citizen": await refused(path, people.other_citizen),
            "officer_b": await refused(path, people.officer_b),
            "unknown": await refused("/ws/cases/NOPE/", people.admin),
            "citizen": await refused(path, people.citizen),
            "officer_a": await refused(path, people.officer_a),
        }

    assert run(scenario) == {
        "anonymous": True,
        "other_citizen": True,
        "officer_b": True,
        "unknown": True,
        "citizen": False,
        "officer_a": False,
    }


def test_case_timeline_reaches_the_reporter_without_internal_entries(city, people):
    case = submit(city, people)
    other = submit(city, people)
    path = f"/ws/cases/{case.tracking_id}/"

    async def scenario():
        citizen = await connected(path, people.citizen)
        officer = await connected(path, people.officer_a)
        for fn, kwargs in (
            (workflow.file_case, {"case_id": case.pk, "actor": people.street_leader}),
            (workflow.file_case, {"case_id": other.pk, "actor": people.street_leader}),
            (
                workflow.escalate_case,
                {"case_id": case.pk, "actor": people.street_leader, "reason": "x"},
            ),
        ):
            await database_sync_to_async(fn)(**kwargs)
        got = [await received(citizen), await received(officer)]
        await citizen.disconnect()
        await officer.disconnect()
        return got

    got_citizen, got_officer = run(scenario)
    assert [(m["kind"], m["status"]) for m in got_citizen] == [(schemas.CASE_TRANSITIONED, "filed")]
    assert [m["kind"] for m in got_officer] == [schemas.CASE_TRANSITIONED, schemas.CASE_ESCALATED]
    assert {m["tracking_id"] for m in got_officer} == {case.tracking_id}


def test_a_browser_holding_a_request_filed_without_an_account_follows_it_live(city, people):
    """The anonymous reporter's page (the session holds the tracking id, as after filing or
    the one-time link) gets the public steps live, never an internal one; a session that
    holds another request gets no socket for this one."""
    case = workflow.submit_case(
        actor=AnonymousUser(),
        category=city.category,
        description="垃圾堆在路边",
        lon=city.point_a[0],
        lat=city.point_a[1],
        answers={"amount": "small"},
        contact={"phone": "13800000000"},
    )
    path = f"/ws/cases/{case.tracking_id}/"

    def browser(held):
        comm = communicator(path, AnonymousUser())
        comm.scope["session"] = {"submitted_tracking_ids": held}
        return comm

    async def scenario():
        stranger = browser(["261129-ZZZZZZ"])
        refused_stranger = not (await stranger.connect())[0]
        holder = browser([case.tracking_id])
        assert (await holder.connect())[0]
        await database_sync_to_async(workflow.file_case)(
            case_id=case.pk, actor=people.street_leader
        )
        await database_sync_to_async(workflow.escalate_case)(
            case_id=case.pk, actor=people.street_leader, reason="内部"
        )
        got = await received(holder)
        await holder.disconnect()
        return refused_stranger, got

    refused_stranger, got = run(scenario)
    assert refused_stranger
    assert [(m["kind"], m["status"]) for m in got] == [(schemas.CASE_TRANSITIONED, "filed")]


# --- notifications ---------------------------------------------------------------------------


def test_notifications_socket_is_personal(city, people):
    async def scenario():
        refused_anonymous = await refused("/ws/notifications/", AnonymousUser())
        officer = await connected("/ws/notifications/", people.officer_a)
        other = await connected("/ws/notifications/", people.officer_b)
        case = await database_sync_to_async(submit)(city, people)
        got = [await received(officer), await received(other)]
        await officer.disconnect()
        await other.disconnect()
        return refused_anonymous, case, got

    refused_anonymous, case, (got_officer, got_other) = run(scenario)
    assert refused_anonymous
    [message] = got_officer
    assert message["kind"] == schemas.NOTIFICATION
    assert message["tracking_id"] == case.tracking_id and message["unread"] == 1
    assert got_other == []


def test_broadcast_reaches_every_signed_in_socket(city, people):
    from django.db import transaction

    from governance import events

    def send():
        with transaction.atomic():
            events.broadcast_on_commit("今晚维护")

    async def scenario():
        a = await connected("/ws/notifications/", people.citizen)
        b = await connected("/ws/notifications/", people.clerk)
        await database_sync_to_async(send)()
        got = [await received(a), await received(b)]
        await a.disconnect()
        await b.disconnect()
        return got

    assert [[m["text"] for m in got] for got in run(scenario)] == [["今晚维护"], ["今晚维护"]]


# --- authentication and origin (the full ASGI application) -----------------------------------


def session_cookie(client, user) -> tuple[bytes, bytes]:
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def test_session_authenticates_from_an_allowed_origin_only(city, people, client):
    cookie = session_cookie(client, people.officer_a)

    async def attempt(headers):
        comm = WebsocketCommunicator(application, "/ws/queue/", headers=headers)
        ok, _code = await comm.connect()
        if ok:
            await comm.disconnect()
        return ok

    async def scenario():
        return [
            await attempt([ORIGIN, cookie]),
            await attempt([(b"origin", b"http://evil.example"), cookie]),
            await attempt([cookie]),  # no origin: refused for cookie-authenticated browsers
            await attempt([ORIGIN]),  # allowed origin, no session: the queue refuses
        ]

    assert run(scenario) == [True, False, False, False]


def test_token_authenticates_other_systems_by_header_or_query(city, people):
    token = Token.objects.create(user=people.officer_a)

    async def attempt(path, headers=()):
        comm = WebsocketCommunicator(application, path, headers=list(headers))
        ok, _code = await comm.connect()
        if ok:
            await comm.disconnect()
        return ok

    async def scenario():
        return [
            await attempt("/ws/queue/", [(b"authorization", f"Token {token.key}".encode())]),
            await attempt(f"/ws/queue/?token={token.key}"),
            await attempt("/ws/queue/?token=wrong"),
            await attempt("/ws/queue/", [(b"authorization", b"Token wrong")]),
        ]

    assert run(scenario) == [True, True, False, False]


@pytest.mark.parametrize(
    ("host", "origin", "opens"),
    [
        (b"grid.example:8000", b"http://grid.example:8000", True),
        (b"grid.example:8000", b"http://grid.example:9000", False),  # another port, same host
        (b"grid.example:8000", b"https://grid.example:8000", False),  # another scheme
        (b"grid.example", b"http://grid.example:80", True),  # default ports are the same
        (b"grid.example", b"http://grid.example:8080", False),
        (b"grid.example", b"http://evil.example", False),
        (b"evil.example", b"http://evil.example", False),  # a host that is not allowed
        (None, b"http://grid.example:9000", False),  # no Host: default port only
        (b"grid.example", b"null", False),
    ],
)
def test_the_origin_check_compares_scheme_host_and_port(
    city, people, client, settings, host, origin, opens
):
    settings.ALLOWED_HOSTS = ["grid.example", "testserver"]
    cookie = session_cookie(client, people.officer_a)
    headers = [(b"origin", origin), cookie] + ([(b"host", host)] if host else [])

    async def attempt():
        comm = WebsocketCommunicator(application, "/ws/queue/", headers=headers)
        ok, _code = await comm.connect()
        if ok:
            await comm.disconnect()
        return ok

    assert run(attempt) is opens


def test_a_trusted_origin_and_a_tls_proxy(city, people, client, settings):
    settings.ALLOWED_HOSTS = ["grid.example"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.grid.example"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    cookie = session_cookie(client, people.officer_a)

    async def attempt(*headers):
        comm = WebsocketCommunicator(application, "/ws/queue/", headers=[cookie, *headers])
        ok, _code = await comm.connect()
        if ok:
            await comm.disconnect()
        return ok

    async def scenario():
        return [
            await attempt((b"origin", b"https://app.grid.example"), (b"host", b"grid.example")),
            await attempt(
                (b"origin", b"https://grid.example"),
                (b"host", b"grid.example"),
                (b"x-forwarded-proto", b"https"),
            ),
            await attempt((b"origin", b"https://grid.example"), (b"host", b"grid.example")),
        ]

    assert run(scenario) == [True, True, False]


def test_what_a_client_sends_is_ignored_unread(city, people):
    """Malformed or 100,000-deep JSON from a client never breaks the socket (issue 9, item 10)."""

    async def scenario():
        comm = await connected("/ws/live/", AnonymousUser())
        for text in ("not json", "[" * 100_000 + "]" * 100_000, '{"a": NaN}'):
            await comm.send_to(text_data=text)
        await comm.send_to(bytes_data=b"\x00\xff")
        case = await database_sync_to_async(submit)(city, people)
        got = await received(comm)
        await comm.disconnect()
        return case, got

    case, got = run(scenario)
    assert [m["tracking_id"] for m in got] == [case.tracking_id]
