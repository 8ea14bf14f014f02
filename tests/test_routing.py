"""Routing a point to its grid: inside, on borders and corners, in holes, outside, redrawn."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from citizens.models import User
from governance import routing, workflow
from governance.access import cases_for
from governance.models import Area, Assignment, Category, Level
from tests.cases import submit
from tests.factories import square

HOLE = (120.025, 30.025)  # the hole in grid A
OUTSIDE = (121.5, 31.2)  # far from every grid


@pytest.fixture
def north_row(city):
    """Two grids north of B and B2; the eastern one is coded lowest but created last.

    The corner (120.15, 30.05) is shared by B, B2 and both new grids.
    """
    community = Area.objects.create(
        code=city.street_a.code + "002", name="北社区", level=Level.COMMUNITY, parent=city.street_a
    )
    north_b = Area.objects.create(
        code=city.community_b.code + "003",
        name="北网格乙",
        level=Level.GRID,
        parent=city.community_b,
        boundary=square(120.10, 30.05, 120.15, 30.10),
    )
    north_b2 = Area.objects.create(
        code=community.code + "001",
        name="北网格乙二",
        level=Level.GRID,
        parent=community,
        boundary=square(120.15, 30.05, 120.20, 30.10),
    )
    assert north_b2.code < city.grid_b.code < north_b.code
    assert north_b2.pk > north_b.pk > city.grid_b.pk
    return north_b, north_b2


def test_a_point_inside_a_grid(city):
    assert routing.route_point(*city.point_a) == city.grid_a
    assert routing.route_point(*city.point_b) == city.grid_b
    assert routing.route_point(120.16, 30.04) == city.grid_b2


def test_a_point_given_as_text_is_routed(city):
    assert routing.route_point("120.01", " 30.01 ") == city.grid_a


@pytest.mark.parametrize(
    ("point", "grid"),
    [
        ((120.05, 30.02), "grid_a"),  # A | A2
        ((120.10, 30.02), "grid_a2"),  # A2 | B
        ((120.15, 30.02), "grid_b"),  # B | B2
        ((120.0, 30.02), "grid_a"),  # A's outer edge
        ((120.05, 30.0), "grid_a"),  # on the shared edge's end
    ],
)
def test_a_border_point_goes_to_the_smaller_code_every_time(city, point, grid):
    expected = getattr(city, grid)
    for _ in range(5):
        routing.grid_copy.invalidate()  # rebuilt from scratch each time
        assert routing.route_point(*point) == expected


def test_a_border_shared_with_a_later_grid_with_a_smaller_code(city, north_row):
    _north_b, north_b2 = north_row
    for _ in range(3):
        routing.grid_copy.invalidate()
        assert routing.route_point(120.17, 30.05) == north_b2  # B2 | north B2


def test_a_corner_shared_by_four_grids(city, people, north_row):
    _north_b, north_b2 = north_row
    for _ in range(3):
        routing.grid_copy.invalidate()
        assert routing.route_point(120.15, 30.05) == north_b2
    case = submit(city, people, point=(120.15, 30.05))
    assert case.grid == north_b2 and case.area_path == north_b2.path


def test_a_point_in_a_hole_goes_to_the_city_queue(city, people):
    assert routing.route_point(*HOLE) is None
    case = submit(city, people, point=HOLE)
    assert case.grid is None
    assert case.area_path == city.city.path
    assert case.events.get().data == {"channel": "web", "routed": False}
    city_leader = User.objects.create_user("city_leader", password="x")
    Assignment.objects.create(user=city_leader, area=city.city, role="leader")
    assert list(cases_for(city_leader)) == [case]
    assert list(cases_for(people.admin)) == [case]
    assert list(cases_for(people.citizen)) == [case]
    for grid_staff in (people.officer_a, people.officer_b, people.street_leader, people.clerk):
        assert list(cases_for(grid_staff)) == []


def test_a_point_outside_every_grid_is_never_an_error(city, people):
    assert routing.route_point(*OUTSIDE) is None
    case = submit(city, people, point=OUTSIDE)
    assert (case.grid, case.area_path, case.status) == (None, city.city.path, "submitted")


def test_without_any_city_an_unrouted_case_still_has_a_path(db):
    category = Category.objects.create(
        family="event", code="e-1", name="其他", name_en="Other", general_limit=4
    )
    citizen = User.objects.create_user("lonely", password="x")
    case = workflow.submit_case(
        actor=citizen, category=category, description="无网格", lon=100.0, lat=20.0
    )
    assert (case.grid, case.area_path) == (None, "/")
    assert list(cases_for(citizen)) == [case]


def _redraw_grid_a(city) -> Area:
    """Retire grid A and replace it with a smaller grid of the same code, without the hole."""
    old = city.grid_a
    old.retired_at = timezone.now()
    old.save()
    new = Area.objects.create(
        code=old.code,
        name=old.name,
        level=Level.GRID,
        parent=old.parent,
        boundary=square(120.0, 30.0, 120.04, 30.05),
    )
    old.replaced_by = new
    old.save()
    return new


def test_a_redrawn_grid_routes_new_points_and_keeps_old_cases(city, people):
    old_case = submit(city, people, point=(120.045, 30.01))
    hole_case = submit(city, people, point=HOLE)
    assert routing.grid_index() is routing.grid_index()  # a warm index, as in a live process
    stale = routing.grid_index()

    new = _redraw_grid_a(city)

    assert routing.grid_index() is not stale  # rebuilt without a restart
    assert routing.route_point(*HOLE) == new  # the new boundary has no hole
    assert routing.route_point(120.045, 30.01) is None  # no longer inside grid A
    assert routing.route_point(*city.point_a) == new
    old_case.refresh_from_db()
    hole_case.refresh_from_db()
    assert old_case.grid == city.grid_a and old_case.grid.retired_at is not None
    assert hole_case.grid is None
    new_case = submit(city, people, point=city.point_a)
    assert new_case.grid == new
    # The grid's officer keeps the cases filed in the old drawing, and sees the new ones.
    assert set(cases_for(people.officer_a)) == {old_case, new_case}
    assert set(cases_for(people.street_leader)) == {old_case, new_case}


def test_a_retired_grid_without_replacement_grants_nothing(city, people):
    case = submit(city, people)
    city.grid_a.retired_at = timezone.now()
    city.grid_a.save()
    assert routing.route_point(*city.point_a) is None
    assert list(cases_for(people.officer_a)) == []
    # Its code reused for an unrelated new grid elsewhere: the old officer gets nothing there.
    reused = Area.objects.create(
        code=city.grid_a.code,
        name="新网格",
        level=Level.GRID,
        parent=city.community_a,
        boundary=square(120.0, 30.05, 120.05, 30.10),
    )
    assert routing.route_point(120.01, 30.07) == reused
    submit(city, people, point=(120.01, 30.07))
    assert list(cases_for(people.officer_a)) == []
    assert case in cases_for(people.street_leader)


def test_a_stale_index_is_rebuilt_when_another_process_bumps_the_version(city):
    stale = routing.grid_index()
    assert routing.route_point(120.045, 30.01) == city.grid_a
    # Another process redraws grid A: the row changes without this process's signal handler.
    Area.objects.filter(pk=city.grid_a.pk).update(boundary=square(120.0, 30.0, 120.04, 30.05))
    assert routing.grid_index() is stale  # same shared version: this process keeps its index
    assert routing.route_point(120.045, 30.01) == city.grid_a

    routing.grid_copy.bump()  # what the other process does after its commit
    routing.grid_copy.value = stale  # …while this process still holds the old index

    fresh = routing.grid_index()
    assert fresh is not stale and fresh.version != stale.version
    assert routing.route_point(120.045, 30.01) is None


def test_the_version_is_checked_at_most_once_per_interval(city, settings):
    settings.GOVERNANCE = {**settings.GOVERNANCE, "GRID_INDEX_CHECK_SECONDS": 3600}
    stale = routing.grid_index()
    routing.grid_copy.bump()
    routing.grid_copy.value = stale
    routing.grid_copy.checked_at = time.monotonic()
    assert routing.grid_index() is stale  # within the interval: no cache round trip


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [
        (None, 30.0, "lon"),
        ("", 30.0, "lon"),
        ("abc", 30.0, "lon"),
        (float("nan"), 30.0, "lon"),
        (float("inf"), 30.0, "lon"),
        (181, 30.0, "lon"),
        (-181, 30.0, "lon"),
        (120.0, None, "lat"),
        (120.0, "", "lat"),
        (120.0, "abc", "lat"),
        (120.0, float("nan"), "lat"),
        (120.0, float("-inf"), "lat"),
        (120.0, -91, "lat"),
        (120.0, 91, "lat"),
        (120.0, [30], "lat"),
    ],
)
def test_validate_point_names_the_bad_coordinate(lon, lat, field):
    with pytest.raises(ValidationError) as refused:
        routing.validate_point(lon, lat)
    assert list(refused.value.message_dict) == [field]


def test_validate_point_names_both_when_both_are_bad():
    with pytest.raises(ValidationError) as refused:
        routing.validate_point("abc", None)
    assert set(refused.value.message_dict) == {"lon", "lat"}


@pytest.mark.parametrize(("lon", "lat"), [(180, 90), (-180, -90), ("120.5", "30.25"), (0, 0)])
def test_validate_point_accepts_the_whole_range(lon, lat):
    assert routing.validate_point(lon, lat) == (float(lon), float(lat))
