"""The patrol pages and the leaders' live socket: what each person gets."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from gridwork import patrol_live, patrolling
from tests.gridwork.patrols import plant_patrol, walk


@pytest.fixture
def planted(city, people):
    return plant_patrol(city, people)


def page(user, url):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get(url)


def test_the_officer_page_resumes_the_patrol_with_its_track(planted, people, english):
    response = page(people.officer_a, "/patrol/")
    assert response.status_code == 200
    config = response.context["config"]
    assert config["patrol"]["id"] == planted.patrol.pk
    assert len(config["track"]) == 3
    body = response.content.decode()
    assert "End patrol" in body and "Report from here" in body and "Check in" in body
    # the category's questions come with it, for the report form
    (category,) = [c for c in config["categories"] if c["questions"]]
    assert category["questions"][0]["code"] == "amount"


def test_the_navigation_offers_patrol_to_staff_only(people, city, english):
    assert 'href="/patrol/"' in page(people.officer_a, "/patrol/history/").content.decode()
    assert 'href="/patrol/"' not in page(people.citizen, "/").content.decode()
    assert page(people.citizen, "/patrol/").status_code == 403
    assert page(people.clerk, "/patrol/history/").status_code == 403


def test_history_and_one_patrol_for_the_officer_and_their_leader(planted, people, english):
    for user in (people.officer_a, people.street_leader):
        body = page(user, "/patrol/history/").content.decode()
        assert f"/patrol/{planted.patrol.pk}/" in body
        detail = page(user, f"/patrol/{planted.patrol.pk}/")
        assert detail.status_code == 200
        text = detail.content.decode()
        assert "加油站" in text and "油罐区正常" in text
        photo = planted.check_in.photos.get()
        assert page(user, f"/patrol/photos/{photo.pk}/thumb/").status_code == 200
    assert (
        f"/patrol/{planted.patrol.pk}/"
        not in page(people.officer_b, "/patrol/history/").content.decode()
    )
    assert page(people.officer_b, f"/patrol/{planted.patrol.pk}/").status_code == 404
    photo = planted.check_in.photos.get()
    assert page(people.officer_b, f"/patrol/photos/{photo.pk}/full/").status_code == 404
    assert Client().get(f"/patrol/photos/{photo.pk}/full/").status_code == 404


def test_the_live_page_lists_who_is_out_for_leaders_only(planted, people, english):
    response = page(people.street_leader, "/patrol/live/")
    assert response.status_code == 200
    assert [r["id"] for r in response.context["rows"]] == [planted.patrol.pk]
    assert "officer_a" in response.content.decode()
    for user in (people.officer_a, people.dispatcher, people.citizen):
        assert page(user, "/patrol/live/").status_code == 403


# -- the live socket -----------------------------------------------------------------------------


def communicator(user):
    comm = WebsocketCommunicator(URLRouter(patrol_live.routes()), "/ws/gridwork/patrols/")
    comm.scope["user"] = user
    return comm


@pytest.mark.django_db(transaction=True)
def test_a_leader_hears_positions_of_their_subtree_and_nobody_else_listens(city, people):
    async def scenario():
        leader = communicator(people.street_leader)
        ok, _ = await leader.connect()
        assert ok
        for outsider in (people.officer_a, people.dispatcher, people.citizen):
            comm = communicator(outsider)
            ok, _ = await comm.connect()
            assert not ok, outsider
        admin = communicator(people.admin)
        assert (await admin.connect())[0]

        def patrol_in(officer):
            patrol = patrolling.start_patrol(
                officer=officer, now=timezone.now() - timedelta(hours=1)
            )
            patrolling.record_points(patrol, walk(patrol.started_at, 2), batch="b")
            return patrol

        patrol_a = await database_sync_to_async(patrol_in)(people.officer_a)
        await database_sync_to_async(patrol_in)(people.officer_b)  # street B: not the leader's
        heard = []
        while not await leader.receive_nothing(timeout=0.5):
            heard.append(await leader.receive_json_from())
        assert {m["patrol"] for m in heard} == {patrol_a.pk}
        last = heard[-1]
        assert (last["kind"], last["status"], last["points"]) == ("patrol.position", "active", 2)
        assert last["officer"] == "officer_a" and last["lon"] is not None
        admin_heard = []
        while not await admin.receive_nothing(timeout=0.5):
            admin_heard.append(await admin.receive_json_from())
        assert len({m["patrol"] for m in admin_heard}) == 2
        await leader.disconnect()
        await admin.disconnect()

    async_to_sync(scenario)()


def test_the_live_message_is_plain_json(planted):
    message = patrol_live.message(planted.patrol)
    assert json.loads(json.dumps(message)) == message
    assert set(message) == set(patrol_live.FIELDS)
