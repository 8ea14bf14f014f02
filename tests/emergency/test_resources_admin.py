"""The resources in the administrator's site: lists with filters, and placing by point."""

from __future__ import annotations

import pytest

from emergency.models import Shelter
from tests.emergency.resource_helpers import make_resources

pytestmark = pytest.mark.django_db


def test_the_lists_and_pages_open_with_their_filters(city, people, client):
    made = make_resources(city)
    client.force_login(people.admin)
    for name, resource in (
        ("shelter", made.shelter_a),
        ("supply", made.supply_b),
        ("team", made.team_a2),
    ):
        base = f"/admin/emergency/{name}/"
        assert client.get(base).status_code == 200
        assert client.get(base, {"q": "东"}).status_code == 200
        assert client.get(f"{base}{resource.pk}/change/").status_code == 200
        assert client.get(f"{base}add/").status_code == 200
    filtered = client.get("/admin/emergency/shelter/", {"open__exact": "1"})
    assert made.shelter_a.name in filtered.content.decode()


def test_adding_in_the_admin_places_by_point_or_asks_for_a_grid(city, people, client):
    client.force_login(people.admin)
    fields = {"name": "乙社区广场", "capacity": "500", "occupancy": "0", "address": ""}
    response = client.post(
        "/admin/emergency/shelter/add/", {**fields, "lon": "120.12", "lat": "30.02"}
    )
    assert response.status_code == 302
    assert Shelter.objects.get().grid == city.grid_b
    response = client.post("/admin/emergency/shelter/add/", {**fields, "lon": "", "lat": ""})
    assert response.status_code == 200 and "grid" in response.content.decode()
    assert Shelter.objects.count() == 1
