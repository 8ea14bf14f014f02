"""The notices' REST API: staff list and send, read the roll-call and recipients (names only
where permitted); anyone with a token answers, once."""

from __future__ import annotations

import pytest

from emergency.models import Notice, Recipient
from tests.emergency.notice_helpers import notice_to

pytestmark = pytest.mark.django_db


def test_a_dispatcher_sends_a_notice_through_the_api(api, city, people):
    api.force_authenticate(people.dispatcher)
    response = api.post(
        "/api/v1/emergency/notices/",
        {
            "title": "燃气泄漏",
            "body": "请疏散",
            "target": {"areas": [city.grid_a.pk], "roles": ["officer"]},
            "options": ["已疏散", "需要支援"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["recipient_count"] == 1
    assert response.json()["answer_options"] == ["已疏散", "需要支援"]
    listed = api.get("/api/v1/emergency/notices/").json()
    assert [n["title"] for n in listed] == ["燃气泄漏"]


def test_who_may_not_send_is_refused(api, city, people):
    api.force_authenticate(people.citizen)
    target = {"areas": [city.grid_a.pk], "roles": ["officer"]}
    body = {"title": "x", "body": "y", "target": target}
    assert api.post("/api/v1/emergency/notices/", body, format="json").status_code == 403
    api.force_authenticate(people.street_leader)
    body["target"] = {"areas": [city.grid_b.pk], "roles": ["officer"]}
    assert api.post("/api/v1/emergency/notices/", body, format="json").status_code == 403
    api.force_authenticate(None)
    assert api.post("/api/v1/emergency/notices/", body, format="json").status_code in (401, 403)
    assert not Notice.objects.exists()


def test_recipients_carry_names_only_for_those_permitted(api, city, people):
    notice = notice_to(people.dispatcher, [city.district], roles=["officer"])
    api.force_authenticate(people.street_leader)
    rows = api.get(f"/api/v1/emergency/notices/{notice.pk}/recipients/").json()
    names = {row["area"]: row["username"] for row in rows}
    assert names == {city.grid_a.pk: "officer_a", city.grid_b.pk: ""}
    api.force_authenticate(people.dispatcher)
    rows = api.get(f"/api/v1/emergency/notices/{notice.pk}/recipients/").json()
    assert {row["username"] for row in rows} == {"officer_a", "officer_b"}
    counts = api.get(f"/api/v1/emergency/notices/{notice.pk}/").json()
    assert counts["totals"]["total"] == 2
    api.force_authenticate(people.citizen)
    assert api.get(f"/api/v1/emergency/notices/{notice.pk}/recipients/").status_code == 404
    assert api.get(f"/api/v1/emergency/notices/{notice.pk}/").status_code == 404


def test_the_answer_endpoint_takes_the_token_without_sign_in(api, city, people):
    notice = notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    token = notice.recipients.get().token
    first = api.post("/api/v1/emergency/answers/", {"token": token, "answer": "on_my_way"})
    assert first.status_code == 201 and first.json()["recorded"] is True
    again = api.post("/api/v1/emergency/answers/", {"token": token, "answer": "need_help"})
    assert again.status_code == 200 and again.json()["answer"] == "on_my_way"
    assert not again.json()["recorded"]
    wrong = api.post("/api/v1/emergency/answers/", {"token": "nope", "answer": "received"})
    assert wrong.status_code == 404
    assert Recipient.objects.get(token=token).answer == "on_my_way"


def test_an_answer_not_offered_is_a_400(api, city, people):
    notice = notice_to(people.dispatcher, [city.grid_a], roles=["officer"])
    token = notice.recipients.get().token
    response = api.post("/api/v1/emergency/answers/", {"token": token, "answer": "maybe"})
    assert response.status_code == 400 and "answer" in response.json()["errors"]


def test_the_schema_documents_the_endpoints(api):
    schema = api.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/emergency/notices/",
        "/api/v1/emergency/notices/{notice_id}/recipients/",
        "/api/v1/emergency/answers/",
    ):
        assert path in schema["paths"]


def test_answers_by_token_are_throttled_per_address(api, city, people, settings):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "notice_answer": {"address": "2/minute"}}
    statuses = [
        api.post("/api/v1/emergency/answers/", {"token": f"guess-{n}", "answer": "received"})
        for n in range(3)
    ]
    assert [s.status_code for s in statuses] == [404, 404, 429]
