"""GET /api/v1/evaluation/…: the answer's shape, periods, and who sees which figures — each
persona through the same scope as cases."""

from __future__ import annotations

import pytest

from tests.evaluation.story import tell

BASE = "/api/v1/evaluation"


@pytest.fixture
def story(city, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tell(city, people)


def get(api, person, url):
    api.force_authenticate(person)
    return api.get(url)


def test_an_areas_month_in_the_shape_of_the_issue(api, city, people, story):
    answer = get(api, people.dispatcher, f"{BASE}/areas/{city.district.code}/?period=2026-11")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) >= {
        "scope",
        "period",
        "as_of",
        "counts",
        "rates",
        "score",
        "grade",
        "previous",
        "last_year",
        "how_counted",
    }
    assert body["scope"]["code"] == city.district.code
    assert body["period"]["start"].startswith("2026-11-01T00:00:00+08:00")
    assert body["period"]["end"].startswith("2026-12-01T00:00:00+08:00")
    assert body["counts"]["reported"] == 9 and body["counts"]["closed_on_time"] == 3
    assert body["rates"]["on_time_closing_rate"] == 0.5
    assert body["score"] == 64.3 and body["grade"] == "C"
    assert body["previous"]["period"]["start"].startswith("2026-10-01")
    assert body["previous"]["rates"]["closing_rate"] is None  # nothing in October: null
    assert body["last_year"]["period"]["start"].startswith("2025-11-01")
    assert "3 / 6" in body["how_counted"]["on_time_closing_rate"]


def test_a_range_and_a_bad_period(api, city, people, story):
    url = f"{BASE}/areas/{city.district.code}/?start=2026-11-02&end=2026-11-03"
    body = get(api, people.dispatcher, url).json()
    assert body["counts"]["reported"] == 2  # c1 and c2
    assert body["period"]["end"].startswith("2026-11-04")
    bad = get(api, people.dispatcher, f"{BASE}/areas/{city.district.code}/?period=November")
    assert bad.status_code == 400
    assert "2026-11" in bad.json()["detail"]


def test_the_ranking_of_children(api, city, people, story):
    body = get(api, people.dispatcher, f"{BASE}/areas/{city.district.code}/children/").json()
    assert [c["scope"]["code"] for c in body["children"]] == [
        city.street_a.code,
        city.street_b.code,
    ]
    url = f"{BASE}/areas/{city.district.code}/children/?period=2026-11"
    body = get(api, people.dispatcher, url).json()
    assert [(c["rank"], c["grade"]) for c in body["children"]] == [(1, "C"), (None, None)]


@pytest.mark.parametrize(
    ("persona", "where", "status"),
    [
        ("admin", "district", 200),
        ("dispatcher", "district", 200),  # a district's dispatcher: the district
        ("street_leader", "district", 403),
        ("street_leader", "street_a", 200),  # a leader: their subtree
        ("street_leader", "grid_a", 200),
        ("street_leader", "street_b", 403),
        ("officer_a", "grid_a", 200),  # an officer: their grid
        ("officer_a", "grid_b", 403),
        ("officer_a", "community_a", 403),
        ("clerk", "district", 403),  # a department clerk: no area's figures
        ("citizen", "grid_a", 403),
    ],
)
def test_who_sees_an_areas_figures(api, city, people, persona, where, status):
    area = getattr(city, where)
    answer = get(api, getattr(people, persona), f"{BASE}/areas/{area.code}/?period=2026-11")
    assert answer.status_code == status
    children = get(api, getattr(people, persona), f"{BASE}/areas/{area.code}/children/")
    assert children.status_code == status


@pytest.mark.parametrize(
    ("persona", "department", "status"),
    [
        ("clerk", "department", 200),
        ("other_clerk", "department", 403),
        ("other_clerk", "other_department", 200),
        ("dispatcher", "department", 403),  # a district does not see a city department
        ("admin", "department", 200),
        ("citizen", "department", 403),
    ],
)
def test_who_sees_a_departments_figures(api, city, people, persona, department, status):
    code = getattr(city, department).code
    answer = get(api, getattr(people, persona), f"{BASE}/departments/{code}/")
    assert answer.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer_a", 200),  # themselves
        ("street_leader", 200),  # the leader of the street above their grid
        ("officer_b", 404),  # a colleague elsewhere learns nothing, not even that they exist
        ("dispatcher", 404),  # dispatching is not supervising
        ("citizen", 404),
        ("admin", 200),
    ],
)
def test_who_sees_a_persons_figures(api, city, people, persona, status):
    answer = get(api, getattr(people, persona), f"{BASE}/people/officer_a/?period=2026-11")
    assert answer.status_code == status


def test_a_persons_figures_are_their_own_obligations(api, city, people, story):
    body = get(api, people.officer_a, f"{BASE}/people/officer_a/?period=2026-11").json()
    assert body["rates"]["verified_on_time_rate"] == 0.875  # 7 of 8 verifications in time
    assert body["rates"]["valid_report_rate"] is None  # no patrol reports
    # A grid officer who neither patrolled nor visited anyone met none of the duty minimums
    # (grid work contributes the rate: `evaluation.contributed`).
    assert body["rates"]["patrol_duty_met"] == 0.0
    assert body["score"] == 58.3  # the terms with data, scaled to 100: 87.5 × 40 / 60


def test_unknown_codes_and_strangers(api, city, people):
    assert get(api, people.admin, f"{BASE}/areas/999999/").status_code == 404
    assert get(api, people.admin, f"{BASE}/departments/nothing/").status_code == 404
    assert get(api, people.admin, f"{BASE}/people/nobody/").status_code == 404
    api.force_authenticate(None)
    assert api.get(f"{BASE}/areas/{city.district.code}/").status_code == 401


def test_the_endpoints_are_in_the_openapi_schema(api, db):
    schema = api.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/evaluation/areas/{area_code}/",
        "/api/v1/evaluation/areas/{area_code}/children/",
        "/api/v1/evaluation/departments/{department_code}/",
        "/api/v1/evaluation/people/{username}/",
    ):
        assert path in schema["paths"]
