"""One answer per case under a race: two answers to the same callback at the same moment —
the reporter's link and a hotline operator's phone form — record exactly one; the other is
refused cleanly. Real concurrent transactions need PostgreSQL (SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from evaluation.callback import answering
from governance.models import CaseEvent, EventKind, Status
from tests.cases import case_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def test_two_answers_at_once_record_one(city, people):
    outcomes: list[str] = []
    barrier = threading.Barrier(4)
    for _round in range(3):
        case = case_in(Status.CLOSED, city, people)

        def answer(way: str, case_id: int = case.pk) -> None:
            try:
                barrier.wait()
                if way == "phone":
                    answering.callback_answer_by_phone(
                        case_id=case_id, actor=people.dispatcher, resolved=True, satisfied=True
                    )
                else:
                    answering.callback_answer_by_reporter(
                        case_id=case_id, actor=people.citizen, resolved=False, satisfied=False
                    )
                outcomes.append("recorded")
            except answering.AlreadyAnswered:
                outcomes.append("refused")
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=answer, args=(way,))
            for way in ("phone", "reporter", "phone", "reporter")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert CaseEvent.objects.filter(case=case, kind=EventKind.CALLBACK).count() == 1
        reopened = CaseEvent.objects.filter(case=case, kind=EventKind.REOPENED).count()
        [entry] = CaseEvent.objects.filter(case=case, kind=EventKind.CALLBACK)
        assert reopened == (0 if entry.data["resolved"] else 1)  # nothing half-done
    assert outcomes.count("recorded") == 3 and outcomes.count("refused") == 9
