"""One incident per upstream alert even when it is delivered twice at the same moment, and one
note per update. Real concurrent transactions need PostgreSQL (SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from emergency.cap.ingest import take_alert
from emergency.models import Incident, IncidentEventKind
from tests.emergency.test_cap_ingest import SENT, alert

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def _at_once(function, times: int = 4) -> list[str]:
    outcomes: list[str] = []
    barrier = threading.Barrier(times)

    def run() -> None:
        try:
            barrier.wait()
            taken = function()
            outcomes.append("created" if taken.created else "noted" if taken.noted else "same")
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_the_same_alert_at_once_is_one_incident_and_an_update_one_note(city, people):
    document = alert()
    outcomes = _at_once(lambda: take_alert(data=document, user=people.dispatcher))
    assert sorted(outcomes) == ["created", "same", "same", "same"]
    assert Incident.objects.count() == 1
    update = alert(
        identifier="MH-2026-0701-RAIN-02",
        sent="2026-07-01T10:00:00+08:00",
        msg_type="Update",
        references=f"warning.minghu-weather.example,MH-2026-0701-RAIN-01,{SENT}",
    )
    outcomes = _at_once(lambda: take_alert(data=update, user=people.dispatcher))
    assert sorted(outcomes) == ["noted", "same", "same", "same"]
    assert Incident.objects.get().events.filter(kind=IncidentEventKind.NOTE).count() == 1
