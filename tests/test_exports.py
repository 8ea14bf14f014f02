"""Anonymised open-data exports: no personal data, rounded locations, streamed, filterable."""

from __future__ import annotations

import csv
import io
import json

from tests.scenario import PRIVATE_POINT


def _text(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_csv_has_no_personal_data(client, scenario):
    response = client.get("/api/v1/exports/cases.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _text(response)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    for secret in ("张三", "13800000001", "zs@example.com", "垃圾堆在路边", str(PRIVATE_POINT[0])):
        assert secret not in text
    private = next(r for r in rows if r["id"] == scenario.private_case.tracking_id)
    assert (private["lon"], private["lat"]) == ("120.012", "30.017")


def test_geojson_features(client, scenario):
    body = json.loads(_text(client.get("/api/v1/exports/cases.geojson")))
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 4
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert set(feature["properties"]) >= {"id", "category", "status", "grid"}


def test_filters(client, scenario):
    def rows(q):
        return list(
            csv.DictReader(io.StringIO(_text(client.get(f"/api/v1/exports/cases.csv?{q}"))))
        )

    assert len(rows("category=component-0102")) == 1
    assert len(rows("area=339901001")) == 3
    assert len(rows("since=2000-01-01&until=2000-02-01")) == 0
    assert len(rows("category=&area=")) == 4  # empty parameters are ignored


def test_bad_filters_are_400(client, city):
    response = client.get("/api/v1/exports/cases.csv?since=yesterday&area=1")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"since", "area"}
    response = client.get("/api/v1/exports/cases.geojson?since=2026-02-01&until=2026-01-01")
    assert response.status_code == 400 and "until" in response.json()["errors"]


def test_at_most_a_year_at_a_time(client, city):
    response = client.get("/api/v1/exports/cases.csv?since=2024-01-01&until=2026-01-01")
    assert response.status_code == 400 and "until" in response.json()["errors"]
