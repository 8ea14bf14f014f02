"""The deployment files in deploy/: the proxy sends exactly the ingest paths to the ingest pool,
the units start the commands the project documents, the broker keeps what a subscriber holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import resolve

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def ingest_locations() -> list[re.Pattern]:
    text = (DEPLOY / "nginx-grid.conf").read_text()
    blocks = re.findall(r"location ~ (\S+) \{(.*?)\}", text, re.S)
    return [re.compile(pattern) for pattern, body in blocks if "grid_ingest" in body]


INGEST = {
    "/api/v1/gridwork/patrols/12/points/": "patrol-points",
    "/sta/v1.1/CreateObservations": "sta-create-observations",
    "/sta/v1.1/Datastreams(5)/Observations": "sta-datastream-observations",
}
NOT_INGEST = [
    "/api/v1/gridwork/patrols/12/",
    "/api/v1/gridwork/patrols/12/end/",
    "/api/v1/gridwork/patrols/12/check-ins/",
    "/api/v1/cases/",
    "/sta/v1.1/Things",
    "/sta/v1.1/Datastreams(5)",
    "/patrol/",
    "/",
]


@pytest.mark.parametrize("path", INGEST)
def test_the_proxy_sends_the_bulk_writes_to_the_ingest_pool(path):
    assert any(p.match(path) for p in ingest_locations()), path
    assert resolve(path).url_name == INGEST[path]  # the site's own route, not a stale one


@pytest.mark.parametrize("path", NOT_INGEST)
def test_everything_else_goes_to_the_web_instances(path):
    assert not any(p.match(path) for p in ingest_locations()), path


def test_the_ingest_pool_is_the_web_server_at_a_lower_priority():
    web, ingest = unit("grid-web@.service"), unit("grid-ingest@.service")
    assert ingest["ExecStart"] == web["ExecStart"]
    assert int(ingest["Nice"][0]) >= 5 and "Nice" not in web


def test_each_mqtt_subscriber_keeps_its_own_session_and_acknowledges_after_commit():
    settings = unit("grid-sensing-mqtt@.service")
    assert int(settings["Nice"][0]) >= 5  # machines' writes yield to people's requests
    (command,) = settings["ExecStart"]
    words = command.split()
    assert words[1:3] == ["manage.py", "run_mqtt_subscriber"]
    assert "--ack-after-commit" in words
    assert "%i" in words[words.index("--client-id") + 1]  # one fixed id per instance


def test_the_broker_lets_a_subscriber_hold_a_batch_and_queues_ten_minutes():
    settings = dict(
        line.split(None, 1)
        for line in (DEPLOY / "mosquitto.conf").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    assert settings["max_inflight_messages"].strip() == "0"
    assert int(settings["max_queued_messages"]) >= 2000 * 600
