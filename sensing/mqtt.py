"""The MQTT path: readings published to `v1.1/Datastreams(<id>)/Observations` are stored.

`Subscriber` connects to the broker named by `MQTT_URL` (a persistent session, QoS 1, a fixed
client id, so the broker keeps what arrives while the subscriber is away), collects messages in
memory and stores them in one bulk transaction (`sensing.ingest.store_from_devices`) when
`batch_size` messages are waiting or `flush_seconds` have passed since the last batch began; a
batch that fails (the database away) is kept and tried again. paho reconnects by itself (1 s,
doubling to 30 s); each (re)connection subscribes again.

Acknowledging: by default a message is acknowledged (PUBACK) as it arrives, so the broker
streams at full speed; what a killed subscriber held in memory (at most one batch, about
`flush_seconds` of readings) is lost. `ack_after_commit` (`--ack-after-commit`) acknowledges
only after the batch is committed, so nothing is lost even then (the broker delivers it again;
duplicates are ignored on insert); the deployed units use it (deploy/grid-sensing-mqtt@.service),
with the broker's queue raised (deploy/mosquitto.conf: Mosquitto's default keeps 1,000 messages
a session and drops the rest while a subscriber is away). Several processes, each with its own
client id, share the subscription: one per core (measured: BENCHMARKS.md, Sensing).

A message is one SensorThings Observation as JSON (`{"phenomenonTime", "result",
"resultTime"}`) or an array of them. The device proves who it is with its token, as MQTT 5 user
property `token` or in the observation's `parameters.token` (MQTT 3.1.1); the token is never
stored. A message without a valid token is refused and counted (`stats.unauthenticated`).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection

from sensing import directory
from sensing.ingest import RawReading, store_from_devices

logger = logging.getLogger(__name__)

# MQTT wildcards cover whole levels only: "Datastreams(+)" is not a filter, so the subscriber
# takes every v1.1 topic and keeps those of the SensorThings form.
TOPIC_FILTER = "v1.1/#"
_TOPIC = re.compile(r"^v1\.1/Datastreams\((\d+)\)/Observations$")


@dataclass
class Stats:
    received: int = 0
    accepted: int = 0
    duplicates: int = 0
    refused: int = 0
    unauthenticated: int = 0
    malformed: int = 0
    batches: int = 0
    failures: int = 0
    last_error: str = ""
    flush_seconds: list[float] = field(default_factory=list)


def parse_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or (8883 if parts.scheme == "mqtts" else 1883),
        "tls": parts.scheme == "mqtts",
        "username": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
    }


def _token(message: Any, observation: dict[str, Any]) -> str | None:
    properties = getattr(message, "properties", None)
    for name, value in getattr(properties, "UserProperty", None) or []:
        if name == "token":
            return value
    parameters = observation.get("parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("token"), str):
        return parameters["token"]
    return None


class Subscriber:
    def __init__(
        self,
        url: str,
        *,
        client_id: str | None = None,
        batch_size: int = 2000,
        flush_seconds: float = 0.5,
        ack_after_commit: bool = False,
        connections: int = 4,
        group: str = "grid-sensing",
        session_expiry: int = 3600,
    ) -> None:
        self.url = parse_url(url)
        self.batch_size = batch_size
        self.ack_after_commit = ack_after_commit
        self.flush_seconds = flush_seconds
        self.stats = Stats()
        # Set once every connection's subscription is acknowledged by the broker (SUBACK):
        # from then on nothing published is missed. Cleared while any connection is down.
        self.subscribed = threading.Event()
        self._pending: list[Any] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stop = threading.Event()
        self.session_expiry = session_expiry
        self.connections = max(1, connections)
        self.group = group
        base = client_id or f"grid-sensing-{socket.gethostname()}"
        self.clients = [self._client(f"{base}-{i}") for i in range(self.connections)]
        self._up: set[int] = set()

    def _client(self, client_id: str) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=self.ack_after_commit,
        )
        if self.url["username"]:
            client.username_pw_set(self.url["username"], self.url["password"])
        if self.url["tls"]:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    @property
    def topic_filter(self) -> str:
        # A shared subscription: the broker spreads the messages over the connections (and
        # over several subscriber processes), each with its own window of messages in flight.
        return f"$share/{self.group}/{TOPIC_FILTER}"

    # --- the network thread ---------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT connection refused: %s", reason_code)
            return
        client.subscribe(self.topic_filter, qos=1)
        logger.info("MQTT connected to %s:%s", self.url["host"], self.url["port"])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        refused = [code for code in reason_codes if code.is_failure]
        if refused:
            logger.warning("MQTT subscription to %s refused: %s", self.topic_filter, refused)
            return
        with self._lock:
            self._up.add(id(client))
            if len(self._up) == self.connections:
                self.subscribed.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        with self._lock:
            self._up.discard(id(client))
            self.subscribed.clear()
        if not self._stop.is_set():
            logger.warning("MQTT disconnected (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message) -> None:
        with self._arrived:
            self._pending.append((client, message))
            if len(self._pending) >= self.batch_size:
                self._arrived.notify()

    # --- the storing thread ---------------------------------------------------------------

    def start(self) -> None:
        for client in self.clients:
            client.connect_async(
                self.url["host"],
                self.url["port"],
                keepalive=30,
                clean_start=False,
                properties=self._session_properties(self.session_expiry),
            )
            client.loop_start()

    @staticmethod
    def _session_properties(expiry: int) -> Any:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = expiry  # the broker keeps our queue that long
        # Acknowledged only after commit: let the broker have many unacknowledged in flight.
        properties.ReceiveMaximum = 65535  # (Mosquitto caps it at its max_inflight_messages)
        return properties

    def stop(self) -> None:
        self._stop.set()
        with self._arrived:
            self._arrived.notify()
        self.flush()
        for client in self.clients:
            client.disconnect()
            client.loop_stop()

    def run(self, *, until: threading.Event | None = None) -> None:
        """Store batches until `until` (or stop) is set."""
        stop = until or self._stop
        # Batches start every `flush_seconds` (sooner when `batch_size` are waiting), counted
        # from the start of the last one: a reading waits at most that, plus one batch's
        # storing, however long storing takes under load.
        due = time.monotonic() + self.flush_seconds
        try:
            while not stop.is_set() and not self._stop.is_set():
                with self._arrived:
                    if len(self._pending) < self.batch_size:
                        self._arrived.wait(max(0.0, due - time.monotonic()))
                due = time.monotonic() + self.flush_seconds
                self.flush()
        finally:
            connection.close()  # this thread's own connection

    def flush(self) -> int:
        """Store what is waiting; acknowledge it once committed. Returns how many stored."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        started = time.monotonic()
        by_device: dict[int | None, list[RawReading]] = {}
        for _client, message in batch:
            self._collect(message, by_device)
        try:
            close_old_connections()
            outcome = store_from_devices(list(by_device.items()))
        except Exception as error:  # the database is away: keep them, try again
            logger.exception("storing an MQTT batch failed; kept for the next try")
            self.stats.failures += 1
            self.stats.last_error = str(error)[:300]
            with self._lock:
                self._pending[:0] = batch
            time.sleep(1.0)
            return 0
        if self.ack_after_commit:
            for client, message in batch:
                if message.qos > 0:
                    client.ack(message.mid, message.qos)
        self.stats.batches += 1
        self.stats.accepted += outcome.accepted
        self.stats.duplicates += outcome.duplicates
        self.stats.refused += len(outcome.refused)
        self.stats.flush_seconds.append(time.monotonic() - started)
        del self.stats.flush_seconds[:-1000]
        return outcome.accepted

    def _collect(self, message: Any, by_device: dict[int | None, list[RawReading]]) -> None:
        self.stats.received += 1
        match = _TOPIC.match(message.topic)
        if not match:
            self.stats.malformed += 1
            return
        stream_id = int(match.group(1))
        try:
            body = json.loads(message.payload)
        except (ValueError, UnicodeDecodeError):
            self.stats.malformed += 1
            return
        for observation in body if isinstance(body, list) else [body]:
            if not isinstance(observation, dict):
                self.stats.malformed += 1
                continue
            token = _token(message, observation)
            device_id = directory.device_for_token(token) if token else None
            if device_id is None:
                self.stats.unauthenticated += 1
                continue
            by_device.setdefault(device_id, []).append(
                RawReading(
                    stream_id,
                    observation.get("result"),
                    observation.get("phenomenonTime"),
                    observation.get("resultTime"),
                )
            )
