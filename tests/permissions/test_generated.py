"""Generated: every route × every persona × every planted piece of personal data.

The routes come from the URL resolver and the socket routing (`tests.permissions.routes`); the
personal data from `tests.permissions.planted`. For each probe and persona: GET the route (or
connect to the socket and watch the planted cases change), scan the answer (HTML, JSON, XML,
CSV, GeoJSON, file bytes) for each marker, and assert that a marker appears only for a persona
of its audience and that each showing of personal data to someone other than the reporter
wrote an AccessLog row naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client, TestCase, override_settings

from governance.models import AccessLog
from tests.factories import City, Personas, make_city, make_personas
from tests.permissions.matrix import PERSONAS
from tests.permissions.planted import MARKER_NAMES, Planted, plant
from tests.permissions.probing import GENERATED, judge, marked, text_of, user_of, violations
from tests.permissions.routes import EXCLUDED, Probe, fill
from tests.scenario import Scenario, make_scenario


@dataclass
class World:
    city: City
    people: Personas
    scenario: Scenario
    planted: Planted
    media: Path


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The scenario and the planted data, built once for the module's nearly three thousand
    requests (each test runs in a savepoint of this transaction, rolled back at the end)."""
    media = tmp_path_factory.mktemp("planted-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings = override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast)
    with django_db_blocker.unblock(), settings, transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            city = make_city()
            people = make_personas(city)
            scenario = make_scenario(city, people)
            planted = plant(city, people, scenario)
        yield World(city, people, scenario, planted, media)
        transaction.set_rollback(True)


@pytest.mark.parametrize("probe", marked(GENERATED.probes))
def test_personal_data_reaches_only_its_audience(probe: Probe, world, db, settings):
    settings.MEDIA_ROOT = world.media
    people, city, scenario, planted = world.people, world.city, world.scenario, world.planted
    path = fill(probe, planted, people, city)
    found = {}
    for persona in PERSONAS:
        user = user_of(persona, people, scenario)
        client = Client()
        if user is not None:
            client.force_login(user)
        last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = client.get(path)
        assert response.status_code < 500, f"{probe.key} as {persona}: {response.status_code}"
        logs = list(AccessLog.objects.filter(pk__gt=last))
        ok = response.status_code == 200
        served = probe.variant if probe.route.kind == "file" and ok else None
        text = text_of(response, path)
        found[persona] = violations(
            persona, user, planted, text, served=served, route=probe.route, logs=logs
        )
    judge(probe.key, found)


# --- the generator itself ------------------------------------------------------------------


def test_every_route_is_classified_and_filled():
    assert not GENERATED.problems, "teach tests/permissions/routes.py: " + "; ".join(
        GENERATED.problems
    )


def test_the_exclusions_name_real_routes():
    from django.urls import get_resolver

    from tests.permissions.routes import walk

    every = {r.shown for r in walk(get_resolver().url_patterns)}
    assert set(EXCLUDED) <= every, set(EXCLUDED) - every


def test_the_markers_are_the_named_ones(world, db):
    assert sorted(m.name for m in world.planted.markers) == sorted(MARKER_NAMES)


def test_suite_size():
    """personas × probes × markers, printed for the record."""
    probes = len(GENERATED.probes) + len(GENERATED.sockets)
    print(
        f"generated suite: {len(PERSONAS)} personas × {probes} probes "
        f"({len(GENERATED.routes)} routes) × {len(MARKER_NAMES)} markers = "
        f"{len(PERSONAS) * probes * len(MARKER_NAMES)} checks"
    )
    assert probes > 200
