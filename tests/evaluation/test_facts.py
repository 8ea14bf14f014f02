"""Obligations follow the timeline: kept current by the subscriber, idempotent per event, and
the rebuild command gives the same rows."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from evaluation.facts import record_facts, write_cases
from evaluation.models import Kind, Obligation, Outcome
from governance import clock, workflow
from governance.errors import InvalidTransition
from governance.models import CaseEvent, EventKind
from tests.cases import submit
from tests.evaluation.story import at, tell

COLUMNS = [f.attname for f in Obligation._meta.concrete_fields if f.attname != "id"]


def rows() -> list[tuple]:
    return list(Obligation.objects.order_by("start_event_id", "kind").values_list(*COLUMNS))


@pytest.fixture
def story(city, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tell(city, people)


def test_the_rebuild_gives_the_same_rows_as_the_subscriber(story):
    live = rows()
    assert len(live) == 31
    call_command("rebuild_evaluation_facts", verbosity=0)
    assert rows() == live
    call_command("rebuild_evaluation_facts", "--keep", "--batch", "2", verbosity=0)
    assert rows() == live


def test_delivering_the_same_events_again_changes_nothing(story):
    before = rows()
    ids = list(Obligation.objects.order_by("pk").values_list("pk", flat=True))
    events = list(CaseEvent.objects.order_by("pk"))
    record_facts(events)
    record_facts(events[::-1][:5])
    assert rows() == before
    assert list(Obligation.objects.order_by("pk").values_list("pk", flat=True)) == ids


def test_each_shape_gives_its_obligations(story):
    def of(name: str) -> list[tuple[str, str, bool | None, bool]]:
        return list(
            Obligation.objects.filter(case=story.cases[name])
            .order_by("start_event_id", "kind")
            .values_list("kind", "outcome", "on_time", "reworked")
        )

    assert of("c2") == [
        (Kind.INTAKE, Outcome.FILED, False, False),
        (Kind.CLOSING, Outcome.CLOSED, False, False),
        (Kind.HANDLING, Outcome.RESOLVED, True, True),
        (Kind.VERIFICATION, Outcome.REWORK, True, False),
        (Kind.VERIFICATION, Outcome.REWORK, True, False),
        (Kind.VERIFICATION, Outcome.CLOSED, True, False),
    ]
    assert of("c3") == [
        (Kind.INTAKE, Outcome.FILED, True, False),
        (Kind.CLOSING, Outcome.CLOSED, False, False),
        (Kind.HANDLING, Outcome.REDISPATCHED, False, False),
        (Kind.HANDLING, Outcome.RESOLVED, False, False),
        (Kind.VERIFICATION, Outcome.CLOSED, False, False),
    ]
    assert of("c4") == [(Kind.INTAKE, Outcome.MERGED, True, False)]
    c9 = Obligation.objects.get(case=story.cases["c9"], kind=Kind.HANDLING)
    assert c9.fulfilled_at == c9.deadline == at(10, 14)  # exactly at its deadline: on time
    assert c9.on_time is True
    closing = Obligation.objects.get(case=story.cases["c7"], kind=Kind.CLOSING)
    assert closing.rating == 4  # the rating after the reopening, not the 1 before it
    assert closing.fulfilled_at == at(6, 10, 30)  # the first closing fulfils it


def test_intake_and_verification_limits_count_working_hours(city, people):
    with clock.travel(at(6, 16, 30)):  # Friday, half an hour before closing time
        case = submit(city, people)
    with clock.travel(at(6, 16, 45)):
        workflow.file_case(case_id=case.pk, actor=people.street_leader)
    write_cases([case.pk])
    intake = Obligation.objects.get(case=case, kind=Kind.INTAKE)
    assert intake.deadline == at(9, 9, 30)  # Monday, 09:30: the weekend does not count
    assert intake.on_time is True


def test_a_withdrawal_after_dispatch_is_refused_and_a_written_one_cancels_what_is_owed(
    city, people
):
    with clock.travel(at(2, 9)):
        case = submit(city, people)
        workflow.file_case(case_id=case.pk, actor=people.street_leader)
        workflow.dispatch_case(case_id=case.pk, actor=people.dispatcher)
    with clock.travel(at(2, 9, 30)), pytest.raises(InvalidTransition):
        workflow.withdraw_case(case_id=case.pk, actor=people.citizen)
    # A timeline that has one anyway (an import, a future rule): what was owed is cancelled.
    CaseEvent.objects.create(case=case, kind=EventKind.WITHDRAWN, created_at=at(2, 10))
    write_cases([case.pk])
    outcomes = dict(Obligation.objects.filter(case=case).values_list("kind", "outcome"))
    assert outcomes == {
        Kind.INTAKE: Outcome.FILED,
        Kind.HANDLING: Outcome.CANCELLED,
        Kind.CLOSING: Outcome.CANCELLED,
    }


def test_routing_an_unrouted_case_moves_its_obligations(city, people, settings):
    with clock.travel(at(2, 9)):
        case = submit(city, people, point=(121.5, 31.5))  # outside every grid
    write_cases([case.pk])
    assert Obligation.objects.get(case=case).area_path == city.city.path
    with clock.travel(at(2, 10)):
        workflow.route_case(case_id=case.pk, actor=people.dispatcher, grid=city.grid_b)
    record_facts(list(case.events.filter(kind=EventKind.ROUTED)))
    assert Obligation.objects.get(case=case).area_path == city.grid_b.path
