"""Resources in the REST API: scoped like incidents, phones only for who may edit."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from emergency.models import Shelter, Supply, Team
from tests.emergency.resource_helpers import make_resources

pytestmark = pytest.mark.django_db
BASE = "/api/v1/emergency"


def as_(api, person):
    api.credentials()
    if person is not None:
        token, _ = Token.objects.get_or_create(user=person)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_placed_in_the_grid_of_their_point(city):
    made = make_resources(city)
    assert made.shelter_a.grid == city.grid_a and made.shelter_a.path == city.grid_a.path
    assert made.team_a2.grid == city.grid_a2
    assert made.supply_b.grid == city.grid_b


def test_each_sees_the_resources_of_their_areas(city, people, api):
    made = make_resources(city)
    dispatcher = as_(api, people.dispatcher)
    assert names(dispatcher.get(f"{BASE}/shelters/")) == [made.shelter_a.name]
    assert names(dispatcher.get(f"{BASE}/supplies/")) == [made.supply_b.name]
    assert names(as_(api, people.street_leader).get(f"{BASE}/teams/")) == [made.team_a2.name]
    assert names(as_(api, people.officer_a).get(f"{BASE}/shelters/")) == [made.shelter_a.name]
    assert names(as_(api, people.officer_a).get(f"{BASE}/teams/")) == []
    assert names(as_(api, people.officer_b).get(f"{BASE}/shelters/")) == []
    assert names(as_(api, people.citizen).get(f"{BASE}/shelters/")) == []
    area = f"{BASE}/supplies/?area={city.street_a.code}"
    assert names(as_(api, people.admin).get(area)) == []


def test_phones_only_for_who_may_edit(city, people, api):
    made = make_resources(city)
    url = f"{BASE}/shelters/{made.shelter_a.pk}/"
    seen = as_(api, people.officer_a).get(url).json()
    assert seen["contact_phone"] is None and seen["contact_name"] is None
    assert seen["occupancy"] == 35
    managed = as_(api, people.street_leader).get(url).json()
    assert managed["contact_phone"] == "13900000011"


def test_another_streets_resource_is_not_found(city, people, api):
    made = make_resources(city)
    officer_b = as_(api, people.officer_b)
    assert officer_b.get(f"{BASE}/shelters/{made.shelter_a.pk}/").status_code == 404
    assert (
        officer_b.patch(f"{BASE}/shelters/{made.shelter_a.pk}/", {"occupancy": 1}).status_code
        == 404
    )


def test_anonymous_is_asked_to_authenticate(city, api):
    made = make_resources(city)
    assert api.get(f"{BASE}/shelters/").status_code == 401
    assert api.get(f"{BASE}/shelters/{made.shelter_a.pk}/").status_code == 401


def test_a_street_leader_adds_and_edits_in_their_street_only(city, people, api):
    leader = as_(api, people.street_leader)
    response = leader.post(
        f"{BASE}/shelters/",
        {"name": "东街道小学", "capacity": 300, "lon": 120.06, "lat": 30.03},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["grid"] == city.grid_a2.code
    # A point in street B is outside what the leader manages: nothing is saved.
    response = leader.post(
        f"{BASE}/shelters/",
        {"name": "西街道小学", "capacity": 300, "lon": 120.16, "lat": 30.03},
        format="json",
    )
    assert response.status_code == 403
    response = leader.post(
        f"{BASE}/teams/", {"name": "队", "kind": "rescue", "grid": city.grid_b.code}, format="json"
    )
    assert response.status_code == 403
    assert not Team.objects.exists()
    assert Shelter.objects.count() == 1
    # Moving one's own shelter into another street is refused, and changes nothing.
    shelter = Shelter.objects.get()
    url = f"{BASE}/shelters/{shelter.pk}/"
    assert leader.patch(url, {"lon": 120.16, "lat": 30.03}, format="json").status_code == 403
    shelter.refresh_from_db()
    assert shelter.grid == city.grid_a2
    assert leader.patch(url, {"occupancy": 120}, format="json").json()["occupancy"] == 120


def test_an_officer_may_see_but_not_change(city, people, api):
    made = make_resources(city)
    officer = as_(api, people.officer_a)
    url = f"{BASE}/shelters/{made.shelter_a.pk}/"
    assert officer.patch(url, {"occupancy": 1}, format="json").status_code == 403
    assert officer.delete(url).status_code == 403
    response = officer.post(
        f"{BASE}/supplies/",
        {
            "kind": "water_food",
            "name": "水",
            "quantity": "10",
            "unit": "箱",
            "lon": 120.01,
            "lat": 30.01,
        },
        format="json",
    )
    assert response.status_code == 403
    assert Supply.objects.count() == 1


def test_a_resource_needs_a_grid_or_a_point_in_one(city, people, api):
    response = as_(api, people.dispatcher).post(
        f"{BASE}/teams/", {"name": "队", "kind": "rescue", "lon": 100.0, "lat": 20.0}, format="json"
    )
    assert response.status_code == 400
    assert "grid" in response.json()["errors"]


def test_the_dispatcher_removes(city, people, api):
    made = make_resources(city)
    url = f"{BASE}/supplies/{made.supply_b.pk}/"
    assert as_(api, people.dispatcher).delete(url).status_code == 204
    assert not Supply.objects.exists()


def test_a_long_list_costs_a_few_queries(city, people, api, django_assert_max_num_queries):
    for number in range(30):
        Shelter.objects.create(name=f"避难点{number}", capacity=10, lon=120.01, lat=30.01)
    leader = as_(api, people.street_leader)
    with django_assert_max_num_queries(8):
        assert len(names(leader.get(f"{BASE}/shelters/"))) == 30
