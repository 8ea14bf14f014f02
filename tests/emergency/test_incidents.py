"""Incidents: declaring on areas or a drawn polygon, the lifecycle, linked cases handled
together — each change on the incident's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emergency import incidents, linking
from emergency.models import IncidentEventKind, IncidentKind, IncidentStatus
from governance import clock
from governance.errors import InvalidInput, InvalidTransition, NotPermitted
from governance.models import CaseEvent, EventKind, Status
from tests.cases import drive, submit
from tests.factories import square

pytestmark = pytest.mark.django_db


def flood(by, *areas, **extra):
    arguments = {
        "by": by,
        "title": "暴雨内涝",
        "title_en": "Rainstorm flooding",
        "kind": IncidentKind.FLOOD,
        "level": 3,
        "areas": list(areas),
    }
    arguments.update(extra)
    return incidents.declare_incident(**arguments)


def kinds(incident) -> list[str]:
    return list(incident.events.order_by("at", "pk").values_list("kind", flat=True))


def test_a_leader_declares_on_their_areas_and_the_timeline_says_so(city, people):
    incident = flood(people.street_leader, city.community_a, city.grid_a, exercise=True)
    assert incident.status == IncidentStatus.REPORTED
    assert incident.exercise
    # The grid is inside the community: one subtree.
    assert [row.area for row in incident.affected.all()] == [city.community_a]
    assert kinds(incident) == [IncidentEventKind.DECLARED]
    assert incident.events.get().data["areas"] == [city.community_a.code]


def test_declaring_beyond_ones_areas_is_refused(city, people):
    with pytest.raises(NotPermitted):
        flood(people.street_leader, city.grid_a, city.grid_b)
    with pytest.raises(NotPermitted):
        flood(people.officer_a, city.grid_a)  # an officer does not dispatch
    with pytest.raises(InvalidInput):
        flood(people.dispatcher)  # no area at all


def test_a_drawn_polygon_becomes_the_grids_it_overlaps(city, people):
    # Over grids A2 and B (x 120.07–120.12); its edges only touch neither A nor B2.
    drawn = square(120.07, 30.01, 120.12, 30.04)
    incident = flood(people.dispatcher, polygon=drawn, areas=None)
    assert sorted(row.area.code for row in incident.affected.all()) == sorted(
        [city.grid_a2.code, city.grid_b.code]
    )
    assert incident.polygon == drawn
    # Sharing an edge with grid A (x = 120.05) is not overlapping it.
    edge = square(120.05, 30.0, 120.1, 30.05)
    assert incidents.grids_touching(edge) == [city.grid_a2]


def test_a_polygon_outside_every_grid_or_broken_is_refused(city, people):
    with pytest.raises(InvalidInput):
        flood(people.dispatcher, polygon=square(121.0, 31.0, 121.1, 31.1), areas=None)
    with pytest.raises(InvalidInput):
        flood(people.dispatcher, polygon={"type": "Point", "coordinates": [1, 2]}, areas=None)


def test_the_lifecycle_moves_forward_and_closes_from_any_open_state(city, people):
    incident = flood(people.street_leader, city.grid_a)
    for status in (IncidentStatus.CONFIRMED, IncidentStatus.RESPONDING, IncidentStatus.RECOVERING):
        incident = incidents.change_status(
            incident_id=incident.pk, by=people.street_leader, to=status
        )
        assert incident.status == status
    incident = incidents.change_status(
        incident_id=incident.pk, by=people.street_leader, to=IncidentStatus.CLOSED, note="水退"
    )
    assert incident.closed_at is not None
    assert kinds(incident)[-1] == IncidentEventKind.CLOSED
    other = flood(people.street_leader, city.grid_a)
    incidents.change_status(incident_id=other.pk, by=people.street_leader, to="closed")


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("reported", "responding"),  # skipping a step
        ("confirmed", "reported"),  # going back
        ("closed", "reported"),  # reopening
        ("draft", "confirmed"),
    ],
)
def test_other_status_changes_are_refused_with_the_reason(city, people, english, start, to):
    incident = flood(people.street_leader, city.grid_a, draft=start == "draft")
    path = {"confirmed": ["confirmed"], "closed": ["closed"]}.get(start, [])
    for status in path:
        incidents.change_status(incident_id=incident.pk, by=people.street_leader, to=status)
    with pytest.raises(InvalidTransition) as refused:
        incidents.change_status(incident_id=incident.pk, by=people.street_leader, to=to)
    assert "cannot become" in refused.value.message
    incident.refresh_from_db()
    assert incident.status == start


def test_a_draft_is_reported_first(city, people):
    incident = flood(people.street_leader, city.grid_a, draft=True)
    incidents.change_status(incident_id=incident.pk, by=people.street_leader, to="reported")


def test_only_managers_change_it_and_viewers_add_notes(city, people):
    incident = flood(people.street_leader, city.grid_a)
    with pytest.raises(NotPermitted):
        incidents.change_status(incident_id=incident.pk, by=people.officer_a, to="confirmed")
    with pytest.raises(NotPermitted):
        incidents.change_level(incident_id=incident.pk, by=people.officer_b, level=2)
    incidents.add_note(incident_id=incident.pk, by=people.officer_a, text="积水30厘米")
    with pytest.raises(NotPermitted):
        incidents.add_note(incident_id=incident.pk, by=people.officer_b, text="?")
    incidents.change_level(incident_id=incident.pk, by=people.street_leader, level=2)
    incident.refresh_from_db()
    assert incident.level == 2
    assert kinds(incident) == [
        IncidentEventKind.DECLARED,
        IncidentEventKind.NOTE,
        IncidentEventKind.LEVEL,
    ]


def test_changing_the_areas_needs_dispatch_over_the_new_ones(city, people):
    incident = flood(people.street_leader, city.grid_a)
    with pytest.raises(NotPermitted):
        incidents.set_areas(
            incident_id=incident.pk, by=people.street_leader, areas=[city.grid_a, city.grid_b]
        )
    incidents.set_areas(incident_id=incident.pk, by=people.street_leader, areas=[city.street_a])
    assert [row.path for row in incident.affected.all()] == [city.street_a.path]
    assert incident.events.last().data == {
        "from": [city.grid_a.code],
        "to": [city.street_a.code],
        "drawn": False,
    }


def test_suggested_cases_are_open_reports_in_the_areas_and_categories_not_yet_linked(city, people):
    before = clock.now() - timedelta(hours=5)
    with clock.travel(before):
        old = submit(city, people)  # long before the incident
    in_grid = submit(city, people)
    other_category = submit(city, people, category=city.urgent_category, answers={})
    elsewhere = submit(city, people, point=city.point_b)
    closed = drive(submit(city, people), Status.REJECTED, city, people)
    incident = flood(people.street_leader, city.community_a, categories=[city.category])
    suggested = set(linking.suggested_cases(incident, people.street_leader))
    assert suggested == {in_grid}
    assert not {old, other_category, elsewhere, closed} & suggested
    linking.link_cases(incident_id=incident.pk, by=people.street_leader, case_ids=[in_grid.pk])
    assert not linking.suggested_cases(incident, people.street_leader).exists()
    # A person sees only the cases they may see.
    assert not linking.suggested_cases(incident, people.officer_b).exists()


def test_linking_needs_manage_and_cases_one_sees(city, people):
    mine = submit(city, people)
    theirs = submit(city, people, point=city.point_b)
    incident = flood(people.street_leader, city.grid_a)
    with pytest.raises(NotPermitted):
        linking.link_cases(incident_id=incident.pk, by=people.officer_a, case_ids=[mine.pk])
    with pytest.raises(InvalidInput):
        linking.link_cases(
            incident_id=incident.pk, by=people.street_leader, case_ids=[mine.pk, theirs.pk]
        )
    linked = linking.link_cases(
        incident_id=incident.pk, by=people.street_leader, case_ids=[mine.pk]
    )
    assert linked == [mine]
    # Again: nothing more.
    assert (
        linking.link_cases(incident_id=incident.pk, by=people.street_leader, case_ids=[mine.pk])
        == []
    )
    linking.unlink_case(incident_id=incident.pk, by=people.street_leader, case_id=mine.pk)
    assert kinds(incident)[-2:] == [
        IncidentEventKind.CASE_LINKED,
        IncidentEventKind.CASE_UNLINKED,
    ]


def test_linked_cases_are_handled_together_each_on_its_own_timeline(city, people):
    first = submit(city, people)
    second = submit(city, people)
    third = drive(submit(city, people), Status.DISPATCHED, city, people)
    incident = flood(people.dispatcher, city.community_a)
    linking.link_cases(
        incident_id=incident.pk, by=people.dispatcher, case_ids=[first.pk, second.pk, third.pk]
    )
    filed = linking.handle_together(
        incident_id=incident.pk, by=people.dispatcher, action="file", note="暴雨统一受理"
    )
    assert sorted(filed.done) == sorted([first.tracking_id, second.tracking_id])
    assert list(filed.refused) == [third.tracking_id]  # dispatched already: left as it was
    dispatched = linking.handle_together(
        incident_id=incident.pk,
        by=people.dispatcher,
        action="dispatch",
        department=city.other_department,
        note="水务统一处置",
    )
    # (A dispatched case may be dispatched again: to the one department.)
    assert len(dispatched.done) == 3
    for case in (first, second):
        case.refresh_from_db()
        assert case.status == Status.DISPATCHED
        assert case.assignee_department == city.other_department
        assert list(
            CaseEvent.objects.filter(case=case).values_list("kind", flat=True).order_by("pk")
        )[-3:] == [EventKind.FILED, EventKind.DISPATCHED, EventKind.NOTE]
    noted = linking.handle_together(
        incident_id=incident.pk, by=people.dispatcher, action="note", note="已启动预案"
    )
    assert len(noted.done) == 3
    assert CaseEvent.objects.filter(kind=EventKind.NOTE, note="已启动预案").count() == 3
    last = incident.events.last()
    assert last.data["together"] == "note"
    assert len(last.data["done"]) == 3


def test_together_is_for_managers(city, people):
    case = submit(city, people)
    incident = flood(people.street_leader, city.grid_a)
    linking.link_cases(incident_id=incident.pk, by=people.street_leader, case_ids=[case.pk])
    with pytest.raises(NotPermitted):
        linking.handle_together(
            incident_id=incident.pk, by=people.officer_a, action="note", note="x"
        )
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
