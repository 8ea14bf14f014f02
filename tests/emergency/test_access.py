"""Who sees and manages an incident: the same area scope as cases, in both directions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from emergency.access import IncidentAction, incidents_for, may, may_manage_areas
from emergency.models import Incident, IncidentArea, IncidentKind


def _incident(*areas) -> Incident:
    now = timezone.now()
    incident = Incident.objects.create(
        title="暴雨内涝",
        kind=IncidentKind.FLOOD,
        level=3,
        occurred_at=now,
        created_at=now,
        updated_at=now,
    )
    for area in areas:
        IncidentArea.objects.create(incident=incident, area=area)
    return incident


@pytest.mark.django_db
def test_an_officer_sees_an_incident_declared_above_their_grid_and_not_one_elsewhere(city, people):
    on_street_a = _incident(city.street_a)
    on_grid_b = _incident(city.grid_b)
    seen = set(incidents_for(people.officer_a))
    assert seen == {on_street_a}
    assert may(people.officer_a, IncidentAction.VIEW, on_street_a)
    assert not may(people.officer_a, IncidentAction.VIEW, on_grid_b)
    assert not may(people.officer_a, IncidentAction.MANAGE, on_street_a)


@pytest.mark.django_db
def test_a_leader_sees_incidents_beneath_their_street(city, people):
    in_grid = _incident(city.grid_a2)
    across = _incident(city.grid_a, city.grid_b)
    elsewhere = _incident(city.grid_b)
    assert set(incidents_for(people.street_leader)) == {in_grid, across}
    assert elsewhere not in incidents_for(people.street_leader)


@pytest.mark.django_db
def test_managing_needs_dispatch_over_every_affected_area(city, people):
    in_street = _incident(city.grid_a, city.grid_a2)
    across = _incident(city.grid_a, city.grid_b)
    assert set(incidents_for(people.street_leader, IncidentAction.MANAGE)) == {in_street}
    assert may(people.street_leader, IncidentAction.MANAGE, in_street)
    assert not may(people.street_leader, IncidentAction.MANAGE, across)
    assert set(incidents_for(people.dispatcher, IncidentAction.MANAGE)) == {in_street, across}
    assert may_manage_areas(people.dispatcher, [city.grid_a.path, city.grid_b.path])
    assert not may_manage_areas(people.street_leader, [city.grid_a.path, city.grid_b.path])


@pytest.mark.django_db
def test_citizens_clerks_and_visitors_see_no_incident(city, people, client):
    _incident(city.district)
    for person in (people.citizen, people.clerk):
        assert not incidents_for(person).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not incidents_for(AnonymousUser()).exists()
    assert incidents_for(people.admin).count() == 1
