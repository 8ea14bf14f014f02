"""With Redis stopped for real, submitting and every transition still succeed; nothing is lost.

A private redis-server (never the shared one) carries the channel layer, the Celery broker and
the cache (the throttles, the version tokens); it is shut down (SHUTDOWN NOSAVE) in the middle,
then started again.
"""

from __future__ import annotations

import base64
import json
import shutil
import time
from datetime import timedelta
from typing import ClassVar

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from citizens import contact_updates
from citizens.following import telling
from citizens.models import ContactMessage
from config.celery import app as celery_app
from evaluation.models import CallbackRequest
from governance import caching, outbox, queueing, workflow
from governance.models import ApiKey, Case, CaseEvent, OutboxMessage
from governance.realtime import layer as realtime_layer
from notifications import centre as notifications
from notifications.models import Notification, NotificationPreference
from tests.pages.helpers import submission
from tests.realtime.helpers import communicator
from tests.realtime.redis_server import RedisServer
from tests.realtime.test_events import submit
from tests.scenario import token_for

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary"),
]


def use_broker(url: str, *, eager: bool) -> None:
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = eager
    celery_app.__dict__.pop("_pool", None)
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def private_redis(settings):
    server = RedisServer()
    server.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [server.url]},
        }
    }
    channel_layers.backends.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "governance.caching.FallbackRedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "redis-down",
        }
    }
    caching.reset()
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    use_broker(server.url, eager=False)
    yield server
    server.stop()
    use_broker(before[0], eager=before[1])
    channel_layers.backends.clear()
    realtime_layer.layer_breaker.reset()
    queueing.broker.reset()
    caching.reset()


@pytest.mark.django_db(transaction=True)
def test_an_outage_fails_nothing_and_loses_nothing(city, people, client, private_redis):
    queue = private_redis.client()
    # Up: a submission wakes the relay through the broker (from a background thread).
    first = submit(city, people)
    assert _eventually(lambda: queue.llen("celery") >= 1)

    private_redis.stop()
    # Down: submitting and every transition succeed, with no error for anyone, and quickly.
    started = time.monotonic()
    case = submit(city, people)
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    workflow.start_case(case_id=case.pk, actor=people.clerk)
    workflow.resolve_case(case_id=case.pk, actor=people.clerk, note="已清理")
    workflow.verify_and_close_case(case_id=case.pk, actor=people.officer_a)
    assert Case.objects.get(pk=case.pk).status == "closed"
    assert time.monotonic() - started < 10  # one failed attempt, not one per side effect
    # Nothing lost: each change's row waits in the outbox (the database) for the relay.
    waiting = OutboxMessage.objects.filter(delivered_at__isnull=True, case_id=case.pk)
    assert waiting.count() == 6

    private_redis.start()  # back, empty: whatever was queued before the outage is gone too
    realtime_layer.layer_breaker.reset()  # (the breaker would close by itself after a few seconds)
    queueing.broker.reset()
    relayed = outbox.relay()  # the beat's sweep (every 30 s), or the next change's wake-up
    assert relayed >= 6 and not waiting.exists()
    # The notifications are written once, and show on the next page load.
    # Five status changes; after closing, the satisfaction callback (回访) is asked once too.
    everything = Notification.objects.filter(user=people.citizen, case=case)
    told = everything.exclude(kind="callback")
    assert told.count() == 5 and all(n.emailed_at is None for n in told)
    assert everything.filter(kind="callback").count() == 1
    assert outbox.relay() == 0 and everything.count() == 6  # nothing twice
    client.force_login(people.citizen)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert all(n.title in page.content.decode() for n in told)
    assert 'data-unread="6"' in client.get("/notifications/unread/").content.decode()
    # The relay queued every delivery on the broker, and a worker delivers them, each once.
    pending = notifications.pending(older_than=timedelta(0))
    assert set(told.values_list("pk", flat=True)) <= set(pending)
    queued = [
        args[0] for name, args in _queued_tasks(private_redis) if name == notifications.DELIVER_TASK
    ]
    assert set(told.values_list("pk", flat=True)) <= set(queued)
    use_broker(private_redis.url, eager=True)
    notifications.requeue_pending(older_than=timedelta(0))
    notifications.requeue_pending(older_than=timedelta(0))
    to_citizen = [
        m for m in mail.outbox if m.to == ["citizen@example.com"] and "/callback/" not in m.body
    ]
    assert sorted(m.subject for m in to_citizen) == sorted(
        notifications.compose(n).subject for n in told
    )
    assert notifications.pending(older_than=timedelta(0)) == []
    assert first.pk


def _eventually(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.django_db(transaction=True)
def test_live_pushes_resume_when_redis_is_back(city, people, private_redis):
    private_redis.stop()
    submit(city, people)  # pushed nowhere, but saved
    private_redis.start()
    realtime_layer.layer_breaker.reset()
    queueing.broker.reset()

    async def scenario():
        comm = communicator("/ws/notifications/", people.officer_a)
        ok, _ = await comm.connect()
        assert ok
        from channels.db import database_sync_to_async

        case = await database_sync_to_async(submit)(city, people)
        await database_sync_to_async(outbox.relay)()  # what a worker does when woken
        heard = [await comm.receive_json_from(timeout=3)]
        while not await comm.receive_nothing(timeout=0.3):
            heard.append(await comm.receive_json_from())
        await comm.disconnect()
        return case, [m for m in heard if m["kind"] == "notification"]

    case, told = async_to_sync(scenario)()
    # The change made during the outage first, then the new one: in order, each once.
    assert [m["unread"] for m in told] == [1, 2]
    assert told[-1]["tracking_id"] == case.tracking_id


# --- every channel, every transition, the pages; then everything delivered once ----------


class RecordingSms:
    """An SMS gateway that keeps what it was given."""

    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append((phone, text))


class Site:
    """Test clients that remember every answer, to count the server errors."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, str, int]] = []

    def client(self, user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def call(self, client, method: str, path: str, data=None, **extra) -> HttpResponse:
        response = getattr(client, method)(path, data or {}, **extra)
        self.answers.append((method.upper(), path, response.status_code))
        return response

    def failed(self) -> list[tuple[str, str, int]]:
        return [answer for answer in self.answers if answer[2] >= 500]


def _act(site: Site, client, case: Case, name: str, data=None, *, citizen: bool = False):
    route = "citizens:request_act" if citizen else "governance:case_act"
    url = reverse(route, args=[case.tracking_id, name])
    response = site.call(client, "post", url, {f"{name}-{k}": v for k, v in (data or {}).items()})
    assert response.status_code == 302, (name, response.status_code)
    return Case.objects.get(pk=case.pk)


def _queued_tasks(server: RedisServer) -> list[tuple[str, list]]:
    """The tasks waiting in the broker's queue, oldest first: (name, args)."""
    found = []
    for raw in reversed(server.client().lrange("celery", 0, -1)):
        message = json.loads(raw)
        args = json.loads(base64.b64decode(message["body"]))[0]
        found.append((message["headers"]["task"], args))
    return found


@pytest.mark.django_db(transaction=True)
@pytest.mark.flaky(reruns=2)  # kills and restarts Redis: timing-sensitive on a loaded machine
def test_every_channel_files_and_everything_due_is_delivered_once_when_redis_is_back(
    city, people, private_redis, settings
):
    settings.SMS_GATEWAY = f"{__name__}.RecordingSms"
    RecordingSms.sent.clear()
    NotificationPreference.objects.create(
        user=people.citizen, kind="status_changed", in_app=True, email=True, sms=True
    )
    _key, api_key = ApiKey.objects.issue("outage test")
    site = Site()
    citizen, officer = site.client(people.citizen), site.client(people.officer_a)
    leader, dispatcher = site.client(people.street_leader), site.client(people.dispatcher)
    clerk, anonymous = site.client(people.clerk), site.client()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.citizen)}")
    lon, lat = city.point_a
    mail.outbox.clear()
    private_redis.stop()

    # Down. Filing through every channel: the citizen's form, staff filing, the API, Open311.
    started = time.monotonic()
    filed = Case.objects.count()
    site.call(citizen, "post", "/submit/", submission(city))
    site.call(anonymous, "post", "/submit/", submission(city, phone="13900000001"))
    site.call(officer, "post", "/work/file/", submission(city, channel="hotline"))
    answer = api.post(
        "/api/v1/cases/",
        {"category": city.category.code, "description": "路边垃圾", "lon": lon, "lat": lat}
        | {"answers": {"amount": "small"}},
        format="json",
    )
    site.answers.append(("POST", "/api/v1/cases/", answer.status_code))
    site.call(
        anonymous,
        "post",
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": city.category.code, "lat": lat, "long": lon}
        | {"description": "路口垃圾", "attribute[amount]": "large", "phone": "13900000002"},
    )
    new = list(Case.objects.order_by("pk")[filed:])
    assert [c.channel for c in new] == ["web", "web", "hotline", "api", "api"], site.answers
    mine, anonymous_case, hotline, by_api, by_open311 = new

    # Every transition, through the pages.
    mine = _act(site, leader, mine, "file")
    mine = _act(site, dispatcher, mine, "dispatch")
    mine = _act(site, clerk, mine, "start")
    mine = _act(site, clerk, mine, "resolve", {"note": "已清理"})
    mine = _act(site, officer, mine, "rework", {"reason": "还有垃圾"})
    mine = _act(site, clerk, mine, "resolve", {"note": "已清理"})
    mine = _act(site, officer, mine, "close", {"note": "核实"})
    mine = _act(site, citizen, mine, "rate", {"rating": "5"}, citizen=True)
    mine = _act(site, citizen, mine, "reopen", {"reason": "又堆上了"}, citizen=True)
    mine = _act(site, citizen, mine, "note", {"text": "在3号楼旁"}, citizen=True)
    hotline = _act(site, leader, hotline, "file")
    hotline = _act(site, leader, hotline, "escalate", {"reason": "需要街道协调"})
    anonymous_case = _act(site, leader, anonymous_case, "reject", {"reason": "不在受理范围"})
    by_open311 = _act(site, leader, by_open311, "merge", {"into": by_api.tracking_id})
    by_api = _act(site, citizen, by_api, "withdraw", citizen=True)
    assert [mine.status, hotline.escalation_level, anonymous_case.status] == [
        "filed",
        1,
        "rejected",
    ]
    assert [by_open311.status, by_api.status] == ["merged", "withdrawn"]

    # The pages.
    for client, path in [
        (anonymous, "/"),
        (citizen, "/"),
        (anonymous, "/submit/"),
        (anonymous, "/public/"),
        (anonymous, f"/public/{hotline.tracking_id}/"),
        (citizen, "/requests/"),
        (citizen, f"/requests/{mine.tracking_id}/"),
        (citizen, "/notifications/"),
        (officer, "/notifications/"),
        (officer, "/notifications/unread/"),
        (officer, "/work/queue/"),
        (officer, f"/work/cases/{mine.tracking_id}/"),
        (dispatcher, "/work/queue/"),
        (anonymous, "/open311/v2/requests.json"),
        (anonymous, "/api/v1/cases/"),
    ]:
        assert site.call(client, "get", path).status_code == 200, path
    took = time.monotonic() - started
    assert site.failed() == []
    assert took < 30  # Redis is skipped after one short failed attempt, not waited for

    # Nothing pushed or sent yet, and nothing lost: every change waits in the outbox.
    assert not any(m.to == ["citizen@example.com"] for m in mail.outbox)
    assert RecordingSms.sent == []
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True)
    entries = CaseEvent.objects.filter(case__in=new)
    assert sorted(e for m in pending for e in m.payload["events"]) == sorted(
        entries.values_list("pk", flat=True)
    )
    held = pending.count()

    # Back. The relay writes what the changes cause, pushes to the sockets open now, and
    # queues the tasks, each once.
    private_redis.start()
    realtime_layer.layer_breaker.reset()  # (the breakers close by themselves after a few seconds)
    queueing.broker.reset()
    caching.reset()

    async def reconnect_and_relay():
        sockets = {
            people.citizen.pk: communicator("/ws/notifications/", people.citizen),
            people.officer_a.pk: communicator("/ws/notifications/", people.officer_a),
            people.street_leader.pk: communicator("/ws/notifications/", people.street_leader),
            people.dispatcher.pk: communicator("/ws/notifications/", people.dispatcher),
            people.clerk.pk: communicator("/ws/notifications/", people.clerk),
        }
        for socket in sockets.values():
            assert (await socket.connect())[0]
        relayed = await database_sync_to_async(outbox.relay)()
        heard: list[tuple[int, int]] = []
        for user_id, socket in sockets.items():
            while not await socket.receive_nothing(timeout=1):
                message = await socket.receive_json_from()
                if message["kind"] == "notification":
                    heard.append((message["id"], user_id))
            await socket.disconnect()
        return relayed, heard

    relayed, heard = async_to_sync(reconnect_and_relay)()
    assert relayed == held and not OutboxMessage.objects.filter(delivered_at__isnull=True).exists()
    due = list(Notification.objects.filter(case__in=new).order_by("pk"))
    assert due and all(n.emailed_at is None and n.texted_at is None for n in due)
    expected_tasks = sorted(
        [("governance.tasks.check_duplicates", [c.pk]) for c in new]
        + [  # the matching of followers and area alerts, for each public timeline entry
            ("citizens.tasks.fan_out_alerts", [e.pk])
            for e in entries.select_related("case__category")
            if telling.is_public_step(e.case, e)
        ]
        + [
            ("citizens.tasks.deliver_notification", [n.pk])
            for n in due
            if n.email_wanted or n.sms_wanted
        ]
        # The anonymous reporters' confirmations (issue 10): to their contacts.
        + [("citizens.tasks.deliver_contact_message", [m.pk]) for m in ContactMessage.objects.all()]
        # The satisfaction callback (回访) of each case closed meanwhile, by e-mail or SMS.
        + [
            ("evaluation.tasks.deliver_callback", [r.pk])
            for r in CallbackRequest.objects.filter(case__in=new)
            if r.email_wanted or r.sms_wanted
        ]
    )
    in_app = {n.pk: n.user_id for n in due if n.in_app}
    listening = {people.citizen.pk, people.officer_a.pk, people.street_leader.pk}
    listening |= {people.dispatcher.pk, people.clerk.pk}
    # Every in-app notification pushed to its person's open page, exactly once.
    assert sorted(heard) == sorted((pk, user) for pk, user in in_app.items() if user in listening)
    queued = [t for t in _queued_tasks(private_redis) if t[0] != "governance.tasks.relay_now"]
    assert sorted(queued) == expected_tasks  # each task queued once
    assert outbox.relay() == 0  # a second relay: nothing written or queued twice
    assert Notification.objects.filter(case__in=new).count() == len(due)

    # A worker takes the queue: every e-mail and SMS goes out, once.
    for name, args in queued:
        celery_app.tasks[name].apply(args=args).get()
    # What is left is the tasks' own changes (the duplicate check's note): relayed once.
    left = list(OutboxMessage.objects.filter(delivered_at__isnull=True))
    assert all(m.kind == "events" for m in left)
    assert outbox.relay() == len(left)
    assert outbox.relay() == 0
    assert notifications.requeue_pending(older_than=timedelta(0)) == 0
    emailed = sorted(
        m.subject
        for m in mail.outbox
        if m.to == ["citizen@example.com"] and "/callback/" not in m.body  # 回访 apart
    )
    assert emailed == sorted(
        notifications.compose(n).subject for n in due if n.email_wanted and n.user == people.citizen
    )
    texted = sorted(text for _phone, text in RecordingSms.sent if "/track/link/" not in text)
    assert texted == sorted(notifications.compose(n).sms for n in due if n.sms_wanted)
    to_contacts = [text for _phone, text in RecordingSms.sent if "/track/link/" in text]
    assert len(to_contacts) == ContactMessage.objects.filter(sms_wanted=True).count()
    assert contact_updates.pending(older_than=timedelta(0)) == []
    assert all(
        n.emailed_at
        for n in Notification.objects.filter(pk__in=[n.pk for n in due], email_wanted=True)
    )
    lost = len(new) - Case.objects.filter(pk__in=[c.pk for c in new]).count()
    print(
        f"\nRedis down: {len(new)} filed through 4 channels, {len(site.answers)} requests, "
        f"{len(site.failed())} failed, {lost} lost, in {took:.1f} s; back: "
        f"{relayed} outbox rows relayed, {len(heard)} in-app pushes, "
        f"{len(emailed)} e-mails, {len(texted)} SMS, {len(expected_tasks)} tasks, each once"
    )
