"""The ten inputs of issue 9 that were server errors, and their classes: each is a 4xx with the
usual error body, the same on SQLite and PostgreSQL (CI runs this file on both)."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse

from governance.models import Case
from tests.open311.conftest import json_errors, xml_errors
from tests.pages.helpers import submission
from tests.scenario import token_for


def api_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] and body["code"]
    return body


def page_error(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'class="site-header"' in html  # the site's own page, not a bare error
    return html


def cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


@pytest.fixture
def signed_in(api, people):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(people.dispatcher)}")
    return api


# 1. mine=true without an account
def test_only_my_cases_needs_an_account(client, scenario):
    body = api_error(client.get("/api/v1/cases/?mine=true"), 401)
    assert body["code"] == "not_authenticated"


# 2. a forged cursor
def test_forged_cursors_are_invalid_not_errors(signed_in, scenario):
    for forged in (
        cursor("p=2024"),
        cursor("p=9999-12-31 23:59:59+00:00"),
        cursor("p=0001-01-01 00:00:00+00:00"),
        cursor("r=²&p=x"),
        "not base64!",
    ):
        body = api_error(signed_in.get("/api/v1/cases/", {"cursor": forged}), 404)
        assert body["code"] == "not_found"
    first = signed_in.get("/api/v1/cases/?page_size=1").json()
    assert signed_in.get(first["next"]).status_code == 200  # real cursors still work


# 3. JSON nested 100,000 deep (and anything deeper than the limit)
@pytest.mark.parametrize("depth", [100_000, 40])
def test_deeply_nested_json_is_refused(signed_in, scenario, depth):
    body = "[" * depth + "]" * depth
    response = signed_in.post("/api/v1/cases/", body, content_type="application/json")
    assert api_error(response, 400)["code"] == "parse_error"
    nested = {"category": "event-0102", "description": "x", "lon": 120.01, "lat": 30.01}
    nested["answers"] = {"amount": json.loads("[" * depth + "]" * depth if depth < 100 else "1")}
    if depth < 100:
        response = signed_in.post(
            "/api/v1/cases/", json.dumps(nested), content_type="application/json"
        )
        api_error(response, 400)
    assert Case.objects.count() == 4


def test_ordinary_json_still_files(signed_in, scenario):
    response = signed_in.post(
        "/api/v1/cases/",
        {
            "category": "event-0102",
            "description": "x",
            "lon": 120.01,
            "lat": 30.01,
            "answers": {"amount": "small"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content


# 4. export dates out of range (until=9999-12-31 was a 500, since=0001-01-01 never answered)
@pytest.mark.parametrize(
    "query",
    [
        "until=9999-12-31",
        "since=0001-01-01",
        "since=0001-01-01&until=0001-01-02",
        "until=٢٠٢٤-01-01",
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_export_dates_out_of_range(client, scenario, query, fmt):
    body = api_error(client.get(f"/api/v1/exports/cases.{fmt}?{query}"), 400)
    assert body["errors"]


def test_api_date_filters_out_of_range(signed_in, scenario):
    for value in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00", "2024-13-01T00:00:00Z"):
        body = api_error(signed_in.get("/api/v1/cases/", {"created_after": value}), 400)
        assert "created_after" in body["errors"]
    assert signed_in.get("/api/v1/cases/?created_after=2024-01-01T00:00:00Z").status_code == 200


# 5. Open311: non-ASCII digits and dates out of range
@pytest.mark.parametrize(
    "query",
    [
        "page=²",
        "page_size=²",
        "page=٣",
        "page_size=１０",
        "end_date=0001-01-01T00:00:00Z",
        "start_date=9999-12-31T23:59:59Z",
        "start_date=9000-12-31T23:59:59-14:00",
    ],
)
def test_open311_query_classes(client, scenario, query):
    json_errors(client.get(f"/open311/v2/requests.json?{query}"), 400)
    xml_errors(client.get(f"/open311/v2/requests.xml?{query}"), 400)


def test_open311_plain_numbers_and_dates_still_work(client, scenario):
    response = client.get("/open311/v2/requests.json?page=1&page_size=2&start_date=2026-01-01")
    assert response.status_code == 200


# 6. the duplicate hint with a category that is not an id
@pytest.mark.parametrize("offset", ["-19:54", "+23:59", "+14:00"])
def test_dates_with_any_iso_offset_are_the_same_instant(client, signed_in, scenario, offset):
    """ISO allows offsets to ±23:59, PostgreSQL only ±15:59: found by the Open311 fuzzing."""
    query = f"start_date=1385-03-11T10:37:59{offset}".replace("+", "%2B")
    assert client.get(f"/open311/v2/requests.json?{query}").status_code == 200
    assert client.get(f"/open311/v2/requests.xml?{query}").status_code == 200
    moment = f"2026-01-01T00:00:00{offset}"
    assert signed_in.get("/api/v1/cases/", {"created_after": moment}).status_code == 200
    assert client.get(f"/api/v1/exports/cases.csv?since={moment[:10]}").status_code == 200


def test_nearby_with_a_malformed_category(client, scenario, city):
    for value in ("x", "²", "1e3"):
        page_error(client.get(f"/submit/nearby/?category={value}&lon=120.01&lat=30.01"), 400)
    ok = client.get(f"/submit/nearby/?category={city.category.pk}&lon=120.01&lat=30.01")
    assert ok.status_code == 200


# 7. over-long phone and e-mail: refused on every channel (PostgreSQL refused them with a 500,
#    SQLite stored them)
LONG_PHONE = "1" * 33
LONG_EMAIL = "a" * 250 + "@example.com"


def test_open311_refuses_overlong_contact(client, scenario):
    base = {
        "api_key": scenario.api_key,
        "service_code": "event-0102",
        "description": "x",
        "lat": "30.01",
        "long": "120.01",
        "attribute[amount]": "small",
    }
    for contact in ({"phone": LONG_PHONE}, {"email": LONG_EMAIL}):
        errors = json_errors(client.post("/open311/v2/requests.json", {**base, **contact}), 400)
        assert any(next(iter(contact)) in e["description"] for e in errors)
    assert Case.objects.count() == 4


def test_submit_page_refuses_overlong_contact(client, city):
    for contact in ({"phone": LONG_PHONE}, {"email": LONG_EMAIL}):
        response = client.post(reverse("citizens:submit"), submission(city, **contact))
        html = page_error(response, 400)
        assert f'id="id_{next(iter(contact))}_error"' in html
    assert Case.objects.count() == 0


def test_api_refuses_overlong_contact(api, city):
    for contact in ({"phone": LONG_PHONE}, {"email": LONG_EMAIL}):
        response = api.post(
            "/api/v1/cases/",
            {
                "category": "event-0102",
                "description": "x",
                "lon": 120.01,
                "lat": 30.01,
                "answers": {"amount": "small"},
                "contact": contact,
            },
            format="json",
        )
        assert f"contact.{next(iter(contact))}" in api_error(response, 400)["errors"]
    assert Case.objects.count() == 0


# 8. a NUL byte in a page's path
def test_nul_in_page_paths(client, scenario, people):
    tracking_id = scenario.case_a.tracking_id
    for user, path in (
        (people.officer_a, f"/work/cases/{tracking_id}%00/"),
        (people.citizen, f"/requests/{tracking_id}%00/"),
        (None, f"/public/{tracking_id}%00/"),
        (people.citizen, f"/submitted/{tracking_id}%00/"),
    ):
        client.logout()
        if user is not None:
            client.force_login(user)
        page_error(client.get(path), 404)
    client.force_login(people.officer_a)
    page_error(client.get("/work/?q=a%00b"), 400)
    client.logout()
    form = "username=a%00&password=x"
    response = client.post(
        "/accounts/login/", form, content_type="application/x-www-form-urlencoded"
    )
    page_error(response, 400)


# 9. a 30 KB query string (the real server: tests/test_server_limits.py)
def test_long_query_string_is_414(client, city):
    query = "q=" + "x" * 30_000
    api_error(client.get(f"/api/v1/cases/?{query}"), 414)
    page_error(client.get(f"/public/?{query}"), 414)
    json_errors(client.get(f"/open311/v2/requests.json?{query}"), 414)


def test_too_many_parameters_is_the_usual_400(client, city, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"a{i}=1" for i in range(20))
    page_error(client.get(f"/public/?{query}"), 400)
    api_error(client.get(f"/api/v1/cases/?{query}"), 400)


# 12. a malformed multipart body: the usual error body, never an empty 400
def test_malformed_multipart(client, scenario):
    broken = {"content_type": "multipart/form-data", "data": b"--x\r\nbroken"}
    page_error(client.post("/submit/", **broken), 400)
    api_error(client.post("/api/v1/cases/", **broken), 400)
    json_errors(client.post("/open311/v2/requests.json", **broken), 400)
    xml_errors(client.post("/open311/v2/requests.xml", **broken), 400)


# The API's 500 is JSON too.
def test_api_server_error_is_json(client, city, monkeypatch):
    from governance.api.views import categories

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(categories.CategoryViewSet, "list", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/categories/")
    body = api_error(response, 500)
    assert body["code"] == "server_error" and "boom" not in body["detail"]


def test_deep_geojson_in_an_area_import_is_refused():
    from governance.area_import import AreaImportError, load_collection

    with pytest.raises(AreaImportError):
        load_collection("[" * 100_000 + "]" * 100_000)
    with pytest.raises(AreaImportError):
        load_collection("{not json")


def test_page_size_in_other_scripts_is_the_default(signed_in, scenario):
    for value in ("٣", "²", "１"):
        response = signed_in.get("/api/v1/cases/", {"page_size": value})
        assert response.status_code == 200 and len(response.json()["results"]) == 4
    assert len(signed_in.get("/api/v1/cases/?page_size=1").json()["results"]) == 1


def test_deep_json_in_the_admin_is_a_form_error(client, people, city):
    client.force_login(people.admin)
    deep = "[" * 100_000 + "]" * 100_000
    url = reverse("admin:governance_question_add")
    response = client.post(
        url,
        {
            "category": city.category.pk,
            "order": 9,
            "code": "deep",
            "label": "deep",
            "datatype": "singlevaluelist",
            "values": deep,
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert response.context["adminform"].form.errors["values"]
    url = reverse("admin:governance_area_change", args=[city.grid_a.pk])
    response = client.post(url, {"code": city.grid_a.code, "name": "x", "boundary": deep})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["boundary"]
