"""deploy/mosquitto.conf on a Mosquitto of the test's own (another port; the shared broker is
never touched): what devices publish while the subscriber restarts waits for it whole — a
burst of thousands of readings. With Mosquitto's defaults (1,000 queued per session) the rest
would be dropped."""

from __future__ import annotations

import getpass
import glob
import json
import shutil
import socket
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from sensing.models import Observation
from sensing.mqtt import Subscriber
from tests.sensing.fleet import make_fleet
from tests.sensing.test_mqtt import wait_for, with_token

CONF = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto.conf"
BURST = 3000

pytestmark = [
    pytest.mark.skipif(not shutil.which("mosquitto"), reason="no mosquitto binary here"),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker(tmp_path):
    with _mosquitto(tmp_path) as port:
        yield port


@contextmanager
def _mosquitto(tmp_path, extra: str = ""):
    port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        CONF.read_text() + f"\nlistener {port} 127.0.0.1\nallow_anonymous true\n{extra}"
    )
    process = subprocess.Popen(
        ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the test's own Mosquitto did not start")
        yield port
    finally:
        process.terminate()
        process.wait(10)


def subscriber(port: int, client_id: str) -> tuple[Subscriber, threading.Event, threading.Thread]:
    sub = Subscriber(
        f"mqtt://127.0.0.1:{port}",
        client_id=client_id,
        ack_after_commit=True,  # as deployed
        connections=1,
        session_expiry=300,  # the broker keeps its session while it is away
    )
    sub.start()
    assert sub.subscribed.wait(5)
    stop = threading.Event()
    thread = threading.Thread(target=sub.run, kwargs={"until": stop}, daemon=True)
    thread.start()
    return sub, stop, thread


def halt(sub: Subscriber, stop: threading.Event, thread: threading.Thread) -> None:
    stop.set()
    thread.join(5)
    sub.stop()


def test_what_is_published_while_the_subscriber_restarts_waits_for_it_whole(city, broker):
    fleet = make_fleet(city)
    name = f"test-{uuid.uuid4().hex[:8]}"
    halt(*subscriber(broker, name))  # it subscribed once; its session stays on the broker
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(BURST)
    client.connect("127.0.0.1", broker)
    client.loop_start()
    try:
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        topic = f"v1.1/Datastreams({fleet.tilt.pk})/Observations"
        token = with_token(fleet.cover_token)
        last = None
        for i in range(BURST):
            body = {"phenomenonTime": (start + timedelta(seconds=i)).isoformat(), "result": 1.0}
            last = client.publish(topic, json.dumps(body), qos=1, properties=token)
        last.wait_for_publish(30)
    finally:
        client.loop_stop()
        client.disconnect()
    back = subscriber(broker, name)  # the restart: the same client id resumes the session
    try:
        stored = lambda: Observation.objects.filter(datastream=fleet.tilt).count()  # noqa: E731
        assert wait_for(lambda: stored() == BURST, seconds=60), stored()
        assert back[0].stats.failures == 0
    finally:
        halt(*back)


def test_the_subscriber_is_subscribed_only_once_the_broker_says_so(tmp_path):
    """A broker that refuses subscriptions (Mosquitto's own access-control plugin, set to
    deny every subscribe) takes the connection and answers SUBACK "not authorized". The
    subscriber must not report itself subscribed: the command's "Subscribed" line, which a
    supervisor and the benchmark wait for, would mean readings are taken when none are."""
    plugin = next(iter(glob.glob("/usr/lib/*/mosquitto_dynamic_security.so")), None)
    if plugin is None:
        pytest.skip("no Mosquitto access-control plugin here")
    config = tmp_path / "dynsec.json"
    config.write_text(
        json.dumps(
            {
                "defaultACLAccess": {
                    "publishClientSend": True,
                    "publishClientReceive": True,
                    "subscribe": False,
                    "unsubscribe": True,
                },
                "clients": [],
                "groups": [],
                "roles": [],
            }
        )
    )
    # As root, Mosquitto drops to its own user before the plugin reads its file, which it
    # could not open in the test's private directory: it stays the user running the tests.
    extra = f"plugin {plugin}\nplugin_opt_config_file {config}\nuser {getpass.getuser()}\n"
    with _mosquitto(tmp_path, extra=extra) as port:
        sub = Subscriber(f"mqtt://127.0.0.1:{port}", client_id="refused", connections=1)
        sub.start()
        try:
            assert not sub.subscribed.wait(2)
            assert sub.clients[0].is_connected()  # connected, yet not subscribed
        finally:
            sub.stop()
