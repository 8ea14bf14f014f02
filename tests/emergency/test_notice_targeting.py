"""Targeting is exact: everybody inside the target is reached once, nobody outside is."""

from __future__ import annotations

import pytest

from citizens.models import User
from emergency import residents, targeting
from governance.errors import InvalidInput
from governance.models import Assignment

pytestmark = pytest.mark.django_db


def _person(name: str, **extra) -> User:
    return User.objects.create_user(username=name, password="pw", **extra)


@pytest.fixture
def crowd(city, people):
    """Beyond the personas: someone with roles on two areas, an inactive officer, a lead
    officer of grid B2, residents at home in grids A and B, a member of a department."""
    both = _person("both")
    Assignment.objects.create(user=both, area=city.grid_a, role="officer")
    Assignment.objects.create(user=both, area=city.community_a, role="leader")
    gone = _person("gone", is_active=False)
    Assignment.objects.create(user=gone, area=city.grid_a2, role="officer")
    lead_b2 = _person("lead_b2")
    Assignment.objects.create(user=lead_b2, area=city.grid_b2, role="lead_officer")
    home_a = _person("home_a")
    residents.enrol(user=home_a, address="甲路1号", lon=city.point_a[0], lat=city.point_a[1])
    home_b = _person("home_b")
    residents.enrol(user=home_b, address="乙路2号", lon=city.point_b[0], lat=city.point_b[1])
    return {"both": both, "gone": gone, "lead_b2": lead_b2, "home_a": home_a, "home_b": home_b}


def _reached(target):
    return {r.user_id: r for r in targeting.resolve(targeting.clean_target(target))}


def test_roles_on_a_subtree_reach_exactly_the_people_beneath_it(city, people, crowd):
    found = _reached({"areas": [city.street_a.pk], "roles": ["officer", "leader"]})
    assert set(found) == {people.officer_a.pk, people.street_leader.pk, crowd["both"].pk}
    # roles on two areas: one row, counted at the higher area
    assert found[crowd["both"].pk].area_id == city.community_a.pk
    assert found[people.street_leader.pk].area_id == city.street_a.pk
    # the dispatcher is above the street, the inactive officer is inactive, officer B elsewhere
    assert people.dispatcher.pk not in found and crowd["gone"].pk not in found


def test_only_the_chosen_roles_are_reached(city, people, crowd):
    found = _reached({"areas": [city.district.pk], "roles": ["lead_officer"]})
    assert set(found) == {crowd["lead_b2"].pk}
    found = _reached({"areas": [city.district.pk], "roles": ["dispatcher"]})
    assert set(found) == {people.dispatcher.pk}


def test_residents_of_the_areas_who_opted_in_and_nobody_else(city, people, crowd):
    found = _reached({"areas": [city.street_a.pk], "residents": True})
    assert set(found) == {crowd["home_a"].pk}
    assert found[crowd["home_a"].pk].is_resident
    assert found[crowd["home_a"].pk].area_id == city.grid_a.pk
    residents.leave(user=crowd["home_a"])
    assert _reached({"areas": [city.street_a.pk], "residents": True}) == {}


def test_departments_and_named_people_are_added_once(city, people, crowd):
    found = _reached(
        {
            "areas": [city.grid_a.pk],
            "roles": ["officer"],
            "departments": [city.department.pk],
            "people": [people.officer_a.pk, crowd["gone"].pk, people.citizen.pk],
        }
    )
    assert set(found) == {people.officer_a.pk, crowd["both"].pk, people.clerk.pk, people.citizen.pk}
    assert found[people.officer_a.pk].area_id == city.grid_a.pk  # the area wins over "named"
    assert found[people.clerk.pk].area_id is None


def test_the_whole_tree_reaches_every_role_holder_once(city, people, crowd):
    everyone = Assignment.objects.filter(user__is_active=True).values_list("user_id", flat=True)
    found = targeting.resolve(
        targeting.clean_target(
            {"areas": [city.city.pk], "roles": ["officer", "lead_officer", "leader", "dispatcher"]}
        )
    )
    assert sorted(r.user_id for r in found) == sorted(set(everyone))


@pytest.mark.parametrize(
    "target",
    [
        {},
        {"areas": [], "roles": ["officer"]},
        {"areas": [999999], "roles": ["officer"]},
        {"areas": "1", "roles": ["officer"]},
        {"roles": ["officer"], "areas": [1], "colour": "red"},
        {"areas": [1], "roles": ["mayor"]},
        {"departments": [999999]},
    ],
)
def test_a_wrong_target_is_refused_with_a_reason(city, target):
    if target.get("areas") == [1]:
        target["areas"] = [city.grid_a.pk]
    with pytest.raises(InvalidInput):
        targeting.clean_target(target)


def test_a_home_outside_every_grid_is_refused(city, people):
    with pytest.raises(InvalidInput):
        residents.enrol(user=people.citizen, address="城外", lon=121.5, lat=31.0)
