"""'At or beneath an area' on the case path: a grid by equality, the areas above by prefix.

The equality is what keeps an officer's list fast at city scale (the planner estimates a grid's
size from the column's distinct values instead of a histogram bucket): a grid officer's filter
must never fall back to a prefix LIKE, and both forms must select the same cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.access import Action, cases_for
from governance.models import Case
from governance.paths import at_or_beneath, at_or_beneath_any, depth
from tests.cases import submit


def test_depth_counts_the_codes_of_a_path():
    assert depth("/339900/") == 1
    assert depth("/339900/339901/339901001/339901001001/339901001001001/") == 5


def test_a_grid_is_matched_by_equality_and_an_area_above_by_prefix(city):
    assert at_or_beneath(city.grid_a.path).children == [("area_path", city.grid_a.path)]
    assert at_or_beneath(city.street_a.path).children == [
        ("area_path__startswith", city.street_a.path)
    ]


def test_paths_covered_by_a_shorter_one_are_dropped(city):
    condition = at_or_beneath_any([city.grid_a.path, city.street_a.path, city.grid_b.path])
    text = str(condition)
    assert city.street_a.path in text and city.grid_b.path in text
    assert city.grid_a.path not in text  # under street A already


def test_no_paths_select_nothing(city, people):
    submit(city, people, point=city.point_a)
    assert not Case.objects.filter(at_or_beneath_any([])).exists()


@pytest.mark.django_db
def test_both_forms_select_exactly_the_area_s_cases(city, people):
    in_a = submit(city, people, point=city.point_a)
    in_b = submit(city, people, point=city.point_b)
    assert set(Case.objects.filter(at_or_beneath(city.grid_a.path))) == {in_a}
    assert set(Case.objects.filter(at_or_beneath(city.street_a.path))) == {in_a}
    assert set(Case.objects.filter(at_or_beneath(city.district.path))) == {in_a, in_b}
    assert set(Case.objects.filter(at_or_beneath_any([city.grid_a.path, city.grid_b.path]))) == {
        in_a,
        in_b,
    }


@pytest.mark.django_db
def test_a_grid_officer_s_list_asks_for_the_grid_by_equality(city, people):
    submit(city, people, point=city.point_a)
    with CaptureQueriesContext(connection) as queries:
        list(cases_for(people.officer_a, Action.VIEW).order_by("-created_at")[:51])
    listing = queries.captured_queries[-1]["sql"]
    assert "LIKE" not in listing.upper()
    assert city.grid_a.path in listing
    with CaptureQueriesContext(connection) as queries:
        list(cases_for(people.street_leader, Action.VIEW).order_by("-created_at")[:51])
    assert "LIKE" in queries.captured_queries[-1]["sql"].upper()
