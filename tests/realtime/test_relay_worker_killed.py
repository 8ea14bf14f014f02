"""A real Celery worker killed (SIGKILL, the whole process group) while it relays a case's
outbox row: nothing is lost and nothing is written twice.

The worker is `celery -A config worker` on a private Redis (never the shared one) and the test's
PostgreSQL database. It dies after the notification centre and the contact's messages wrote
their rows for the first case, before the row was marked delivered. A second worker then takes
the relay task the first one never acknowledged (late acks, handed out again after the
visibility timeout) and the beat's sweep; once the dead worker's lease has run out, every row
is delivered, each case's notifications and contact message exist exactly once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from citizens.models import ContactMessage
from governance import outbox
from governance.models import OutboxMessage
from notifications.models import Notification
from tests.cases import submit
from tests.realtime.redis_server import RedisServer
from tests.realtime.test_worker_outage import _wait_for
from tests.test_relay import _database_url

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs the redis-server binary"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (a worker process on the test's own rows)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
CASES = 3


def _start_worker(redis_url: str, log: Path, name: str, **extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "tests.realtime.outage_settings",
        **extra,
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1"]
    command += ["--include", "tests.realtime.relay_hang", "--without-mingle", "--without-gossip"]
    command += ["-l", "info", "-n", f"{name}@localhost"]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes the pool child too
    )


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)


def _undelivered() -> int:
    return OutboxMessage.objects.filter(delivered_at__isnull=True).count()


def test_a_worker_killed_mid_relay_loses_nothing_and_writes_nothing_twice(
    city, people, tmp_path, monkeypatch
):
    monkeypatch.setattr(outbox._waker, "wake", lambda: None)  # only the workers relay here
    first = submit(
        city, people, actor=AnonymousUser(), contact={"name": "张三", "phone": "13800000009"}
    )
    others = [submit(city, people) for _ in range(CASES - 1)]
    cases = [first, *others]
    assert _undelivered() == CASES

    server = RedisServer(data_dir=tmp_path / "redis")
    (tmp_path / "redis").mkdir()
    server.start()
    # Not the current app: later tests in this process must keep queueing through the site's.
    sender = Celery("relay-check", broker=server.url, set_as_current=False)
    mark = tmp_path / "hung"
    doomed = _start_worker(server.url, tmp_path / "doomed.log", "doomed", RELAY_HANG_MARK=str(mark))
    survivor = None
    try:
        sender.send_task("governance.tasks.relay_now")
        assert _wait_for(mark.exists, 90), (tmp_path / "doomed.log").read_text()[-3000:]
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(10)

        # Killed mid-row: the first case's notifications and the contact's confirmation were
        # written, its row is still claimed by the dead worker and not delivered.
        held = OutboxMessage.objects.get(case_id=first.pk)
        assert held.delivered_at is None and held.claimed_until > timezone.now()
        told = sorted(Notification.objects.filter(case=first).values_list("user_id", "kind"))
        assert told
        assert list(ContactMessage.objects.filter(case=first).values_list("kind", flat=True)) == [
            "confirmation"
        ]

        survivor = _start_worker(server.url, tmp_path / "survivor.log", "survivor")
        # The dead worker's lease (a minute) has run out, as it would have by the next sweep.
        OutboxMessage.objects.filter(delivered_at__isnull=True).update(
            claimed_until=timezone.now() - timedelta(seconds=1)
        )
        sender.send_task("governance.tasks.relay_outbox")  # the beat's sweep
        delivered = _wait_for(lambda: _undelivered() == 0, 90)
        assert delivered, (tmp_path / "survivor.log").read_text()[-3000:]
        # The relay task the dead worker never acknowledged comes back (late acks) and runs
        # again: it finds nothing left to deliver.
        assert _wait_for(lambda: "relay_now" in (tmp_path / "survivor.log").read_text(), 60), (
            tmp_path / "survivor.log"
        ).read_text()[-3000:]
    finally:
        _stop(doomed)
        if survivor is not None:
            _stop(survivor)
        sender.pool.force_close_all()
        server.stop()

    # Exactly once in effect: the first case's rows as they were, every case told, no repeats.
    assert sorted(Notification.objects.filter(case=first).values_list("user_id", "kind")) == told
    assert list(ContactMessage.objects.filter(case=first).values_list("kind", flat=True)) == [
        "confirmation"
    ]
    rows = list(
        Notification.objects.filter(case__in=cases).values_list("user_id", "case_id", "kind")
    )
    assert {case_id for _, case_id, _ in rows} == {case.pk for case in cases}
    assert [row for row, n in Counter(rows).items() if n > 1] == []
