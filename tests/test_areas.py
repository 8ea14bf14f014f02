"""The area tree: codes, uniqueness, boundaries, bounding boxes and subtree queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.geometry import parse_boundary
from governance.models import Area, Level
from governance.models.area import validate_code
from tests.factories import square

pytestmark = pytest.mark.usefixtures("english")

CITY, DISTRICT, STREET, COMMUNITY = "339900", "339901", "339901001", "339901001001"


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        (CITY, Level.CITY, None),
        (DISTRICT, Level.DISTRICT, CITY),
        ("339999", Level.DISTRICT, CITY),
        (STREET, Level.STREET, DISTRICT),
        ("339901999", Level.STREET, DISTRICT),
        (COMMUNITY, Level.COMMUNITY, STREET),
        (COMMUNITY + "001", Level.GRID, COMMUNITY),
        (COMMUNITY + "120", Level.GRID, COMMUNITY),
    ],
)
def test_valid_codes(code, level, parent):
    validate_code(code, level, parent)


@pytest.mark.parametrize(
    ("code", "level", "parent", "field", "words"),
    [
        # length, per level
        ("33990", Level.CITY, None, "code", "6 digits"),
        ("3399000", Level.CITY, None, "code", "6 digits"),
        ("3399011", Level.DISTRICT, CITY, "code", "6 digits"),
        ("33990100", Level.STREET, DISTRICT, "code", "9 digits"),
        ("3399010010011", Level.COMMUNITY, STREET, "code", "12 digits"),
        ("33990100100101", Level.GRID, COMMUNITY, "code", "15 digits"),
        # digits only
        ("33990A", Level.CITY, None, "code", "digits only"),
        ("", Level.CITY, None, "code", "digits only"),
        ("339901 01", Level.STREET, DISTRICT, "code", "digits only"),
        ("-33990", Level.CITY, None, "code", "digits only"),
        ("３３９９００", Level.CITY, None, "code", "digits only"),  # full-width digits
        # the parent's prefix
        ("339801", Level.DISTRICT, CITY, "code", "continue"),  # not the city's first 4 digits
        ("339900", Level.DISTRICT, CITY, "code", "continue"),  # the city's own code
        ("339902001", Level.STREET, DISTRICT, "code", "continue"),
        ("339901002001", Level.COMMUNITY, STREET, "code", "continue"),
        ("339901001002001", Level.GRID, COMMUNITY, "code", "continue"),
        # an all-zero suffix
        ("339901000", Level.STREET, DISTRICT, "code", "zero"),
        ("339901001000", Level.COMMUNITY, STREET, "code", "zero"),
        ("339901001001000", Level.GRID, COMMUNITY, "code", "zero"),
        # parents
        (CITY, Level.CITY, "339800", "parent", "no parent"),
        (DISTRICT, Level.DISTRICT, None, "parent", "needs a parent"),
        (COMMUNITY + "001", Level.GRID, None, "parent", "needs a parent"),
    ],
)
def test_invalid_codes_are_refused_naming_the_problem(code, level, parent, field, words):
    with pytest.raises(ValidationError) as refused:
        validate_code(code, level, parent)
    messages = refused.value.message_dict
    assert list(messages) == [field]
    assert words in messages[field][0]


def _area(city, **fields) -> Area:
    defaults = {"name": "新区域"}
    defaults.update(fields)
    return Area(**defaults)


@pytest.mark.parametrize(
    ("level", "parent", "expected"),
    [
        (Level.GRID, "street_a", "community"),  # a grid never hangs under a street
        (Level.GRID, "district", "community"),
        (Level.COMMUNITY, "district", "street"),
        (Level.STREET, "city", "district"),
        (Level.DISTRICT, "street_a", "city"),
        (Level.CITY, "district", None),  # a city has no parent at all
    ],
)
def test_the_wrong_parent_level_is_refused(city, level, parent, expected):
    parent_area = getattr(city, parent)
    code = parent_area.code + "009" if level >= Level.STREET else "339909"
    area = _area(city, code=code, level=level, parent=parent_area, boundary=square(0, 0, 1, 1))
    with pytest.raises(ValidationError) as refused:
        area.full_clean()
    assert "parent" in refused.value.message_dict
    message = refused.value.message_dict["parent"][0]
    assert (expected in message) if expected else ("no parent" in message)


def test_a_valid_grid_passes_full_clean(city):
    area = _area(
        city,
        code=city.community_a.code + "003",
        level=Level.GRID,
        parent=city.community_a,
        boundary=square(120.0, 30.05, 120.05, 30.1),
    )
    area.full_clean()
    area.save()
    assert area.path == city.community_a.path + area.code + "/"


def test_a_grid_needs_a_boundary(city):
    area = _area(
        city, code=city.community_a.code + "003", level=Level.GRID, parent=city.community_a
    )
    with pytest.raises(ValidationError) as refused:
        area.full_clean()
    assert list(refused.value.message_dict) == ["boundary"]


def test_an_active_code_is_unique(city):
    duplicate = _area(
        city,
        code=city.grid_a.code,
        level=Level.GRID,
        parent=city.community_a,
        boundary=square(120.0, 30.05, 120.05, 30.1),
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert Area.objects.filter(code=city.grid_a.code).count() == 1


def test_a_retired_code_may_be_reused(city):
    city.grid_a.retired_at = timezone.now()
    city.grid_a.save()
    reused = _area(
        city,
        code=city.grid_a.code,
        level=Level.GRID,
        parent=city.community_a,
        boundary=square(120.0, 30.05, 120.05, 30.1),
    )
    reused.full_clean()
    reused.save()
    assert Area.objects.filter(code=city.grid_a.code).count() == 2
    assert list(Area.objects.active().filter(code=city.grid_a.code)) == [reused]


# --- boundaries -----------------------------------------------------------------------------

RING = [[120.0, 30.0], [120.1, 30.0], [120.1, 30.1], [120.0, 30.1], [120.0, 30.0]]

BAD_BOUNDARIES = {
    "not closed": ({"type": "Polygon", "coordinates": [[*RING[:-1], [120.0, 30.05]]]}, "closed"),
    "three positions": (
        {"type": "Polygon", "coordinates": [[[120, 30], [121, 30], [120, 30]]]},
        "at least 4 positions",
    ),
    "bow-tie": (
        {
            "type": "Polygon",
            "coordinates": [[[120, 30], [121, 31], [121, 30], [120, 31], [120, 30]]],
        },
        "Self-intersection",
    ),
    "longitude out of range": (
        {"type": "Polygon", "coordinates": [[[181, 30], [182, 30], [182, 31], [181, 30]]]},
        "outside longitude",
    ),
    "latitude out of range": (
        {"type": "Polygon", "coordinates": [[[120, 89], [121, 91], [121, 89], [120, 89]]]},
        "outside longitude",
    ),
    "NaN position": (
        {"type": "Polygon", "coordinates": [[[120, 30], [float("nan"), 30], [121, 31], [120, 30]]]},
        "outside longitude",
    ),
    "text position": (
        {"type": "Polygon", "coordinates": [[["120", "30"], [121, 30], [121, 31], ["120", "30"]]]},
        "[longitude, latitude]",
    ),
    "a Point": ({"type": "Point", "coordinates": [120, 30]}, "not Point"),
    "no type": ({"coordinates": [RING]}, "Polygon or MultiPolygon"),
    "not an object": ([RING], "GeoJSON geometry object"),
    "zero area": (
        {"type": "Polygon", "coordinates": [[[120, 30], [121, 31], [122, 32], [120, 30]]]},
        "no area",
    ),
    "no rings": ({"type": "Polygon", "coordinates": []}, "at least one ring"),
    "empty MultiPolygon": ({"type": "MultiPolygon", "coordinates": []}, "at least one polygon"),
    "bad second polygon": (
        {"type": "MultiPolygon", "coordinates": [[RING], [RING[:3]]]},
        "Polygon 2",
    ),
}


@pytest.mark.parametrize(("geojson", "words"), BAD_BOUNDARIES.values(), ids=BAD_BOUNDARIES.keys())
def test_a_bad_boundary_is_refused_naming_the_problem(geojson, words):
    with pytest.raises(ValidationError) as refused:
        parse_boundary(geojson)
    assert words in " ".join(refused.value.messages)


@pytest.mark.parametrize(("geojson", "words"), BAD_BOUNDARIES.values(), ids=BAD_BOUNDARIES.keys())
def test_an_area_with_a_bad_boundary_fails_full_clean_on_the_boundary(city, geojson, words):
    area = _area(city, code=city.street_a.code + "009", level=Level.COMMUNITY, parent=city.street_a)
    area.boundary = geojson
    with pytest.raises(ValidationError) as refused:
        area.full_clean()
    assert list(refused.value.message_dict) == ["boundary"]
    assert words in " ".join(refused.value.message_dict["boundary"])


def test_a_multipolygon_and_a_hole_are_fine_and_the_bbox_is_stored(city):
    multipolygon = {
        "type": "MultiPolygon",
        "coordinates": [
            square(120.0, 30.05, 120.02, 30.07)["coordinates"],
            square(120.03, 30.06, 120.05, 30.09, hole=True)["coordinates"],
        ],
    }
    geometry = parse_boundary(multipolygon)
    assert geometry.geom_type == "MultiPolygon"
    area = _area(
        city,
        code=city.community_a.code + "003",
        level=Level.GRID,
        parent=city.community_a,
        boundary=multipolygon,
    )
    area.full_clean()
    area.save()
    area.refresh_from_db()
    assert (area.min_lon, area.min_lat, area.max_lon, area.max_lat) == (120.0, 30.05, 120.05, 30.09)
    # Redrawn: the box follows; no boundary: no box.
    area.boundary = square(120.0, 30.05, 120.01, 30.06)
    area.save()
    area.refresh_from_db()
    assert (area.min_lon, area.max_lat) == (120.0, 30.06)
    city.street_a.boundary = None
    city.street_a.save()
    city.street_a.refresh_from_db()
    assert city.street_a.min_lon is None and city.street_a.max_lat is None


def test_the_test_citys_grid_a_has_its_hole():
    geometry = parse_boundary(square(120.0, 30.0, 120.05, 30.05, hole=True))
    assert geometry.area == pytest.approx(0.05 * 0.05 - 0.01 * 0.01)


# --- the tree -------------------------------------------------------------------------------


def test_under_returns_the_subtree_in_one_query(city, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = [a.code for a in Area.objects.under(city.street_a)]
    assert codes == [
        city.street_a.code,
        city.community_a.code,
        city.grid_a.code,
        city.grid_a2.code,
    ]
    with django_assert_num_queries(1):
        below = set(Area.objects.under(city.district, include_self=False))
    assert below == set(Area.objects.exclude(pk__in=[city.city.pk, city.district.pk]))
    with django_assert_num_queries(1):
        assert list(Area.objects.under(city.grid_b)) == [city.grid_b]


def test_paths_follow_the_codes(city):
    assert city.grid_a.path == "/339900/339901/339901001/339901001001/339901001001001/"
    assert [a.code for a in city.grid_b.ancestors()] == [
        "339900",
        "339901",
        "339901002",
        "339901002001",
        "339901002001001",
    ]
    assert list(Area.objects.active().grids().order_by("code")) == [
        city.grid_a,
        city.grid_a2,
        city.grid_b,
        city.grid_b2,
    ]
