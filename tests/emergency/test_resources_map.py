"""The incident map's resources layer: what lies in the affected areas, for whom."""

from __future__ import annotations

import pytest

from emergency.models import Team
from emergency.resources_map import resource_features
from tests.emergency.cap_helpers import incident
from tests.emergency.resource_helpers import make_resources

pytestmark = pytest.mark.django_db


def _by_name(features) -> dict[str, dict]:
    return {feature["properties"]["name"]: feature for feature in features}


def test_the_layer_holds_the_resources_in_the_affected_areas(city, people):
    made = make_resources(city)
    flood = incident(city.street_a)
    features = _by_name(resource_features(flood, people.street_leader))
    assert set(features) == {made.shelter_a.name, made.team_a2.name}
    shelter = features[made.shelter_a.name]
    assert shelter["geometry"] == {"type": "Point", "coordinates": [120.01, 30.01]}
    assert shelter["properties"]["kind"] == "shelter"
    assert shelter["properties"]["occupancy"] == 35
    assert shelter["properties"]["contact_phone"] == "13900000011"
    assert shelter["properties"]["edit_url"].endswith(f"/shelters/{made.shelter_a.pk}/")


def test_phones_stay_with_who_may_edit(city, people):
    make_resources(city)
    flood = incident(city.grid_a)
    (shelter,) = resource_features(flood, people.officer_a)
    assert "contact_phone" not in shelter["properties"]
    assert "edit_url" not in shelter["properties"]
    assert resource_features(flood, people.officer_b) == []
    assert resource_features(flood, people.citizen) == []


def test_a_resource_without_a_point_sits_in_its_grid(city, people):
    Team.objects.create(name="志愿者队", kind="volunteer", grid=city.grid_b2, members=8)
    (team,) = resource_features(incident(city.grid_b2), people.dispatcher)
    lon, lat = team["geometry"]["coordinates"]
    assert 120.15 < lon < 120.2 and 30.0 < lat < 30.05
