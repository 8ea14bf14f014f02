"""The reporter's case socket is never told (by a message, or a push to time) of an entry they
may not read: an internal entry goes only to the sockets of staff permitted on the case."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from governance import events, workflow
from governance.realtime import schemas
from tests.realtime.helpers import Listener
from tests.realtime.test_consumers import connected, received, run, submit


@pytest.fixture
def in_memory_layer(settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db
def test_internal_entries_reach_only_the_staff_group_of_the_case(
    city, people, in_memory_layer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit(city, people)
    staff = Listener(events.case_group(case.pk))
    reporter = Listener(events.case_reporter_group(case.pk))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_note(case_id=case.pk, actor=people.officer_a, text="内部", audience="internal")
        workflow.escalate_case(case_id=case.pk, actor=people.street_leader, reason="督办")
    assert reporter.messages() == []  # nothing at all: no push whose timing tells
    assert [m["event"] for m in staff.messages()] == ["note", "escalated"]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_note(
            case_id=case.pk, actor=people.officer_a, text="已联系", audience="reporter"
        )
        workflow.file_case(case_id=case.pk, actor=people.street_leader)
    assert [m["event"] for m in reporter.messages()] == ["note", "filed"]


@pytest.mark.django_db(transaction=True)
def test_the_reporters_socket_receives_nothing_for_an_internal_note(city, people):
    case = submit(city, people)
    path = f"/ws/cases/{case.tracking_id}/"

    async def scenario():
        citizen = await connected(path, people.citizen)
        officer = await connected(path, people.officer_a)
        await database_sync_to_async(workflow.add_note)(
            case_id=case.pk, actor=people.officer_a, text="内部", audience="internal"
        )
        got = [await received(citizen), await received(officer)]
        await citizen.disconnect()
        await officer.disconnect()
        return got

    got_citizen, got_officer = run(scenario)
    assert got_citizen == []
    assert [(m["kind"], m["event"]) for m in got_officer] == [(schemas.CASE_TRANSITIONED, "note")]
