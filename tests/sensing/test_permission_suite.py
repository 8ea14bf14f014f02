"""Every sensing path × every persona: who gets an answer, and that a grid's things (their
names) reach only the staff of that grid and those above it.

The routes come from the URL resolver (every route of the `sensing`, `sensing-web` and
`sensing-api` namespaces): a new sensing path fails `test_every_sensing_route_is_in_the_table`
until it is given its row here.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver

from tests.permissions.routes import walk
from tests.sensing.fleet import make_fleet

PERSONAS = [
    "anonymous",
    "citizen",
    "officer_a",
    "officer_b",
    "street_leader",
    "dispatcher",
    "clerk",
    "admin",
]
SEES_ANY = {"officer_a", "officer_b", "street_leader", "dispatcher", "admin"}
SEES_A = SEES_ANY - {"officer_b"}
SEES_B = SEES_ANY - {"officer_a", "street_leader"}
NAME_A, NAME_B = "井盖 A-1", "水位计 B-1"


def page(sees):
    return {"anonymous": 302} | {p: 200 if p in sees else 403 for p in PERSONAS[1:]}


def one_page(sees):
    return {"anonymous": 302} | {
        p: 200 if p in sees else 404 if p in SEES_ANY else 403 for p in PERSONAS[1:]
    }


def sta_list():
    return {"anonymous": 401} | {p: 200 for p in PERSONAS[1:]}


def sta_one(sees):
    return {"anonymous": 401} | {p: 200 if p in sees else 404 for p in PERSONAS[1:]}


def api_list():
    return {"anonymous": 401} | {p: 200 if p in SEES_ANY else 403 for p in PERSONAS[1:]}


def api_one(sees):
    return {"anonymous": 401} | {
        p: 200 if p in sees else 404 if p in SEES_ANY else 403 for p in PERSONAS[1:]
    }


def table(f, city):
    a, tilt, cover = city.grid_a.pk, f.tilt.pk, f.cover.pk
    return [
        ("sensing-web:home", "get", "/sensing/", page(SEES_ANY)),
        ("sensing-web:area", "get", f"/sensing/areas/{a}/", one_page(SEES_A)),
        ("sensing-web:datastream", "get", f"/sensing/datastreams/{tilt}/", one_page(SEES_A)),
        ("sensing:sta-things", "get", "/sta/v1.1/Things", sta_list()),
        ("sensing:sta-thing", "get", f"/sta/v1.1/Things({cover})", sta_one(SEES_A)),
        (
            "sensing:sta-thing-datastreams",
            "get",
            f"/sta/v1.1/Things({cover})/Datastreams",
            sta_list(),
        ),
        ("sensing:sta-datastreams", "get", "/sta/v1.1/Datastreams", sta_list()),
        ("sensing:sta-datastream", "get", f"/sta/v1.1/Datastreams({tilt})", sta_one(SEES_A)),
        (
            "sensing:sta-datastream-observations",
            "get",
            f"/sta/v1.1/Datastreams({tilt})/Observations",
            sta_one(SEES_A),
        ),
        (
            "sensing:sta-datastream-observations",
            "post",
            f"/sta/v1.1/Datastreams({tilt})/Observations",
            {p: 401 for p in PERSONAS},  # a person is not a device
        ),
        ("sensing:sta-observations", "get", "/sta/v1.1/Observations", sta_list()),
        (
            "sensing:sta-create-observations",
            "get",
            "/sta/v1.1/CreateObservations",
            {p: 405 for p in PERSONAS},
        ),
        (
            "sensing:sta-create-observations",
            "post",
            "/sta/v1.1/CreateObservations",
            {p: 401 for p in PERSONAS},
        ),
        ("sensing-api:thing-list", "get", "/api/v1/sensing/things/", api_list()),
        ("sensing-api:thing-detail", "get", f"/api/v1/sensing/things/{cover}/", api_one(SEES_A)),
        ("sensing-api:datastream-list", "get", "/api/v1/sensing/datastreams/", api_list()),
        (
            "sensing-api:datastream-detail",
            "get",
            f"/api/v1/sensing/datastreams/{tilt}/",
            api_one(SEES_A),
        ),
        ("sensing-api:sensor-list", "get", "/api/v1/sensing/sensors/", api_list()),
        (
            "sensing-api:sensor-detail",
            "get",
            f"/api/v1/sensing/sensors/{f.tilt.sensor_id}/",
            api_one(SEES_ANY),
        ),
        (
            "sensing-api:observed-property-list",
            "get",
            "/api/v1/sensing/observed-properties/",
            api_list(),
        ),
        (
            "sensing-api:observed-property-detail",
            "get",
            f"/api/v1/sensing/observed-properties/{f.tilt.observed_property_id}/",
            api_one(SEES_ANY),
        ),
    ]


def sensing_routes() -> set[str]:
    return {
        route.name
        for route in walk(get_resolver().url_patterns)
        if route.name and route.name.split(":")[0] in ("sensing", "sensing-web", "sensing-api")
    }


@pytest.fixture
def fleet(city):
    return make_fleet(city)


def test_every_sensing_route_is_in_the_table(fleet, city):
    assert sensing_routes() == {entry[0] for entry in table(fleet, city)}


def test_every_sensing_path_for_every_persona(fleet, city, people):
    problems = []
    for _name, method, path, expected in table(fleet, city):
        for persona in PERSONAS:
            client = Client()
            if persona != "anonymous":
                client.force_login(getattr(people, persona))
            response = getattr(client, method)(path)
            key = f"{method.upper()} {path} as {persona}"
            if response.status_code != expected[persona]:
                problems.append(f"{key}: {response.status_code}, expected {expected[persona]}")
                continue
            body = response.content.decode()
            if NAME_A in body and persona not in SEES_A:
                problems.append(f"{key}: shows grid A's thing")
            if NAME_B in body and persona not in SEES_B:
                problems.append(f"{key}: shows grid B's thing")
    assert not problems, "\n".join(problems)
