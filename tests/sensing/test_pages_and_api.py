"""What staff see: a grid's things on the map with their latest readings, a datastream's chart
from rollups with its figures, the SensorThings reading API with $top/$filter/$orderby, the
administering API (placed by routing, scoped), the partitions job, the alarm-state hook."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from sensing import partitions, status
from sensing.charts import datastream_chart
from sensing.ingest import RawReading, bucket_start, store_readings
from sensing.models import Observation, Rollup, Thing
from tests.sensing.fleet import make_fleet


@pytest.fixture
def fleet(city):
    return make_fleet(city)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def readings(fleet, values, *, start=None, step=timedelta(minutes=10)):
    start = start or datetime.now(UTC) - step * len(values)
    raws = [
        RawReading(fleet.tilt.pk, value, (start + step * i).isoformat())
        for i, value in enumerate(values)
    ]
    return store_readings(raws, device_id=fleet.cover_device.pk)


def test_the_grid_page_shows_its_things_latest_readings_and_the_map(fleet, city, people):
    readings(fleet, [1.0, 2.0, 12.25])
    body = signed_in(people.officer_a).get(f"/sensing/areas/{city.grid_a.pk}/").content.decode()
    assert "井盖 A-1" in body and "12.25 °" in body
    assert 'data-map="points"' in body and "sensing-points" in body
    points = json.loads(body.split('id="sensing-points" type="application/json">')[1].split("<")[0])
    assert points[0]["lon"] == city.point_a[0] and "12.25" in points[0]["label"]
    assert "水位计 B-1" not in body
    assert f"/ws/sensing/areas/{city.grid_a.pk}/" in body


def test_a_grid_with_many_things_pages_its_table_and_maps_them_all(fleet, city, people):
    """120 more covers on the grid: the table shows 50 a page with a pager, the map all 121,
    each point linking to its row on its own page; the last page holds the rest."""
    from sensing.models import Location
    from sensing.web.pages import PAGE_SIZE

    for i in range(120):
        Thing.objects.create(
            name=f"井盖 Z-{i:03d}",
            location=Location.objects.create(
                name=f"Z-{i}", lon=city.point_a[0], lat=city.point_a[1]
            ),
            area=city.grid_a,
            device=fleet.cover_device,
        )
    client = signed_in(people.officer_a)
    url = f"/sensing/areas/{city.grid_a.pk}/"
    first = client.get(url).content.decode()
    table = first.split('id="sensing-things"')[1].split("</table>")[0]
    assert table.count('<tr id="thing-') == PAGE_SIZE == 50
    assert "第 1 页，共 3 页" in first and "?page=2" in first
    points = json.loads(
        first.split('id="sensing-points" type="application/json">')[1].split("<")[0]
    )
    assert len(points) == 121  # the map: the whole grid, not a page of it
    last = Thing.objects.filter(area=city.grid_a).order_by("name", "pk").last()
    assert points[-1]["url"] == f"?page=3#thing-{last.pk}"
    third = client.get(url, {"page": 3}).content.decode()
    assert third.split('id="sensing-things"')[1].count('<tr id="thing-') == 21
    assert f'id="thing-{last.pk}"' in third and "第 3 页，共 3 页" in third
    # A page past the end shows the last one; another grid's things never appear.
    assert f'id="thing-{last.pk}"' in client.get(url, {"page": 99}).content.decode()
    assert "水位计 B-1" not in third


def test_the_alarm_state_hook_shows_on_the_page_and_the_map(fleet, city, people):
    def states(ids):
        return {fleet.cover.pk: status.ThingAlarm(active=1, label="1 active: tilt over 10°")}

    status.register_alarm_states(states)
    try:
        body = signed_in(people.officer_a).get(f"/sensing/areas/{city.grid_a.pk}/").content.decode()
    finally:
        status._provider = None
    assert "1 active: tilt over 10°" in body
    assert '"overdue": true' in body  # the red mark on the map


def test_the_chart_reads_rollups_and_lists_its_figures(fleet, people, english):
    start = bucket_start(datetime.now(UTC) - timedelta(hours=2), 300)
    readings(fleet, [2.0, 4.0], start=start, step=timedelta(minutes=1))
    chart = datastream_chart(fleet.tilt, span="day")
    shown = [value for _label, value in chart.rows if value != "—"]
    assert shown == ["3"]  # the 5-minute bucket's mean
    assert chart.headers == ("Time", "Mean °")
    assert len(chart.rows) == 288  # a day of 5-minute buckets
    response = signed_in(people.officer_a).get(f"/sensing/datastreams/{fleet.tilt.pk}/?range=week")
    body = response.content.decode()
    assert response.status_code == 200 and "<svg" in body and "<table" in body
    assert "最近 7 天" in body  # the page speaks the site's language


def test_the_chart_page_is_in_chinese_by_default(fleet, people):
    body = (
        signed_in(people.officer_a).get(f"/sensing/datastreams/{fleet.tilt.pk}/").content.decode()
    )
    assert "最近 24 小时" in body


def test_sensorthings_reading_api_filters_orders_and_pages(fleet, people):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(hours=5)
    readings(fleet, [float(i) for i in range(10)], start=start, step=timedelta(minutes=10))
    client = signed_in(people.officer_a)
    since = (start + timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    until = (start + timedelta(minutes=70)).isoformat().replace("+00:00", "Z")
    path = f"/sta/v1.1/Datastreams({fleet.tilt.pk})/Observations"
    answer = client.get(
        path,
        {
            "$filter": f"phenomenonTime ge {since} and phenomenonTime lt {until}",
            "$orderby": "phenomenonTime asc",
            "$top": "2",
            "$count": "true",
        },
    ).json()
    assert [o["result"] for o in answer["value"]] == [3.0, 4.0]
    assert answer["@iot.count"] == 4
    following = client.get(answer["@iot.nextLink"]).json()
    assert [o["result"] for o in following["value"]] == [5.0, 6.0]
    assert "@iot.nextLink" not in following
    latest = client.get(path, {"$top": "1"}).json()["value"][0]
    assert latest["result"] == 9.0  # newest first by default
    refused = client.get(path, {"$filter": "result gt 3"})
    assert refused.status_code == 400 and "phenomenonTime" in refused.json()["message"]
    assert client.get(path, {"$orderby": "secret desc"}).status_code == 400
    things = client.get("/sta/v1.1/Things").json()["value"]
    assert [t["name"] for t in things] == ["井盖 A-1"]
    assert things[0]["Locations"][0]["location"]["coordinates"] == [120.01, 30.01]
    stream = client.get(f"/sta/v1.1/Datastreams({fleet.tilt.pk})").json()
    assert stream["unitOfMeasurement"] == {"name": "degree", "symbol": "°", "definition": ""}


def test_the_api_places_a_new_thing_by_routing_and_refuses_another_grid(api, fleet, city, people):
    from tests.api.test_cases import _as

    people.admin  # noqa: B018
    _as(api, people.admin)
    made = api.post(
        "/api/v1/sensing/things/",
        {"name": "路灯 A-7", "lon": city.point_a[0], "lat": city.point_a[1], "component": None},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["area"] == city.grid_a.code
    thing = Thing.objects.get(name="路灯 A-7")
    assert thing.area == city.grid_a
    # an officer without the model permission may not administer things
    _as(api, people.officer_a)
    refused = api.post(
        "/api/v1/sensing/things/",
        {"name": "x", "lon": city.point_a[0], "lat": city.point_a[1]},
        format="json",
    )
    assert refused.status_code == 403
    assert api.get(f"/api/v1/sensing/things/{fleet.gauge.pk}/").status_code == 404


def test_retention_drops_what_is_older_than_kept(fleet, settings):
    readings(fleet, [1.0], start=datetime.now(UTC) - timedelta(days=5))
    readings(fleet, [2.0], start=datetime.now(UTC) - timedelta(hours=1))
    settings.SENSING_RETENTION_DAYS = 3
    outcome = partitions.maintain()
    assert outcome["dropped"] >= 1
    assert list(Observation.objects.values_list("result", flat=True)) == [2.0]
    assert not Rollup.objects.filter(start__lt=datetime.now(UTC) - timedelta(days=4)).exists()


def test_stored_readings_are_pushed_to_their_grid_through_the_outbox(fleet, city):
    from governance.models import OutboxMessage
    from sensing import live

    live.forget()
    live.watching(city.grid_a.pk)  # its page is open
    readings(fleet, [7.5])
    message = OutboxMessage.objects.filter(kind=live.PUSH_KIND).get()
    ((groups, payload),) = message.payload["sends"]
    assert groups == [live.area_group(city.grid_a.pk)]
    assert payload["kind"] == "sensing.readings" and payload["readings"][0][:2] == [
        fleet.tilt.pk,
        7.5,
    ]
    readings(fleet, [8.5], start=datetime.now(UTC) - timedelta(minutes=1))
    assert OutboxMessage.objects.filter(kind=live.PUSH_KIND).count() == 1  # held back: 2 s


def test_readings_of_a_grid_nobody_watches_are_not_pushed(fleet, city):
    from django.core.cache import cache

    from governance.models import OutboxMessage
    from sensing import live

    live.forget()
    cache.delete(f"sensing.watched.{city.grid_a.pk}")
    readings(fleet, [7.5])
    assert not OutboxMessage.objects.filter(kind=live.PUSH_KIND).exists()
    assert live.watched([city.grid_a.pk]) == set()
    # The page opens: from then on its grid is pushed to.
    live.watching(city.grid_a.pk)
    live.forget()
    readings(fleet, [8.0], start=datetime.now(UTC) + timedelta(seconds=1))
    assert OutboxMessage.objects.filter(kind=live.PUSH_KIND).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_open_grid_page_is_watched_and_hears_its_readings(city, people):
    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from sensing import live

    fleet = make_fleet(city)
    live.forget()
    url = f"/ws/sensing/areas/{city.grid_a.pk}/"

    def socket(user):
        comm = WebsocketCommunicator(URLRouter(live.routes()), url)
        comm.scope["user"] = user
        comm.scope["url_route"] = {"kwargs": {"area_id": city.grid_a.pk}}
        return comm

    async def scenario():
        outsider = socket(people.officer_b)  # another street's officer
        assert not (await outsider.connect())[0]
        assert await database_sync_to_async(live.watched)([city.grid_a.pk]) == set()
        officer = socket(people.officer_a)
        assert (await officer.connect())[0]
        assert await database_sync_to_async(live.watched)([city.grid_a.pk]) == {city.grid_a.pk}
        await database_sync_to_async(readings)(fleet, [9.5])
        heard = await officer.receive_json_from(timeout=5)
        assert heard["kind"] == "sensing.readings" and heard["area"] == city.grid_a.pk
        assert heard["readings"][-1][:2] == [fleet.tilt.pk, 9.5]
        await officer.disconnect()

    async_to_sync(scenario)()
