"""Our public notices as CAP 1.2 alerts: every document valid against the OASIS schema."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from lxml import etree

from tests.emergency.cap_helpers import incident, notice, texts, valid
from tests.factories import square

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
pytestmark = pytest.mark.django_db


def _get(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return valid(response.content)


def _url(item) -> str:
    return f"/cap/alerts/{item.identifier}.xml"


@override_settings(CAP_SENDER="grid.minghu.example")
def test_an_alert_is_valid_and_speaks_both_languages(city, client):
    flood = incident(city.grid_a, city.grid_b)
    alert = notice(flood)
    response = client.get(_url(alert))
    assert response["Content-Type"].startswith("application/cap+xml")
    root = valid(response.content)
    assert texts(root, "/cap:alert/cap:identifier") == [alert.identifier]
    assert texts(root, "/cap:alert/cap:sender") == ["grid.minghu.example"]
    assert texts(root, "/cap:alert/cap:status") == ["Actual"]
    assert texts(root, "/cap:alert/cap:msgType") == ["Alert"]
    assert texts(root, "/cap:alert/cap:scope") == ["Public"]
    assert not root.xpath("/cap:alert/cap:references", namespaces={"cap": root.nsmap[None]})
    (sent,) = texts(root, "/cap:alert/cap:sent")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", sent)
    assert texts(root, "//cap:info/cap:language") == ["zh-CN", "en-US"]
    assert texts(root, "//cap:info/cap:category") == ["Met", "Met"]
    assert texts(root, "//cap:info/cap:headline") == ["暴雨橙色预警", "Orange rainstorm warning"]
    assert texts(root, "//cap:info/cap:severity") == ["Severe", "Severe"]
    assert texts(root, "//cap:info[1]/cap:instruction") == ["请远离低洼地带。"]
    assert texts(root, "//cap:info[1]/cap:area/cap:geocode/cap:value") == [
        city.grid_a.code,
        city.grid_b.code,
    ]


def test_an_area_boundary_is_a_closed_lat_lon_polygon(city, client):
    root = _get(client, _url(notice(incident(city.grid_b))))
    (polygon,) = texts(root, "//cap:info[1]/cap:area/cap:polygon")
    pairs = polygon.split(" ")
    assert pairs[0] == pairs[-1] and len(pairs) == 5
    assert "30,120.1" in pairs  # latitude first
    assert texts(root, "//cap:info[1]/cap:area/cap:areaDesc") == [city.grid_b.name]


def test_a_huge_boundary_is_simplified(city, client):
    import math

    ring = [
        [120.1 + 0.05 * math.cos(i * math.pi / 1000), 30.02 + 0.02 * math.sin(i * math.pi / 1000)]
        for i in range(2000)
    ]
    city.grid_b.boundary = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    city.grid_b.save()
    root = _get(client, _url(notice(incident(city.grid_b))))
    (polygon,) = texts(root, "//cap:info[1]/cap:area/cap:polygon")
    assert 4 <= len(polygon.split(" ")) <= 200
    city.grid_b.boundary = square(120.1, 30.0, 120.15, 30.05)


def test_an_update_and_a_cancel_refer_to_the_earlier_alerts(city, client):
    flood = incident(city.grid_a)
    first = notice(flood, minutes_ago=30)
    update = notice(flood, minutes_ago=10, msg_type="Update", references=first)
    cancel = notice(flood, msg_type="Cancel", references=update)
    root = _get(client, _url(update))
    assert texts(root, "/cap:alert/cap:msgType") == ["Update"]
    (refs,) = texts(root, "/cap:alert/cap:references")
    assert refs.split(",")[1] == first.identifier
    root = _get(client, _url(cancel))
    assert texts(root, "/cap:alert/cap:msgType") == ["Cancel"]
    (refs,) = texts(root, "/cap:alert/cap:references")
    assert [triple.split(",")[1] for triple in refs.split(" ")] == [
        first.identifier,
        update.identifier,
    ]


def test_a_drill_is_an_exercise(city, client):
    root = _get(client, _url(notice(incident(city.grid_a, exercise=True))))
    assert texts(root, "/cap:alert/cap:status") == ["Exercise"]


def test_english_falls_back_to_chinese_and_a_notice_without_incident_is_valid(city, client):
    alert = notice(None, title_en="", body_en="", instruction_en="", target={"areas": []})
    root = _get(client, _url(alert))
    assert texts(root, "//cap:info/cap:headline") == ["暴雨橙色预警", "暴雨橙色预警"]
    assert texts(root, "//cap:info/cap:category") == ["Other", "Other"]


def test_a_notice_that_is_not_public_is_no_alert(city, client):
    internal = notice(incident(city.grid_a), public=False)
    assert client.get(_url(internal)).status_code == 404
    assert client.get("/cap/alerts/nothing-here.xml").status_code == 404


def test_no_personal_data_in_an_alert(city, people, client):
    alert = notice(incident(city.grid_a), sent_by=people.dispatcher)
    body = client.get(_url(alert)).content.decode()
    assert "dispatcher" not in body


def test_the_feed_lists_public_alerts_newest_first_linking_their_documents(city, client):
    flood = incident(city.grid_a)
    older = notice(flood, minutes_ago=20)
    newer = notice(flood, minutes_ago=5, msg_type="Update", references=older)
    notice(flood, public=False)
    response = client.get("/cap/alerts.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    links = feed.xpath("atom:entry/atom:link[@type='application/cap+xml']/@href", namespaces=ATOM)
    assert [link.rsplit("/", 1)[1] for link in links] == [
        f"{newer.identifier}.xml",
        f"{older.identifier}.xml",
    ]
    for link in links:
        path = "/" + link.split("/", 3)[3]
        _get(client, path)
    assert feed.xpath("atom:link[@rel='self']/@href", namespaces=ATOM)
    assert feed.xpath("atom:updated/text()", namespaces=ATOM)
    assert len(feed.xpath("atom:entry/atom:id", namespaces=ATOM)) == 2


def test_the_feed_pages(city, client, monkeypatch):
    from emergency.cap import feed

    monkeypatch.setattr(feed, "PAGE_SIZE", 2)
    flood = incident(city.grid_a)
    made = [notice(flood, minutes_ago=minutes) for minutes in (1, 2, 3)]
    first = etree.fromstring(client.get("/cap/alerts.atom").content)
    assert len(first.xpath("atom:entry", namespaces=ATOM)) == 2
    (next_link,) = first.xpath("atom:link[@rel='next']/@href", namespaces=ATOM)
    second = etree.fromstring(client.get("/" + next_link.split("/", 3)[3]).content)
    (only,) = second.xpath(
        "atom:entry/atom:link[@type='application/cap+xml']/@href", namespaces=ATOM
    )
    assert only.endswith(f"{made[2].identifier}.xml")
    assert not second.xpath("atom:link[@rel='next']", namespaces=ATOM)


def test_documents_are_cacheable(city, client):
    alert = notice(incident(city.grid_a))
    response = client.get(_url(alert))
    assert "max-age" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(_url(alert), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    feed = client.get("/cap/alerts.atom")
    assert client.get("/cap/alerts.atom", HTTP_IF_NONE_MATCH=feed["ETag"]).status_code == 304
