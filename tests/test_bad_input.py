"""Bad input anywhere is a 4xx with a clear body, never a 500 (PostgreSQL-specific cases too)."""

from __future__ import annotations

import pytest

from governance.models import Case
from tests.open311.conftest import json_errors, xml_errors
from tests.scenario import token_for


@pytest.fixture
def signed_in(api, people):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.dispatcher)}")
    return api


def test_nul_characters_in_api_input(signed_in, scenario):
    api = signed_in
    base = {"category": "event-0102", "description": "x", "lon": 120.01, "lat": 30.01}
    for data in (
        {**base, "description": "a\x00b"},
        {**base, "answers": {"amount": "small\x00"}},
        {**base, "answers": {"amount\x00": "small"}},
        {**base, "contact": {"name": "\x00"}},
    ):
        response = api.post("/api/v1/cases/", data, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["errors"]
    assert api.get("/api/v1/cases/?q=a%00b").status_code == 400
    assert api.get("/api/v1/cases/?category=%00").status_code == 400
    assert api.get("/api/v1/cases/a%00b/").status_code == 404
    assert api.get("/api/v1/categories/a%00b/").status_code == 404
    assert api.get("/api/v1/areas/?parent=%00").status_code == 400
    assert Case.objects.count() == 4


def test_nul_characters_in_open311(client, scenario):
    json_errors(client.get("/open311/v2/requests.json?service_code=%00"), 400)
    xml_errors(client.get("/open311/v2/requests.xml?service_request_id=a%00"), 400)
    json_errors(client.get("/open311/v2/requests/a%00.json"), 404)
    json_errors(client.get("/open311/v2/services/a%00.json"), 404)
    json_errors(client.get("/open311/v2/tokens/a%00.json"), 404)
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": scenario.api_key, "service_code": "event-0102", "description": "\x00"},
    )
    json_errors(response, 400)


def test_exports_refuse_nul(client, city):
    assert client.get("/api/v1/exports/cases.csv?category=%00").status_code == 400


def test_xml_or_other_media_to_the_json_api(signed_in, city):
    response = signed_in.post(
        "/api/v1/cases/", "<case><x>1</x></case>", content_type="application/xml"
    )
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_wrong_types(signed_in, city):
    response = signed_in.post(
        "/api/v1/cases/",
        {"category": ["event-0102"], "description": 5, "lon": "east", "lat": None, "answers": []},
        format="json",
    )
    assert response.status_code == 400
    assert {"category", "lon", "lat", "answers"} <= set(response.json()["errors"])


def test_oversized_open311_post(client, scenario, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": scenario.api_key, "service_code": "event-0102", "description": "x" * 5000},
    )
    json_errors(response, 413)


def test_control_characters_stay_valid_xml(client, scenario, people, city):
    from xml.etree import ElementTree as ET

    from governance import workflow

    case = workflow.submit_case(
        actor=people.citizen,
        category=city.urgent_category,
        description="bell\x07 and form feed\x0c",
        lon=120.01,
        lat=30.01,
    )
    response = client.get(f"/open311/v2/requests/{case.tracking_id}.xml")
    assert ET.fromstring(response.content).find("request/description").text.startswith("bell")
