"""Two answers at the same moment record one; two resend runs at once send each row once
(PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from emergency import answering, resending
from emergency.models import Recipient
from governance import clock
from notifications.models import Notification
from tests.emergency.notice_helpers import notice_to

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def _together(*functions):
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_concurrent_answers_record_the_first_only(city, people):
    notice = notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    token = notice.recipients.get().token
    results = _together(
        lambda: answering.answer(token, "received"), lambda: answering.answer(token, "need_help")
    )
    assert sorted(r.recorded for r in results) == [False, True]
    recorded = Recipient.objects.get(token=token).answer
    assert {r.recipient.answer for r in results} == {recorded}


def test_two_concurrent_resend_runs_send_each_row_once(city, people):
    notice = notice_to(people.dispatcher, [city.district], roles=["officer", "leader"])
    moment = notice.sent_at + timedelta(minutes=11)

    def once():
        with clock.travel(moment):
            return resending.resend_unanswered().resent

    assert sum(_together(once, once)) == notice.recipient_count
    assert set(Recipient.objects.values_list("sent_count", flat=True)) == {2}
    assert Notification.objects.count() == 2 * notice.recipient_count
