"""The REST API for cases: list, create, detail, timeline, attachments and transitions."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from governance import workflow
from governance.models import AccessLog, Case, Channel
from tests.scenario import token_for


def _as(api, user):
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return api


def test_an_officer_lists_their_grid_in_constant_queries(
    api, scenario, people, city, django_assert_max_num_queries
):
    for n in range(20):
        workflow.submit_case(
            actor=people.citizen,
            category=city.category,
            description=f"垃圾 {n}",
            lon=120.02,
            lat=30.02,
            answers={"amount": "small"},
        )
    _as(api, people.officer_a)
    # the token with its user, the person's scope (one query), the page of cases.
    with django_assert_max_num_queries(3):
        first = api.get("/api/v1/cases/?page_size=50")
    assert first.status_code == 200 and len(first.json()["results"]) == 22
    with django_assert_max_num_queries(3):
        small = api.get("/api/v1/cases/?page_size=5")
    assert len(small.json()["results"]) == 5 and small.json()["next"]
    rest = api.get(small.json()["next"])
    assert len(rest.json()["results"]) == 5


def test_list_filters(api, scenario, people):
    _as(api, people.dispatcher)
    ids = lambda r: {c["id"] for c in r.json()["results"]}  # noqa: E731
    assert ids(api.get("/api/v1/cases/?status=dispatched")) == {scenario.case_a2.tracking_id}
    assert ids(api.get("/api/v1/cases/?category=component-0102")) == {scenario.case_b.tracking_id}
    assert len(ids(api.get("/api/v1/cases/?area=339901001"))) == 3
    assert ids(api.get("/api/v1/cases/?q=井盖")) == {scenario.case_b.tracking_id}
    assert ids(api.get("/api/v1/cases/?area=999999")) == set()
    bad = api.get("/api/v1/cases/?status=nonsense&created_after=yesterday")
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"status", "created_after"}


def test_a_citizen_creates_a_case(api, city, people):
    _as(api, people.citizen)
    response = api.post(
        "/api/v1/cases/",
        {
            "category": "event-0102",
            "description": "路边垃圾",
            "lon": 120.11,
            "lat": 30.02,
            "answers": {"amount": "small"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(tracking_id=body["id"])
    assert case.reporter == people.citizen and case.channel == Channel.API
    assert body["grid"] == city.grid_b.code and body["available_actions"] == ["withdraw", "note"]


def test_an_anonymous_citizen_leaves_a_contact(api, city):
    data = {"category": "component-0102", "description": "井盖", "lon": 120.11, "lat": 30.02}
    refused = api.post("/api/v1/cases/", data, format="json")
    assert refused.status_code == 400 and "contact" in refused.json()["errors"]
    created = api.post(
        "/api/v1/cases/", {**data, "contact": {"phone": "13900000000"}}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["contact"] is None  # an anonymous visitor sees nobody's contact


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": "nope"}, "category"),
        ({"lon": 200}, "lon"),
        ({"lat": "north"}, "lat"),
        ({"description": ""}, "description"),
        ({"answers": {"amount": "huge"}}, "answers.amount"),
        ({"answers": {"other": 1}}, "answers"),
        ({"urgency": "panic"}, "urgency"),
        ({"contact": {"email": "not-an-email"}}, "contact.email"),
        ({"channel": "hotline"}, None),  # a citizen may not file hotline cases
    ],
)
def test_bad_input_names_the_field(api, city, people, data, field):
    _as(api, people.citizen)
    base = {
        "category": "event-0102",
        "description": "垃圾",
        "lon": 120.01,
        "lat": 30.01,
        "answers": {"amount": "small"},
    }
    response = api.post("/api/v1/cases/", {**base, **data}, format="json")
    body = response.json()
    if field is None:
        assert response.status_code == 403 and body["code"] == "not_permitted"
    else:
        assert response.status_code == 400, body
        assert field in body["errors"], body
    assert not Case.objects.exists()


def test_malformed_json_is_400(api, city, people):
    _as(api, people.citizen)
    response = api.post("/api/v1/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    response = api.post("/api/v1/cases/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_oversized_body_is_refused(api, city, people, settings):
    _as(api, people.citizen)
    big = '{"description": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = api.post("/api/v1/cases/", big, content_type="application/json")
    assert response.status_code in (400, 413)
    assert "detail" in response.json()


def test_injection_strings_are_only_text(api, city, people):
    _as(api, people.citizen)
    evil = "'; DROP TABLE governance_case; -- <script>alert(1)</script> {{7*7}} ${jndi:x}"
    response = api.post(
        "/api/v1/cases/",
        {
            "category": "event-0102",
            "description": evil,
            "address": evil,
            "lon": 120.01,
            "lat": 30.01,
            "answers": {"amount": "small"},
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["description"] == evil
    assert api.get(f"/api/v1/cases/?q={evil[:60]}").status_code == 200
    assert api.get("/api/v1/cases/%27%3B%20DROP/").status_code == 404


def test_detail_logs_personal_data_views(api, scenario, people):
    _as(api, people.street_leader)
    body = api.get(f"/api/v1/cases/{scenario.case_a.tracking_id}/").json()
    assert body["contact"]["phone"] == "13800000001"
    log = AccessLog.objects.get()
    assert log.via == "api" and log.user == people.street_leader
    _as(api, people.citizen)
    mine = api.get("/api/v1/me/access-log/").json()["results"]
    assert [(r["case"], r["who"], r["fields"], r["via"]) for r in mine] == [
        (scenario.case_a.tracking_id, "street_leader", ["name", "phone", "email"], "api")
    ]
    _as(api, people.other_citizen)
    assert api.get("/api/v1/me/access-log/").json()["results"] == []


def test_the_whole_loop_through_the_api(api, scenario, people):
    path = f"/api/v1/cases/{scenario.case_a.tracking_id}"
    _as(api, people.street_leader)
    assert api.post(f"{path}/file/", {"note": "属实"}, format="json").status_code == 200
    body = api.post(f"{path}/dispatch/", {"department": "nope"}, format="json").json()
    assert set(body["errors"]) == {"department"}
    assert api.post(f"{path}/dispatch/", {}, format="json").json()["status"] == "dispatched"
    _as(api, people.clerk)
    assert api.post(f"{path}/start/", {}, format="json").json()["status"] == "in_progress"
    refused = api.post(f"{path}/resolve/", {"note": ""}, format="json")
    assert refused.status_code == 400 and "note" in refused.json()["errors"]
    assert api.post(f"{path}/resolve/", {"note": "清理"}, format="json").status_code == 200
    _as(api, people.officer_a)
    assert api.post(f"{path}/close/", {}, format="json").json()["status"] == "closed"
    again = api.post(f"{path}/close/", {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "invalid_transition"
    _as(api, people.citizen)
    assert api.post(f"{path}/rate/", {"rating": 9}, format="json").status_code == 400
    assert api.post(f"{path}/rate/", {"rating": 5}, format="json").json()["rating"] == 5
    kinds = [e["kind"] for e in api.get(f"{path}/timeline/").json()]
    assert kinds == ["submitted", "filed", "dispatched", "started", "resolved", "closed", "rated"]


def test_timeline_hides_internal_notes_and_the_reporters_name(api, scenario, people):
    case = scenario.case_a
    workflow.add_note(case_id=case.pk, actor=people.officer_a, text="内部", audience="internal")
    _as(api, people.citizen)
    notes = [e["note"] for e in api.get(f"/api/v1/cases/{case.tracking_id}/timeline/").json()]
    assert "内部" not in notes
    _as(api, people.officer_a)
    events = api.get(f"/api/v1/cases/{case.tracking_id}/timeline/").json()
    assert "内部" in [e["note"] for e in events]
    assert events[0]["actor"] != "citizen"  # the reporter's account is personal data


def _png(size=(20, 20)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "photo.png"
    return buffer


def test_attachments_upload_and_list(api, scenario, people):
    path = f"/api/v1/cases/{scenario.case_a.tracking_id}/attachments/"
    _as(api, people.citizen)
    response = api.post(path, {"files": [_png()], "note": "照片"}, format="multipart")
    assert response.status_code == 201, response.json()
    (attachment,) = response.json()
    assert attachment["content_type"] == "image/png"
    assert [a["id"] for a in api.get(path).json()] == [attachment["id"]]
    bad = io.BytesIO(b"not an image at all")
    bad.name = "x.png"
    refused = api.post(path, {"files": [bad]}, format="multipart")
    assert refused.status_code == 400 and "files" in refused.json()["errors"]
    _as(api, people.officer_b)
    assert api.post(path, {"files": [_png()]}, format="multipart").status_code == 404


def test_oversized_upload_is_400(api, scenario, people, settings):
    settings.GOVERNANCE = {**settings.GOVERNANCE, "ATTACHMENT_MAX_BYTES": 1024}
    _as(api, people.citizen)
    response = api.post(
        f"/api/v1/cases/{scenario.case_a.tracking_id}/attachments/",
        {"files": [_png((400, 400))]},
        format="multipart",
    )
    assert response.status_code == 400 and "files" in response.json()["errors"]


def test_creation_is_throttled(api, city, people, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "filing": {"account": "2/hour"}}
    _as(api, people.citizen)
    data = {"category": "component-0102", "description": "x", "lon": 120.11, "lat": 30.02}
    codes = [api.post("/api/v1/cases/", data, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert Case.objects.count() == 2


def test_sign_in_is_throttled(api, people, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signin": {"address": "2/minute"}}
    wrong = {"username": "citizen", "password": "guess"}
    codes = [api.post("/api/v1/auth/token/", wrong).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    assert api.post("/api/v1/auth/token/", wrong).json()["code"] == "throttled"


def test_sign_in_for_a_token(api, people):
    response = api.post(
        "/api/v1/auth/token/", {"username": "13800000001", "password": "pw-citizen"}
    )
    assert response.status_code == 200 and response.json()["token"]
    wrong = api.post("/api/v1/auth/token/", {"username": "citizen", "password": "x"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "invalid"
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["username"] == "citizen"
