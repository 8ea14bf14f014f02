"""Importing the area tree from GeoJSON: all or nothing, every bad feature named."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

from governance import routing, workflow
from governance.access import Action, may
from governance.area_import import AreaImportError, import_areas
from governance.models import Area, Case, Level
from tests.factories import square

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    """These tests read English messages, whatever catalogs are compiled."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def feature(code, level, parent, geometry=None, name=None, name_en=""):
    return {
        "type": "Feature",
        "properties": {
            "code": code,
            "name": name or f"区域{code}",
            "name_en": name_en,
            "level": level,
            "parent": parent,
        },
        "geometry": geometry,
    }


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def small_city():
    # Children listed before their parents on purpose: the importer sorts them.
    return collection(
        feature("440101001001001", "grid", "440101001001", square(113.0, 23.0, 113.01, 23.01)),
        feature("440101001001002", "grid", "440101001001", square(113.01, 23.0, 113.02, 23.01)),
        feature("440101001001", "community", "440101001", square(113.0, 23.0, 113.02, 23.01)),
        feature("440101001", "street", "440101", square(113.0, 23.0, 113.02, 23.01)),
        feature("440101", "district", "440100", square(113.0, 23.0, 113.02, 23.01)),
        feature("440100", "city", None, name="穗城", name_en="Suicheng"),
    )


def test_a_good_file_builds_the_tree():
    result = import_areas(json.dumps(small_city()))
    assert result.ok
    assert len(result.created) == 6
    grid = Area.objects.get(code="440101001001002")
    assert grid.path == "/440100/440101/440101001/440101001001/440101001001002/"
    assert grid.parent.code == "440101001001"
    assert Area.objects.get(code="440100").name_en == "Suicheng"
    assert routing.route_point(113.015, 23.005) == grid


def test_importing_the_same_file_again_changes_nothing():
    import_areas(json.dumps(small_city()))
    stamps = dict(Area.objects.values_list("code", "updated_at"))
    result = import_areas(json.dumps(small_city()))
    assert result.ok and len(result.unchanged) == 6
    assert not (result.created or result.updated or result.redrawn)
    assert dict(Area.objects.values_list("code", "updated_at")) == stamps


def test_renaming_updates_in_place():
    import_areas(small_city())
    data = small_city()
    data["features"][3]["properties"]["name"] = "新街道"
    result = import_areas(data)
    assert result.updated == ["440101001"]
    assert Area.objects.get(code="440101001").name == "新街道"
    assert Area.objects.filter(code="440101001").count() == 1


def test_two_bad_features_are_both_reported_and_nothing_is_imported():
    data = small_city()
    # Feature 2: a grid code that does not continue its community's code.
    data["features"][1]["properties"]["code"] = "440101002001002"
    # Feature 3: a self-intersecting (bow-tie) community boundary.
    data["features"][2]["geometry"] = {
        "type": "Polygon",
        "coordinates": [
            [[113.0, 23.0], [113.02, 23.01], [113.02, 23.0], [113.0, 23.01], [113.0, 23.0]]
        ],
    }
    result = import_areas(json.dumps(data))
    assert not result.ok
    assert [(p.index, p.code) for p in result.problems] == [
        (2, "440101002001002"),
        (3, "440101001001"),
    ]
    assert "does not continue its parent's code" in result.problems[0].reason
    assert "not a valid shape" in result.problems[1].reason
    assert str(result.problems[0]).startswith("feature 2 (code 440101002001002): ")
    assert Area.objects.count() == 0


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ({"level": "county"}, "level must be one of"),
        ({"parent": "440199"}, "neither in the file nor stored"),
        ({"name": ""}, "name property is missing"),
        ({"code": "4401010010010011"}, "has 15 digits"),
    ],
)
def test_each_kind_of_bad_property_is_named(broken, reason):
    data = small_city()
    data["features"][0]["properties"].update(broken)
    result = import_areas(data)
    assert [p.index for p in result.problems] == [1]
    assert reason in result.problems[0].reason
    assert Area.objects.count() == 0


def test_a_grid_without_boundary_and_duplicate_codes_are_refused():
    data = small_city()
    data["features"][0]["geometry"] = None
    data["features"].append(data["features"][1])
    result = import_areas(data)
    reasons = {p.index: p.reason for p in result.problems}
    assert "a grid needs a boundary" in reasons[1]
    assert "more than once" in reasons[7]


def test_a_grid_under_a_street_is_refused():
    data = small_city()
    data["features"][0]["properties"]["parent"] = "440101001"
    result = import_areas(data)
    assert "must sit under a community" in result.problems[0].reason


def test_unreadable_files_raise():
    for text in ("{nope", json.dumps({"type": "Feature"}), json.dumps(collection())):
        with pytest.raises(AreaImportError):
            import_areas(text)


def test_dry_run_validates_and_saves_nothing():
    result = import_areas(small_city(), dry_run=True)
    assert result.ok and len(result.created) == 6
    assert Area.objects.count() == 0


def test_redrawing_a_grid_keeps_old_cases_in_the_old_grid(city, people):
    old_case = workflow.submit_case(
        actor=people.citizen,
        category=city.urgent_category,
        description="井盖",
        lon=city.point_a[0],
        lat=city.point_a[1],
    )
    grid = city.grid_a
    moved = square(120.0, 30.0, 120.05, 30.06)
    result = import_areas(
        collection(feature(grid.code, "grid", city.community_a.code, moved, name=grid.name))
    )
    assert result.redrawn == [grid.code]
    grid.refresh_from_db()
    replacement = Area.objects.active().get(code=grid.code)
    assert grid.retired_at is not None and grid.replaced_by == replacement
    old_case.refresh_from_db()
    assert old_case.grid_id == grid.pk
    # The officer now holds the new grid; new cases there route to it and reach them.
    assert replacement.assignments.filter(user=people.officer_a).exists()
    new_case = workflow.submit_case(
        actor=people.citizen,
        category=city.urgent_category,
        description="井盖",
        lon=120.02,
        lat=30.055,
    )
    assert new_case.grid == replacement
    # The old case is still in the officer's scope (its area path did not change).
    assert may(people.officer_a, Action.VIEW, old_case)
    assert Case.objects.filter(grid__code=grid.code).count() == 2


def test_the_command_imports_and_fails_loudly(tmp_path, capsys):
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(small_city()), encoding="utf-8")
    call_command("import_areas", str(good), "--dry-run")
    assert Area.objects.count() == 0
    call_command("import_areas", str(good))
    assert Area.objects.filter(level=Level.GRID).count() == 2

    bad = tmp_path / "bad.geojson"
    data = small_city()
    data["features"][0]["properties"]["code"] = "x"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="1 bad feature"):
        call_command("import_areas", str(bad))


def test_the_command_exits_non_zero_on_a_bad_file(tmp_path, capsys, monkeypatch):
    from django.core.management import ManagementUtility, base

    # run_from_argv closes the database connections when done; keep the test's open.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    bad = tmp_path / "bad.geojson"
    data = small_city()
    data["features"][4]["properties"]["parent"] = None
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "import_areas", str(bad)]).execute()
    assert exit_info.value.code != 0
    assert "feature 5 (code 440101)" in capsys.readouterr().err
    assert Area.objects.count() == 0


def upload(data) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "areas.geojson", json.dumps(data).encode(), content_type="application/geo+json"
    )


def test_admin_import_page(client, people):
    client.force_login(people.admin)
    url = reverse("admin:governance_area_import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": upload(small_city())})
    assert response.status_code == 302
    assert Area.objects.filter(code__startswith="4401").count() == 6


def test_admin_import_page_lists_each_problem_and_imports_nothing(client, people):
    client.force_login(people.admin)
    before = Area.objects.count()
    data = small_city()
    data["features"][0]["properties"]["level"] = "county"
    data["features"][5]["properties"]["code"] = "44010"
    response = client.post(reverse("admin:governance_area_import"), {"file": upload(data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "feature 1 (code 440101001001001)" in html
    assert "feature 6 (code 44010)" in html
    assert Area.objects.count() == before
    response = client.post(reverse("admin:governance_area_import"), {"file": upload("nope")})
    assert response.status_code == 200
    assert "FeatureCollection" in response.content.decode()


def test_only_administrators_reach_the_import_page(client, people):
    client.force_login(people.dispatcher)
    response = client.get(reverse("admin:governance_area_import"))
    assert response.status_code == 302  # to the admin login: not staff


def test_problems_read_in_chinese(settings):
    """The compiled catalog names each bad feature in Chinese for a Chinese administrator."""
    call_command("compile_catalogs")
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # reloads the translation catalogs
    data = small_city()
    data["features"][0]["geometry"] = None
    with translation.override("zh-hans"):
        result = import_areas(data)
        text = str(result.problems[0])
    assert text == "第 1 个要素（编码 440101001001001）：网格必须有边界"
