"""The outbox relay on the real PostgreSQL: a relay process killed while holding a change's row
(the next relay delivers it after the lease, nothing written twice), and a case's rows never
delivered out of order while another relay holds an earlier one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from citizens.models import ContactMessage
from governance import outbox, subscribers, workflow
from governance.models import OutboxMessage
from notifications.models import Notification
from tests.cases import submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (row locks, SKIP LOCKED, a second process on the same rows)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def relay_by_hand(monkeypatch):
    """No relay runs after commit here: the test runs each one itself."""
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    monkeypatch.setattr(outbox._waker, "wake", lambda: None)


def _database_url() -> str:
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgresql://{settings['USER']}@{host}:{port}/{settings['NAME']}"


KILLED_RELAY = textwrap.dedent(
    """
    import os, signal, django
    django.setup()
    from governance import outbox, subscribers

    @subscriber_name("zz-killed")
    def die(events):  # after every real subscriber wrote its rows, before the row is marked
        os.kill(os.getpid(), signal.SIGKILL)

    outbox.relay()
    """
).replace("subscriber_name", "subscribers.subscriber")


def test_a_relay_killed_while_holding_a_row_leaves_it_to_the_next_after_the_lease(
    city, people, relay_by_hand
):
    anonymous = AnonymousUser()
    case = submit(city, people, actor=anonymous, contact={"name": "张三", "phone": "13800000009"})
    [row] = OutboxMessage.objects.filter(delivered_at__isnull=True)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    worker = subprocess.run(
        [sys.executable, "-c", KILLED_RELAY], cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-2000:]

    row.refresh_from_db()
    assert row.delivered_at is None and row.claimed_until > timezone.now()  # still held
    told = sorted(Notification.objects.filter(case=case).values_list("user_id", "kind"))
    messages = list(ContactMessage.objects.filter(case=case).values_list("kind", flat=True))
    assert told and messages == ["confirmation"]  # written before the kill
    assert outbox.relay() == 0  # the lease holds: nobody else takes it yet

    OutboxMessage.objects.filter(pk=row.pk).update(claimed_until=timezone.now() - timedelta(1))
    assert outbox.relay() == 1
    row.refresh_from_db()
    assert row.delivered_at is not None
    # Delivered again, written once.
    assert sorted(Notification.objects.filter(case=case).values_list("user_id", "kind")) == told
    assert list(ContactMessage.objects.filter(case=case).values_list("kind", flat=True)) == [
        "confirmation"
    ]


def test_a_cases_later_row_waits_while_another_relay_holds_an_earlier_one(
    city, people, relay_by_hand, monkeypatch
):
    seen: list[int] = []
    monkeypatch.setitem(
        subscribers._subscribers, "zz-order", lambda events: seen.extend(e.pk for e in events)
    )
    case = submit(city, people)
    workflow.file_case(case_id=case.pk, actor=people.street_leader)
    other = submit(city, people)
    first, second, third = OutboxMessage.objects.order_by("pk")
    assert first.case_id == second.case_id == case.pk and third.case_id == other.pk

    # Another relay has claimed the case's first row and is still working on it: its lock
    # (SKIP LOCKED makes this relay pass over it) in an open transaction of its own.
    with psycopg.connect(_database_url(), autocommit=False) as elsewhere:
        elsewhere.execute(
            "SELECT id FROM governance_outboxmessage WHERE id = %s FOR UPDATE", [first.pk]
        )
        assert outbox.relay() == 1  # the other case's row only; the later row of this one waits
        assert [
            OutboxMessage.objects.get(pk=r.pk).delivered_at is None for r in (first, second)
        ] == [
            True,
            True,
        ]
        elsewhere.rollback()  # it died: its claim was never written

    # Its lease, as a relay would have written it, runs out too: then both, in order.
    assert outbox.relay() == 2
    filed = list(case.events.order_by("pk").values_list("pk", flat=True))
    assert [pk for pk in seen if pk in filed] == filed
