"""Open311 GeoReport v2: every resource in XML and JSON, as open311.md describes it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance import clock, workflow
from governance.models import ApiKey, Case, Channel, Question
from tests.open311.conftest import json_body, json_errors, validate, xml_errors, xml_root
from tests.uploads import photo

BASE = "/open311/v2"


# --- discovery and services -----------------------------------------------------------------


def test_discovery_in_both_formats(client, city):
    body = json_body(client.get(f"{BASE}/discovery.json"))
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["changeset"].endswith("Z")

    root = xml_root(client.get(f"{BASE}/discovery.xml"), "discovery")
    formats = [f.text for f in root.find("endpoints/endpoint/formats").findall("format")]
    assert formats == ["text/xml", "application/json"]
    assert root.findtext("endpoints/endpoint/specification") == endpoint["specification"]


def test_services_list_every_active_category(client, scenario, city):
    city.urgent_category.active = True
    body = json_body(client.get(f"{BASE}/services.json"))
    validate(body, "services.json")
    by_code = {s["service_code"]: s for s in body}
    assert set(by_code) == {"event-0102", "component-0102", "service-0101"}
    assert by_code["event-0102"]["metadata"] is True  # it has a question
    assert by_code["component-0102"]["metadata"] is False
    assert by_code["event-0102"]["type"] == "realtime"

    root = xml_root(client.get(f"{BASE}/services.xml"), "services")
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert sorted(codes) == sorted(by_code)
    assert root.find("service/metadata").text in ("true", "false")


def test_services_in_english(client, city):
    body = json_body(client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en"))
    assert {s["service_name"] for s in body} >= {"Exposed garbage"}


def test_service_definition(client, city):
    Question.objects.create(
        category=city.category,
        code="kinds",
        label="种类",
        label_en="Kinds",
        datatype="multivaluelist",
        order=5,
        values=[{"key": "food", "name": "厨余"}, {"key": "bulk", "name": "大件"}],
    )
    body = json_body(client.get(f"{BASE}/services/event-0102.json"))
    validate(body, "service-definition.json")
    assert body["service_code"] == "event-0102"
    attributes = body["attributes"]
    assert [a["code"] for a in attributes] == ["amount", "kinds"]
    assert [a["order"] for a in attributes] == [1, 2]
    assert attributes[0]["required"] is True and attributes[0]["variable"] is True
    assert attributes[1]["values"] == [
        {"key": "food", "name": "厨余"},
        {"key": "bulk", "name": "大件"},
    ]

    root = xml_root(client.get(f"{BASE}/services/event-0102.xml"), "service_definition")
    assert root.findtext("service_code") == "event-0102"
    keys = [v.findtext("key") for v in root.findall("attributes/attribute")[1].iter("value")]
    assert keys == ["food", "bulk"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404(client, city, fmt):
    response = client.get(f"{BASE}/services/nope.{fmt}")
    if fmt == "json":
        json_errors(response, 404)
    else:
        xml_errors(response, 404)


# --- GET requests ---------------------------------------------------------------------------


def test_requests_list_the_public_record(client, scenario):
    body = json_body(client.get(f"{BASE}/requests.json"))
    validate(body, "requests.json")
    ids = {r["service_request_id"] for r in body}
    assert scenario.case_a.tracking_id in ids and len(ids) == 4
    one = next(r for r in body if r["service_request_id"] == scenario.case_a2.tracking_id)
    assert one["status"] == "open"
    assert one["agency_responsible"] == "城管局"
    assert one["requested_datetime"].endswith("Z")
    assert one["address_id"] is None and one["zipcode"] is None  # null, never ""
    private = next(r for r in body if r["service_request_id"] == scenario.private_case.tracking_id)
    assert (private["long"], private["lat"]) == (120.012, 30.017)  # rounded: personal data
    assert private["description"] is None  # about someone's home: not in the public record

    root = xml_root(client.get(f"{BASE}/requests.xml"), "service_requests")
    requests = root.findall("request")
    assert len(requests) == 4
    assert {r.findtext("service_request_id") for r in requests} == ids
    assert {r.findtext("status") for r in requests} == {"open"}


def test_single_request_is_a_list(client, scenario):
    case = scenario.case_a
    body = json_body(client.get(f"{BASE}/requests/{case.tracking_id}.json"))
    validate(body, "requests.json")
    assert [r["service_request_id"] for r in body] == [case.tracking_id]
    root = xml_root(client.get(f"{BASE}/requests/{case.tracking_id}.xml"), "service_requests")
    assert root.find("request").findtext("service_code") == "event-0102"
    json_errors(client.get(f"{BASE}/requests/000000-ZZZZZZ.json"), 404)
    xml_errors(client.get(f"{BASE}/requests/000000-ZZZZZZ.xml"), 404)


def test_closed_states_are_closed(client, scenario, people):
    workflow.reject_case(
        case_id=scenario.case_b.pk,
        actor=people.dispatcher,
        reason="重复，已电话 13800000002 告知",  # the reporter's to read, not the world's
        public_summary="重复",
    )
    body = json_body(client.get(f"{BASE}/requests.json?status=closed"))
    validate(body, "requests.json")
    assert [r["service_request_id"] for r in body] == [scenario.case_b.tracking_id]
    assert body[0]["status"] == "closed" and body[0]["status_notes"] == "重复"
    assert "13800000002" not in str(body)
    open_ids = {
        r["service_request_id"] for r in json_body(client.get(f"{BASE}/requests.json?status=open"))
    }
    assert scenario.case_b.tracking_id not in open_ids and len(open_ids) == 3
    both = json_body(client.get(f"{BASE}/requests.json?status=open,closed"))
    assert len(both) == 4


def test_filters_and_empty_parameters(client, scenario):
    body = json_body(
        client.get(f"{BASE}/requests.json?service_code=component-0102&status=&start_date=")
    )
    validate(body, "requests.json")
    assert [r["service_request_id"] for r in body] == [scenario.case_b.tracking_id]
    ids = f"{scenario.case_a.tracking_id},{scenario.case_b.tracking_id}"
    # service_request_id overrides every other filter
    body = json_body(client.get(f"{BASE}/requests.json?service_request_id={ids}&service_code=x"))
    assert {r["service_request_id"] for r in body} == set(ids.split(","))


def test_default_window_is_90_days(client, scenario, city, people):
    with clock.travel(timezone.now() - timedelta(days=120)):
        old = workflow.submit_case(
            actor=people.citizen,
            category=city.urgent_category,
            description="旧事",
            lon=120.11,
            lat=30.02,
        )
    ids = {r["service_request_id"] for r in json_body(client.get(f"{BASE}/requests.json"))}
    assert old.tracking_id not in ids and len(ids) == 4
    start = (timezone.now() - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = json_body(client.get(f"{BASE}/requests.json?start_date={start}&end_date={end}"))
    validate(body, "requests.json")
    assert [r["service_request_id"] for r in body] == [old.tracking_id]


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "end_date=2026-13-45T00:00:00Z",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",  # > 90 days
        "start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
        "status=pending",
        "page=0",
        "page_size=-3",
    ],
)
def test_bad_filters_are_400(client, city, query):
    json_errors(client.get(f"{BASE}/requests.json?{query}"), 400)
    xml_errors(client.get(f"{BASE}/requests.xml?{query}"), 400)


def test_paging(client, scenario):
    first = json_body(client.get(f"{BASE}/requests.json?page_size=3"))
    second = json_body(client.get(f"{BASE}/requests.json?page_size=3&page=2"))
    validate(first, "requests.json")
    validate(second, "requests.json")
    assert len(first) == 3 and len(second) == 1
    assert not {r["service_request_id"] for r in first} & {r["service_request_id"] for r in second}
    assert json_body(client.get(f"{BASE}/requests.json?page=9")) == []


def test_extensions(client, scenario, people):
    workflow.add_note(
        case_id=scenario.case_a2.pk, actor=people.clerk, text="已派人", audience="reporter"
    )
    workflow.add_note(
        case_id=scenario.case_a2.pk, actor=people.clerk, text="内部", audience="internal"
    )
    path = f"{BASE}/requests/{scenario.case_a2.tracking_id}"
    body = json_body(client.get(f"{path}.json?extensions=true"))
    validate(body, "requests.json")
    extended = body[0]["extended_attributes"]
    assert extended["detailed_status"] == "dispatched"
    assert extended["grid"] == "339901001001002"
    assert extended["channel"] == "web"
    # Notes are for staff or the reporter, never the world: not even their existence.
    assert [n["type"] for n in extended["notes"]] == ["submitted", "filed", "dispatched"]
    assert "内部" not in str(body) and "已派人" not in str(body)
    assert "extended_attributes" not in json_body(client.get(f"{path}.json"))[0]
    root = xml_root(client.get(f"{path}.xml?extensions=true"), "service_requests")
    notes = root.findall("request/extended_attributes/notes/note")
    assert [n.findtext("type") for n in notes] == ["submitted", "filed", "dispatched"]


def test_photos_public_ones_only_as_absolute_urls(client, scenario, people, city):
    case = workflow.submit_case(
        actor=people.citizen,
        category=city.category,
        description="路边垃圾",
        lon=120.07,
        lat=30.01,
        answers={"amount": "small"},
        files=[photo("a.jpg")],
    )
    workflow.add_note(case_id=case.pk, actor=people.admin, text="给居民", files=[photo("b.jpg")])
    workflow.add_note(
        case_id=case.pk,
        actor=people.admin,
        text="内部",
        audience="internal",
        files=[photo("c.jpg")],
    )
    public, _reporter, _internal = case.attachments.order_by("created_at", "pk")
    path = f"{BASE}/requests/{case.tracking_id}"
    body = json_body(client.get(f"{path}.json?extensions=true"))
    validate(body, "requests.json")
    url = f"http://testserver/files/{public.pk}/"
    assert body[0]["media_url"] == url
    assert body[0]["extended_attributes"]["media_urls"] == [url]  # not the notes' photos
    root = xml_root(client.get(f"{path}.xml?extensions=true"), "service_requests")
    assert root.findtext("request/media_url") == url
    urls = root.findall("request/extended_attributes/media_urls/media_url")
    assert [u.text for u in urls] == [url]


def test_xml_carries_markup_and_control_characters_as_text(client, scenario, people):
    note = "<b>水 & 电</b>\x01"
    workflow.start_case(case_id=scenario.case_a2.pk, actor=people.clerk)
    workflow.resolve_case(
        case_id=scenario.case_a2.pk, actor=people.clerk, note="已处理", public_summary=note
    )
    path = f"{BASE}/requests/{scenario.case_a2.tracking_id}.xml?extensions=true"
    root = xml_root(client.get(path), "service_requests")
    assert root.findtext("request/status_notes") == "<b>水 & 电</b>\ufffd"
    assert root.find("request/service_notice").text is None  # empty, as null in JSON
    assert root.findtext("request/extended_attributes/notes/note/type") == "submitted"


# --- POST requests --------------------------------------------------------------------------


def _post(client, fmt="json", **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def test_post_creates_a_request(client, scenario, city):
    response = _post(
        client,
        api_key=scenario.api_key,
        service_code="event-0102",
        lat="30.011",
        long="120.011",
        description="路口垃圾",
        email="reporter@example.com",
        first_name="王",
        last_name="五",
        **{"attribute[amount]": "large"},
    )
    assert response.status_code == 200  # not 201
    body = json_body(response)
    assert len(body) == 1 and set(body[0]) == {"service_request_id", "service_notice"}
    case = Case.objects.get(tracking_id=body[0]["service_request_id"])
    assert case.channel == Channel.API and case.grid == city.grid_a
    assert case.answers == {"amount": "large"}
    assert case.contact.name == "王 五" and case.contact.email == "reporter@example.com"
    listed = json_body(client.get(f"{BASE}/requests/{case.tracking_id}.json"))
    validate(listed, "requests.json")
    assert "reporter@example.com" not in str(listed)


def test_post_in_xml_with_a_multivalue_attribute(client, scenario, city):
    Question.objects.create(
        category=city.category,
        code="kinds",
        label="种类",
        label_en="Kinds",
        datatype="multivaluelist",
        order=2,
        values=[{"key": "food", "name": "厨余"}, {"key": "bulk", "name": "大件"}],
    )
    response = client.post(
        f"{BASE}/requests.xml",
        f"api_key={scenario.api_key}&service_code=event-0102&lat=30.01&long=120.01&phone=13900000000"
        "&attribute[amount]=small&attribute[kinds][]=food&attribute[kinds][]=bulk",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    root = xml_root(response, "service_requests")
    tracking_id = root.findtext("request/service_request_id")
    assert root.findtext("request/service_notice")
    assert Case.objects.get(tracking_id=tracking_id).answers == {
        "amount": "small",
        "kinds": ["bulk", "food"],
    }


def test_post_with_an_address_only_goes_to_the_city_queue(client, scenario, city):
    response = _post(
        client,
        api_key=scenario.api_key,
        service_code="component-0102",
        address_string="青湖区 东街 12 号",
        phone="13900000001",
    )
    (created,) = json_body(response)
    case = Case.objects.get(tracking_id=created["service_request_id"])
    assert case.grid is None and case.area_path == city.city.path
    (listed,) = json_body(client.get(f"{BASE}/requests/{case.tracking_id}.json"))
    assert listed["address"] == "青湖区 东街 12 号" and listed["lat"] is None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_needs_a_valid_key(client, scenario, fmt):
    for key in ("", "wrong"):
        response = _post(client, fmt, api_key=key, service_code="event-0102", lat=30, long=120)
        (json_errors if fmt == "json" else xml_errors)(response, 403)
    ApiKey.objects.update(active=False)
    response = _post(client, fmt, api_key=scenario.api_key, service_code="event-0102")
    (json_errors if fmt == "json" else xml_errors)(response, 403)


def test_post_errors(client, scenario):
    key = scenario.api_key
    json_errors(_post(client, api_key=key, lat=30.01, long=120.01), 400)  # no service_code
    json_errors(_post(client, api_key=key, service_code="nope", lat=30.01, long=120.01), 404)
    json_errors(_post(client, api_key=key, service_code="event-0102", phone="1"), 400)
    errors = json_errors(
        _post(client, api_key=key, service_code="event-0102", lat=30.01, long=120.01, phone="139"),
        400,
    )
    assert any("attribute[amount]" in e["description"] for e in errors)  # required attribute
    errors = json_errors(
        _post(
            client,
            api_key=key,
            service_code="event-0102",
            lat=95,
            long=120.01,
            phone="139",
            **{"attribute[amount]": "small"},
        ),
        400,
    )
    assert any(e["description"].startswith("lat") for e in errors)
    errors = json_errors(
        _post(
            client,
            api_key=key,
            service_code="event-0102",
            lat=30.01,
            long=120.01,
            phone="139",
            description="<script>alert(1)</script>",
            **{"attribute[amount]": "small"},
        ),
        400,
    )
    assert any("HTML" in e["description"] for e in errors)
    json_errors(
        _post(
            client,
            api_key=key,
            service_code="event-0102",
            lat=30.01,
            long=120.01,
            phone="139",
            description="x" * 4001,
            **{"attribute[amount]": "small"},
        ),
        400,
    )
    json_errors(
        _post(
            client,
            api_key=key,
            service_code="event-0102",
            lat=30.01,
            long=120.01,
            phone="139",
            **{"attribute[amount]": "huge"},
        ),
        400,
    )
    assert Case.objects.count() == 4  # nothing half-saved


def test_other_methods_are_refused(client, city):
    response = client.delete(f"{BASE}/services.json")
    assert response.status_code == 405
    json_body(response)


# --- tokens ---------------------------------------------------------------------------------


def test_token_is_the_tracking_id(client, scenario):
    case = scenario.case_a
    body = json_body(client.get(f"{BASE}/tokens/{case.tracking_id}.json"))
    assert body == [{"service_request_id": case.tracking_id, "token": case.tracking_id}]
    root = xml_root(client.get(f"{BASE}/tokens/{case.tracking_id}.xml"), "service_requests")
    assert root.findtext("request/token") == case.tracking_id
    json_errors(client.get(f"{BASE}/tokens/unknown.json"), 404)


# --- keys and queries -----------------------------------------------------------------------


def test_open311_apikey_command_prints_a_working_key(client, scenario):
    out = StringIO()
    call_command("open311_apikey", "city app", stdout=out)
    key = out.getvalue().strip()
    assert len(key) > 30
    stored = ApiKey.objects.get(name="city app")
    assert key not in (stored.key_hash, stored.prefix) and stored.prefix == key[:8]
    response = _post(
        client,
        api_key=key,
        service_code="component-0102",
        lat=30.01,
        long=120.11,
        phone="13900000002",
    )
    assert response.status_code == 200


def test_requests_list_in_constant_queries(client, scenario, django_assert_max_num_queries, people):
    for _ in range(10):
        workflow.submit_case(
            actor=people.citizen,
            category=scenario.private_category,
            description="多",
            lon=120.01,
            lat=30.01,
        )
    with django_assert_max_num_queries(4):
        body = json_body(client.get(f"{BASE}/requests.json?extensions=true"))
    assert len(body) == 14


def test_posts_are_throttled_per_key(client, scenario, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "open311_post": {"api_key": "1/hour"}}
    data = {
        "api_key": scenario.api_key,
        "service_code": "component-0102",
        "lat": 30.01,
        "long": 120.11,
        "phone": "13900000002",
    }
    assert _post(client, **data).status_code == 200
    json_errors(_post(client, **data), 429)
