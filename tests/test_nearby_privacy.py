"""The duplicate hint (`/submit/nearby/`) learns nothing finer than the public point.

Anyone may ask it from any point as often as they like, so for a case the asker may not see
exactly its answer — which cases, in which order, how many, and how long the database took —
must be a function of the public (rounded) point alone. The attack that was found: start at a
private case's rounded public point and ask from a 7×7 grid of points around it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import duplicates, workflow
from governance.models import Case
from tests.scenario import PRIVATE_POINT

STEP = 0.0004  # about 40 m: the grid spans ±120 m, across the edge of what is offered


def _ask(client, category, lon: float, lat: float) -> str:
    client.cookies["django_language"] = "en"  # the words the assertions read
    response = client.get(
        reverse("citizens:submit_nearby"),
        {"category": category.pk, "lon": f"{lon:.6f}", "lat": f"{lat:.6f}"},
    )
    assert response.status_code == 200
    return response.content.decode()


def _grid(center: tuple[float, float]) -> list[tuple[float, float]]:
    return [
        (center[0] + i * STEP, center[1] + j * STEP) for i in range(-3, 4) for j in range(-3, 4)
    ]


def _move(case: Case, lon: float, lat: float) -> None:
    Case.objects.filter(pk=case.pk).update(lon=lon, lat=lat)


def _submit(people, category, point, **extra) -> Case:
    return workflow.submit_case(
        actor=people.other_citizen,
        category=category,
        description="x",
        lon=point[0],
        lat=point[1],
        **extra,
    )


def test_a_private_case_is_never_offered_to_who_may_not_see_it(client, scenario, people):
    category = scenario.private_category
    for lon, lat in _grid((round(PRIVATE_POINT[0], 3), round(PRIVATE_POINT[1], 3))):
        assert scenario.private_case.tracking_id not in _ask(client, category, lon, lat)
    client.force_login(people.other_citizen)
    assert scenario.private_case.tracking_id not in _ask(client, category, *PRIVATE_POINT)
    client.force_login(people.admin)  # may see its personal data: the exact hint
    html = _ask(client, category, *PRIVATE_POINT)
    assert scenario.private_case.tracking_id in html and "0 m away" in html


def test_triangulation_from_a_7x7_grid_learns_nothing_finer_than_the_rounded_point(
    client, city, people, scenario
):
    """Two ordinary cases in one rounding cell and a private case beside them: the 49 answers
    are the same wherever in their cells the cases really are."""
    cell = (120.010, 30.010)
    older = _submit(people, city.category, (120.0102, 30.0101), answers={"amount": "small"})
    newer = _submit(people, city.category, (120.0098, 30.0099), answers={"amount": "small"})
    private = _submit(people, scenario.private_category, (120.0101, 30.0100))

    def answers() -> list[str]:
        return [
            _ask(client, category, lon, lat)
            for category in (city.category, scenario.private_category)
            for lon, lat in _grid(cell)
        ]

    first = answers()
    assert any(older.tracking_id in a and newer.tracking_id in a for a in first)
    assert any(older.tracking_id not in a for a in first[:49])  # the grid crosses the edge
    assert not any(private.tracking_id in a for a in first)
    assert not any(" m away" in a for a in first)  # no distance finer than "nearby"
    # Anywhere else in the same rounding cells (swapped, moved to the cells' corners)...
    _move(older, 120.00955, 30.01045)
    _move(newer, 120.01045, 30.00955)
    _move(private, 120.00951, 30.00951)
    assert answers() == first  # ...the same answers: found, order and count alike


def test_the_query_has_the_same_shape_whether_or_not_private_cases_are_near(
    client, city, people, scenario
):
    def queries(category) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            _ask(client, category, *PRIVATE_POINT)
        return [q["sql"] for q in captured.captured_queries]

    with_private = queries(scenario.private_category)
    Case.objects.filter(pk=scenario.private_case.pk).update(status="closed")
    without = queries(scenario.private_category)
    assert with_private == without


def test_the_duplicate_check_keeps_older_duplicates_at_a_busy_spot(city, people):
    """Newer cases nearer than an older duplicate are dropped before the five are chosen."""
    spot = (120.0300, 30.0300)
    older = _submit(people, city.category, (120.0303, 30.0300), answers={"amount": "small"})
    case = _submit(people, city.category, spot, answers={"amount": "small"})
    for i in range(6):  # filed after `case`, all nearer to it than `older`
        _submit(people, city.category, (120.0300 + i * 1e-6, 30.0300), answers={"amount": "small"})
    found = duplicates.earlier_open_cases_near(case)
    assert [c.tracking_id for c in found] == [older.tracking_id]


@pytest.mark.parametrize("persona", ["citizen", "officer_a"])
def test_own_and_permitted_cases_keep_their_exact_distance(client, city, people, persona):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="x",
        lon=120.0100,
        lat=30.0100,
        answers={"amount": "small"},
    )
    client.force_login(getattr(people, persona))
    html = _ask(client, city.category, 120.0103, 30.0100)
    assert case.tracking_id in html and "29 m away" in html
