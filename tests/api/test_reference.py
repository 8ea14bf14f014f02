"""Areas, categories, the current person, the OpenAPI schema and its documentation pages."""

from __future__ import annotations

import yaml
from django.core.management import call_command

from tests.scenario import token_for


def test_areas_are_a_feature_collection(api, city):
    body = api.get("/api/v1/areas/").json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 10
    grid = next(f for f in body["features"] if f["id"] == city.grid_a.code)
    assert grid["geometry"]["type"] == "Polygon"
    assert grid["properties"]["parent"] == city.community_a.code


def test_area_filters(api, city):
    ids = lambda r: [f["id"] for f in r.json()["features"]]  # noqa: E731
    assert ids(api.get("/api/v1/areas/?level=grid")) == [
        city.grid_a.code,
        city.grid_a2.code,
        city.grid_b.code,
        city.grid_b2.code,
    ]
    assert ids(api.get("/api/v1/areas/?level=5&parent=339901002001")) == [
        city.grid_b.code,
        city.grid_b2.code,
    ]
    assert ids(api.get("/api/v1/areas/?level=grid&lon=120.11&lat=30.01")) == [city.grid_b.code]
    # inside grid A's hole: no grid contains it
    assert ids(api.get("/api/v1/areas/?level=grid&lon=120.025&lat=30.025")) == []
    bad = api.get("/api/v1/areas/?lon=500&level=village")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"lon", "level"}
    assert api.get("/api/v1/areas/?lon=120").status_code == 400


def test_categories_with_questions(api, city):
    body = api.get("/api/v1/categories/").json()
    garbage = next(c for c in body if c["code"] == "event-0102")
    assert garbage["questions"][0]["code"] == "amount"
    assert api.get("/api/v1/categories/event-0102/").json()["default_department"] == (
        "city-management"
    )
    assert api.get("/api/v1/categories/nope/").status_code == 404


def test_me(api, people):
    assert api.get("/api/v1/me/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.street_leader)}")
    body = api.get("/api/v1/me/").json()
    assert body["assignments"] == [{"area": "339901001", "role": "leader"}]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.clerk)}")
    assert api.get("/api/v1/me/").json()["departments"] == ["city-management"]


def test_the_schema_generates_without_warnings_and_is_valid(tmp_path, db):
    """`--validate` checks it against the OpenAPI 3 meta-schema; `--fail-on-warn` any warning."""
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    paths = schema["paths"]
    assert "/api/v1/cases/{id}/dispatch/" in paths and "/api/v1/areas/" in paths


def test_swagger_ui_and_redoc_use_bundled_files(client, db):
    for path in ("/api/docs/", "/api/redoc/"):
        page = client.get(path).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page
        assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    assert client.get("/api/schema/").status_code == 200
