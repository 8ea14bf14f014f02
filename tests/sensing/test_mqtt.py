"""The MQTT path against the real Mosquitto on 127.0.0.1:1883 (skipped, saying so, when it is
not running): readings published on the SensorThings topic are stored, bad ones counted."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from sensing.models import Device, Observation
from sensing.mqtt import Subscriber
from tests.sensing.fleet import make_fleet

BROKER = ("127.0.0.1", 1883)


def _broker_up() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(
        not _broker_up(), reason="Mosquitto is not running on 127.0.0.1:1883 (.ci/run starts it)"
    ),
    pytest.mark.django_db(transaction=True),
]


def publisher() -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(*BROKER)
    client.loop_start()
    return client


def with_token(token: str) -> Properties:
    properties = Properties(PacketTypes.PUBLISH)
    properties.UserProperty = ("token", token)
    return properties


def wait_for(condition, seconds=10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def fleet(city):
    return make_fleet(city)


@pytest.fixture(params=[False, True], ids=["ack-on-arrival", "ack-after-commit"])
def subscriber(request):
    sub = Subscriber(
        f"mqtt://{BROKER[0]}:{BROKER[1]}",
        client_id=f"test-{uuid.uuid4().hex[:8]}",
        batch_size=50,
        flush_seconds=0.1,
        ack_after_commit=request.param,
        connections=2,
        group=f"test-{uuid.uuid4().hex[:8]}",  # no other run's sessions share the messages
        session_expiry=0,  # nothing left queued on the broker for a test that is over
    )
    sub.start()
    assert sub.subscribed.wait(5), "could not connect to Mosquitto"
    stop = threading.Event()
    thread = threading.Thread(target=sub.run, kwargs={"until": stop}, daemon=True)
    thread.start()
    yield sub
    stop.set()
    thread.join(5)
    sub.stop()


def test_readings_published_over_mqtt_are_stored(fleet, subscriber):
    client = publisher()
    now = datetime.now(UTC).replace(microsecond=0)
    topic = f"v1.1/Datastreams({fleet.tilt.pk})/Observations"
    for i in range(20):
        body = {"phenomenonTime": (now - timedelta(seconds=i)).isoformat(), "result": float(i)}
        client.publish(topic, json.dumps(body), qos=1, properties=with_token(fleet.cover_token))
    # MQTT 3.1.1 style: the token in the observation's parameters
    client.publish(
        topic,
        json.dumps({"result": 99.0, "parameters": {"token": fleet.cover_token}}),
        qos=1,
    )
    assert wait_for(lambda: Observation.objects.filter(datastream=fleet.tilt).count() == 21)
    fleet.tilt.refresh_from_db()
    assert fleet.tilt.last_value == 99.0
    client.loop_stop()
    client.disconnect()


def test_bad_mqtt_readings_are_refused_and_counted(fleet, subscriber):
    client = publisher()
    good_time = datetime.now(UTC).isoformat()
    own = f"v1.1/Datastreams({fleet.tilt.pk})/Observations"
    foreign = f"v1.1/Datastreams({fleet.level.pk})/Observations"
    token = with_token(fleet.cover_token)
    client.publish(
        own, json.dumps({"phenomenonTime": good_time, "result": "x"}), 1, properties=token
    )
    client.publish(foreign, json.dumps({"result": 1.0}), 1, properties=token)
    client.publish(own, json.dumps({"result": 1.0}), 1)  # no token
    client.publish(own, b"not json", 1, properties=token)
    assert wait_for(
        lambda: (
            Device.objects.get(pk=fleet.cover_device.pk).rejected_count == 2
            and subscriber.stats.unauthenticated == 1
            and subscriber.stats.malformed == 1
        )
    )
    assert not Observation.objects.exists()
    client.loop_stop()
    client.disconnect()


def test_batches_start_on_a_steady_beat_however_long_storing_takes(monkeypatch):
    """Storing a batch takes 0.4 s under load: the next one starts 0.1 s later (0.5 s after the
    last began), not a full 0.5 s after it ended, so a reading waits at most the beat plus one
    batch's storing before its alarm can open a case."""
    from sensing import mqtt as module

    clock = [100.0]
    monkeypatch.setattr(module.time, "monotonic", lambda: clock[0])
    sub = Subscriber(f"mqtt://{BROKER[0]}:{BROKER[1]}", flush_seconds=0.5, connections=1)
    waits: list[float] = []
    stop = threading.Event()

    class Arrivals:  # the condition a waiting batch sleeps on, on the test's clock
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def wait(self, timeout):
            waits.append(round(timeout, 3))
            clock[0] += timeout

    def store() -> int:
        clock[0] += 0.4
        if len(waits) == 4:
            stop.set()
        return 0

    monkeypatch.setattr(sub, "_arrived", Arrivals())
    monkeypatch.setattr(sub, "flush", store)
    sub.run(until=stop)
    assert waits == [0.5, 0.1, 0.1, 0.1]
