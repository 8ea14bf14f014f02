"""With Redis stopped for real, submitting and every transition still succeed; nothing is lost.

A private redis-server (never the shared one) carries the channel layer and the Celery broker;
it is shut down (SHUTDOWN NOSAVE) in the middle, then started again.
"""

from __future__ import annotations

import shutil
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.core import mail

from citizens import notifications
from citizens.models import Notification
from config.celery import app as celery_app
from governance import events, queueing, workflow
from governance.models import Case
from tests.realtime.helpers import communicator
from tests.realtime.redis_server import RedisServer
from tests.realtime.test_events import submit

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
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    use_broker(server.url, eager=False)
    yield server
    server.stop()
    use_broker(before[0], eager=before[1])
    channel_layers.backends.clear()
    events.layer_breaker.reset()
    queueing.broker.reset()


@pytest.mark.django_db(transaction=True)
def test_an_outage_fails_nothing_and_loses_nothing(city, people, client, private_redis):
    queue = private_redis.client()
    # Up: a submission queues its work on the broker.
    first = submit(city, people)
    assert queue.llen("celery") >= 1

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
    # The notifications are persisted, and show on the next page load.
    told = Notification.objects.filter(user=people.citizen, case=case)
    assert told.count() == 5 and all(n.emailed_at is None for n in told)
    client.force_login(people.citizen)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert all(n.title in page.content.decode() for n in told)
    assert 'data-unread="5"' in client.get("/notifications/unread/").content.decode()

    private_redis.start()  # back, empty: whatever was queued before the outage is gone too
    events.layer_breaker.reset()  # (the breaker would close by itself after a few seconds)
    queueing.broker.reset()
    pending = notifications.pending(older_than=timedelta(0))
    assert set(told.values_list("pk", flat=True)) <= set(pending)
    # The sweep (run by beat every minute) queues every pending delivery again…
    assert notifications.requeue_pending(older_than=timedelta(0)) == len(pending)
    assert private_redis.client().llen("celery") == len(pending)
    # …and a worker delivers them, each once.
    use_broker(private_redis.url, eager=True)
    notifications.requeue_pending(older_than=timedelta(0))
    notifications.requeue_pending(older_than=timedelta(0))
    to_citizen = [m for m in mail.outbox if m.to == ["citizen@example.com"]]
    assert sorted(m.subject for m in to_citizen) == sorted(told.values_list("title", flat=True))
    assert notifications.pending(older_than=timedelta(0)) == []
    assert first.pk


@pytest.mark.django_db(transaction=True)
def test_live_pushes_resume_when_redis_is_back(city, people, private_redis):
    private_redis.stop()
    submit(city, people)  # pushed nowhere, but saved
    private_redis.start()
    events.layer_breaker.reset()
    queueing.broker.reset()

    async def scenario():
        comm = communicator("/ws/notifications/", people.officer_a)
        ok, _ = await comm.connect()
        assert ok
        from channels.db import database_sync_to_async

        case = await database_sync_to_async(submit)(city, people)
        message = await comm.receive_json_from(timeout=3)
        await comm.disconnect()
        return case, message

    case, message = async_to_sync(scenario)()
    assert message["tracking_id"] == case.tracking_id
    assert message["unread"] == 2  # the one from the outage was kept
