"""The resources' staff pages: scoped lists, edit forms, the phone form for occupancy."""

from __future__ import annotations

import pytest

from emergency.models import Shelter
from tests.emergency.resource_helpers import make_resources

pytestmark = pytest.mark.django_db
LIST = "/work/emergency/resources/"


def test_a_leader_lists_and_updates_the_occupancy_of_a_shelter(city, people, client):
    made = make_resources(city)
    client.force_login(people.street_leader)
    page = client.get(LIST).content.decode()
    assert made.shelter_a.name in page and "13900000011" in page
    assert f"/work/emergency/resources/shelters/{made.shelter_a.pk}/occupancy/" in page
    response = client.post(
        f"/work/emergency/resources/shelters/{made.shelter_a.pk}/occupancy/",
        {"occupancy": "180", "open": "on"},
    )
    assert response.status_code == 302
    shelter = Shelter.objects.get()
    assert shelter.occupancy == 180 and shelter.open
    teams = client.get(LIST + "?kind=teams").content.decode()
    assert made.team_a2.name in teams and "13900000033" in teams


def test_an_officer_sees_their_grid_without_phones_and_may_not_change(city, people, client):
    made = make_resources(city)
    client.force_login(people.officer_a)
    page = client.get(LIST).content.decode()
    assert made.shelter_a.name in page
    assert "13900000011" not in page and "王主任" not in page
    assert "occupancy/" not in page
    url = f"/work/emergency/resources/shelters/{made.shelter_a.pk}/occupancy/"
    assert client.post(url, {"occupancy": "1"}).status_code == 403
    edit = f"/work/emergency/resources/shelters/{made.shelter_a.pk}/"
    assert client.get(edit).status_code == 403
    assert Shelter.objects.get().occupancy == 35


def test_another_streets_staff_find_nothing(city, people, client):
    made = make_resources(city)
    client.force_login(people.officer_b)
    assert made.shelter_a.name not in client.get(LIST).content.decode()
    edit = f"/work/emergency/resources/shelters/{made.shelter_a.pk}/"
    assert client.get(edit).status_code == 404
    occupancy = f"/work/emergency/resources/shelters/{made.shelter_a.pk}/occupancy/"
    assert client.post(occupancy, {"occupancy": "1"}).status_code == 404


def test_citizens_and_visitors_are_kept_out(city, people, client):
    make_resources(city)
    assert client.get(LIST).status_code == 302  # to sign in
    client.force_login(people.citizen)
    assert client.get(LIST).status_code == 403
    assert client.get("/work/emergency/resources/shelters/new/").status_code == 403


def test_adding_a_shelter_places_it_by_its_point(city, people, client):
    client.force_login(people.street_leader)
    form = client.get("/work/emergency/resources/shelters/new/")
    assert form.status_code == 200
    # Only the leader's own grids are offered.
    assert city.grid_a.code in form.content.decode()
    assert city.grid_b.code not in form.content.decode()
    response = client.post(
        "/work/emergency/resources/shelters/new/",
        {
            "name": "东街道小学",
            "lon": "120.06",
            "lat": "30.03",
            "capacity": "300",
            "occupancy": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Shelter.objects.get().grid == city.grid_a2
    # A point in another street: refused, nothing saved.
    response = client.post(
        "/work/emergency/resources/shelters/new/",
        {
            "name": "西街道小学",
            "lon": "120.16",
            "lat": "30.03",
            "capacity": "300",
            "occupancy": "0",
        },
    )
    assert response.status_code == 403
    assert Shelter.objects.count() == 1


def test_a_form_without_grid_or_point_says_so(city, people, client):
    client.force_login(people.dispatcher)
    response = client.post(
        "/work/emergency/resources/teams/new/", {"name": "队", "kind": "rescue", "members": "3"}
    )
    assert response.status_code == 400
    assert "grid" in response.content.decode()


def test_no_resource_or_phone_on_public_pages_or_in_cap(city, people, client):
    make_resources(city)
    for url in ("/", "/cap/alerts.atom"):
        body = client.get(url).content.decode()
        assert "13900000011" not in body and "甲社区文化中心避难点" not in body
