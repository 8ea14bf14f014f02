"""/api/v1/emergency/: incidents, plans and tasks — each endpoint as a visitor, a citizen, an
officer of another street, an officer who sees it and a manager."""

from __future__ import annotations

import pytest

from emergency import incidents, plans
from emergency.models import Incident, IncidentKind, IncidentStatus, Plan, PlanStep
from governance.models import Role
from tests.cases import submit

pytestmark = pytest.mark.django_db
BASE = "/api/v1/emergency/"


@pytest.fixture
def flood(city, people):
    return incidents.declare_incident(
        by=people.street_leader,
        title="暴雨内涝",
        kind=IncidentKind.FLOOD,
        level=3,
        areas=[city.grid_a],
        exercise=True,
    )


@pytest.fixture
def task(people, flood):
    plan = Plan.objects.create(name="防汛预案", kind=IncidentKind.FLOOD)
    PlanStep.objects.create(
        plan=plan, order=1, title="排查积水点", owner_role=Role.OFFICER, limit=30
    )
    activation, _created = plans.activate_plan(incident=flood, plan=plan, by=people.street_leader)
    return activation.tasks.get()


def test_visitors_get_401_everywhere(api, flood, task):
    for url in (
        f"{BASE}incidents/",
        f"{BASE}incidents/{flood.pk}/",
        f"{BASE}incidents/{flood.pk}/timeline/",
        f"{BASE}plans/",
        f"{BASE}tasks/",
    ):
        assert api.get(url).status_code == 401, url
    assert api.post(f"{BASE}incidents/", {}, format="json").status_code == 401
    assert api.post(f"{BASE}tasks/{task.pk}/feedback/", {"feedback": "x"}).status_code == 401


def test_citizens_and_outsiders_see_no_incident(api, people, flood, task):
    for person in (people.citizen, people.officer_b):
        api.force_authenticate(person)
        assert api.get(f"{BASE}incidents/").json()["results"] == []
        assert api.get(f"{BASE}incidents/{flood.pk}/").status_code == 404
        assert api.get(f"{BASE}incidents/{flood.pk}/timeline/").status_code == 404
        response = api.post(
            f"{BASE}incidents/{flood.pk}/status/", {"status": "closed"}, format="json"
        )
        assert response.status_code == 404
        assert api.get(f"{BASE}tasks/").json()["results"] == []
        assert api.post(f"{BASE}tasks/{task.pk}/feedback/", {"feedback": "x"}).status_code == 404
    api.force_authenticate(people.citizen)
    assert api.get(f"{BASE}plans/").status_code == 403
    flood.refresh_from_db()
    assert flood.status == IncidentStatus.REPORTED


def test_an_officer_in_the_area_reads_it_and_may_not_change_it(api, people, flood, task):
    api.force_authenticate(people.officer_a)
    listed = api.get(f"{BASE}incidents/").json()["results"]
    assert [row["id"] for row in listed] == [flood.pk]
    assert listed[0]["exercise"] is True and listed[0]["warning_colour"] == "yellow"
    response = api.post(f"{BASE}incidents/{flood.pk}/status/", {"status": "confirmed"})
    assert response.status_code == 403
    assert api.post(f"{BASE}incidents/", {}, format="json").status_code == 400
    plans_listed = api.get(f"{BASE}plans/").json()["results"]
    assert plans_listed[0]["steps"][0]["title"] == "排查积水点"
    mine = api.get(f"{BASE}tasks/").json()["results"]
    assert [row["id"] for row in mine] == [task.pk]
    answer = api.post(f"{BASE}tasks/{task.pk}/feedback/", {"feedback": "三处积水"})
    assert answer.status_code == 200
    assert answer.json()["feedback"] == "三处积水"
    again = api.post(f"{BASE}tasks/{task.pk}/feedback/", {"feedback": "again"})
    assert again.status_code == 400


def test_a_manager_declares_moves_and_links(api, city, people):
    case = submit(city, people)
    api.force_authenticate(people.street_leader)
    refused = api.post(
        f"{BASE}incidents/",
        {"title": "越界", "kind": "gas", "level": 3, "areas": [city.grid_b.code]},
        format="json",
    )
    assert refused.status_code == 403
    created = api.post(
        f"{BASE}incidents/",
        {
            "title": "燃气泄漏",
            "kind": "gas",
            "level": 2,
            "areas": [city.grid_a.code],
            "categories": [city.category.code],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["areas"][0]["code"] == city.grid_a.code
    assert body["categories"] == [city.category.code]
    pk = body["id"]
    moved = api.post(f"{BASE}incidents/{pk}/status/", {"status": "confirmed"}, format="json")
    assert moved.json()["status"] == "confirmed"
    wrong = api.post(f"{BASE}incidents/{pk}/status/", {"status": "reported"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_transition"
    linked = api.post(f"{BASE}incidents/{pk}/link/", {"cases": [case.tracking_id]}, format="json")
    assert linked.json()["cases"] == [case.tracking_id]
    timeline = api.get(f"{BASE}incidents/{pk}/timeline/").json()
    assert [row["kind"] for row in timeline] == ["declared", "status", "case_linked"]
    drawn = api.post(
        f"{BASE}incidents/",
        {
            "title": "画出的",
            "kind": "flood",
            "level": 4,
            "polygon": {
                "type": "Polygon",
                "coordinates": [
                    [[120.01, 30.01], [120.02, 30.01], [120.02, 30.02], [120.01, 30.01]]
                ],
            },
        },
        format="json",
    )
    assert drawn.status_code == 201, drawn.json()
    assert Incident.objects.get(pk=drawn.json()["id"]).affected.get().area == city.grid_a
