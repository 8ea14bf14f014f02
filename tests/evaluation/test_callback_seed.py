"""The demo city's closed cases carry callback answers of every kind, for the evaluation's
satisfaction and resolution rates and the supervisors' review filter to show something."""

from __future__ import annotations

import pytest
from django.utils import timezone

from evaluation.seeding import seed_callback_answers
from governance.models import CaseEvent, EventKind, OutboxMessage
from governance.seeding import seed_demo
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_demo_has_callback_answers_of_every_kind():
    seed_demo(now=timezone.now())
    answers = list(CaseEvent.objects.filter(kind=EventKind.CALLBACK))
    assert len(answers) >= 20
    kinds = {(a.data["resolved"], a.data["satisfied"]) for a in answers}
    assert kinds == {(True, True), (True, False), (False, True), (False, False)}
    assert {a.data["channel"] for a in answers} == {"app", "phone"}
    outcomes = {a.data.get("outcome") for a in answers}
    assert {"reopened", "review"} <= outcomes
    # Replayed history is recorded, not sent: nobody is notified or pushed anything.
    assert not Notification.objects.filter(kind__startswith="callback").exists()
    assert not OutboxMessage.objects.exists()
    # Answering again leaves every answered case as it is (one answer per case).
    seed_callback_answers()
    for answer in answers:
        assert CaseEvent.objects.filter(case=answer.case_id, kind=EventKind.CALLBACK).count() == 1
