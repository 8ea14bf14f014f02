"""Upstream CAP 1.2 alerts taken in as incident drafts: valid, safe, idempotent, permitted."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from emergency.models import Incident, IncidentEventKind, IncidentSource, IncidentStatus

SAMPLE = (Path(__file__).parent / "samples" / "rainstorm_warning.xml").read_text()
URL = "/api/v1/emergency/cap/"
SENT = "2026-07-01T08:00:00+08:00"
pytestmark = pytest.mark.django_db


def geocode(code: str) -> str:
    return f"<geocode><valueName>GB/T 2260</valueName><value>{code}</value></geocode>"


def polygon(x0: float, y0: float, x1: float, y1: float) -> str:
    ring = [(y0, x0), (y0, x1), (y1, x1), (y1, x0), (y0, x0)]
    return "<polygon>" + " ".join(f"{lat},{lon}" for lat, lon in ring) + "</polygon>"


def alert(
    *,
    identifier: str = "MH-2026-0701-RAIN-01",
    sent: str = SENT,
    status: str = "Actual",
    msg_type: str = "Alert",
    references: str = "",
    severity: str = "Severe",
    area: str = "",
    area_desc: str = "青湖区",
) -> bytes:
    return SAMPLE.format(
        identifier=identifier,
        sent=sent,
        status=status,
        msg_type=msg_type,
        references=f"<references>{references}</references>" if references else "",
        severity=severity,
        area=area or geocode("339901"),
        area_desc=area_desc,
    ).encode()


def post(api, person, body: bytes, content_type: str = "application/cap+xml"):
    token, _ = Token.objects.get_or_create(user=person)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api.post(URL, data=body, content_type=content_type)


def test_a_rainstorm_warning_becomes_a_draft_for_the_district(city, people, api):
    response = post(api, people.dispatcher, alert())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created"] is True and body["areas"] == ["339901"]
    incident = Incident.objects.get(pk=body["incident"])
    assert incident.status == IncidentStatus.DRAFT
    assert incident.source == IncidentSource.CAP
    assert (
        incident.source_reference == f"warning.minghu-weather.example,MH-2026-0701-RAIN-01,{SENT}"
    )
    assert incident.kind == "flood" and incident.level == 2 and not incident.exercise
    assert incident.title == "明湖市气象台发布暴雨橙色预警信号"
    assert incident.title_en == "Orange rainstorm warning for Qinghu district"
    assert "停止户外集体活动" in incident.description
    (declared,) = incident.events.all()
    assert declared.kind == IncidentEventKind.DECLARED and declared.actor == people.dispatcher
    assert declared.data["source"] == "cap" and declared.data["areas_from"] == "geocode"


def test_the_same_alert_twice_is_one_incident(city, people, api):
    first = post(api, people.dispatcher, alert())
    again = post(api, people.dispatcher, alert())
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["incident"] == first.json()["incident"]
    assert Incident.objects.count() == 1


def test_an_update_and_a_cancel_are_noted_on_the_same_incident_once(city, people, api):
    first = post(api, people.dispatcher, alert()).json()
    reference = f"warning.minghu-weather.example,MH-2026-0701-RAIN-01,{SENT}"
    update = alert(
        identifier="MH-2026-0701-RAIN-02",
        sent="2026-07-01T10:00:00+08:00",
        msg_type="Update",
        references=reference,
        severity="Extreme",
    )
    for _ in range(2):
        response = post(api, people.dispatcher, update)
        assert response.status_code == 200 and response.json()["incident"] == first["incident"]
    cancel = alert(
        identifier="MH-2026-0701-RAIN-03",
        sent="2026-07-01T14:00:00+08:00",
        msg_type="Cancel",
        references=reference,
    )
    assert post(api, people.dispatcher, cancel).json()["noted"] is True
    incident = Incident.objects.get()
    noted = incident.events.filter(kind=IncidentEventKind.NOTE).first()
    assert noted.data["msg_type"] == "Update" and noted.data["areas"] == ["339901"]
    assert noted.data["severity"] == ["Extreme", "Extreme"]
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds == [IncidentEventKind.DECLARED, IncidentEventKind.NOTE, IncidentEventKind.NOTE]
    assert "cancelled" in incident.events.last().note or "取消" in incident.events.last().note


def test_an_exercise_alert_is_a_drill(city, people, api):
    body = post(api, people.dispatcher, alert(status="Exercise")).json()
    assert Incident.objects.get(pk=body["incident"]).exercise


def test_a_polygon_resolves_to_the_grids_it_overlaps(city, people, api):
    # Over grid B and the western part of grid B2; touching grid A2 only along its edge.
    shape = polygon(120.1, 30.01, 120.16, 30.04)
    response = post(api, people.dispatcher, alert(area=shape, area_desc="西片"))
    assert response.status_code == 201, response.json()
    assert response.json()["areas"] == [city.grid_b.code, city.grid_b2.code]
    incident = Incident.objects.get()
    assert incident.polygon["type"] == "Polygon"
    assert incident.events.get().data["areas_from"] == "polygon"


def test_a_geocode_of_ours_wins_over_the_polygon(city, people, api):
    area = polygon(120.1, 30.01, 120.16, 30.04) + geocode(city.grid_a.code)
    assert post(api, people.dispatcher, alert(area=area)).json()["areas"] == [city.grid_a.code]


def test_an_alert_for_elsewhere_is_refused(city, people, api):
    response = post(api, people.dispatcher, alert(area=geocode("110101")))
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_a_document_that_is_not_cap_is_refused_naming_the_schema_error(city, people, api):
    broken = alert().replace(b"<status>Actual</status>", b"<status>Real</status>")
    response = post(api, people.dispatcher, broken)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_cap" and "status" in body["errors"]["alert"][0]
    assert post(api, people.dispatcher, b"<alert>").status_code == 400
    assert post(api, people.dispatcher, b"", "application/xml").status_code == 400
    assert not Incident.objects.exists()


def test_a_test_message_makes_no_incident(city, people, api):
    assert post(api, people.dispatcher, alert(status="Test")).status_code == 400


@pytest.mark.parametrize(
    "attack",
    [
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>',
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<lolz>&lol3;</lolz>",
    ],
    ids=["xxe", "billion-laughs"],
)
def test_entities_and_dtds_are_refused(city, people, api, attack):
    response = post(api, people.dispatcher, attack)
    assert response.status_code == 400
    assert "root:" not in response.content.decode()
    assert not Incident.objects.exists()


def test_a_huge_document_is_refused(city, people, api):
    padded = alert().replace(b"<scope>", b"<!--" + b"x" * 600_000 + b"--><scope>")
    assert post(api, people.dispatcher, padded).status_code == 413


def test_only_who_manages_the_alerts_areas_may_send_it(city, people, api):
    # The street leader dispatches for street A only: not the whole district.
    assert post(api, people.street_leader, alert()).status_code == 403
    assert post(api, people.officer_a, alert(area=geocode(city.grid_a.code))).status_code == 403
    assert post(api, people.citizen, alert()).status_code == 403
    assert not Incident.objects.exists()
    assert post(api, people.street_leader, alert(area=geocode(city.grid_a.code))).status_code == 201
    assert post(api, people.admin, alert(identifier="other")).status_code == 201


def test_anonymous_callers_are_asked_to_authenticate(city, api):
    assert api.post(URL, data=alert(), content_type="application/cap+xml").status_code == 401


def test_our_own_alert_reads_back_as_a_draft_for_its_areas(city, people, api):
    from emergency.cap.alerts import alert_xml
    from tests.emergency.cap_helpers import incident, notice

    ours = notice(incident(city.grid_a, city.grid_a2), severity="Extreme")
    response = post(api, people.street_leader, alert_xml(ours))
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["areas"]) == sorted([city.grid_a.code, city.grid_a2.code])
    taken = Incident.objects.get(pk=response.json()["incident"])
    assert taken.level == 1 and taken.kind == "flood"
    assert taken.title == ours.title and taken.title_en == ours.title_en
