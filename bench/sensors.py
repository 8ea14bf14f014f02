"""Sensors at scale: a simulated fleet publishing readings over HTTP bulk or MQTT.

    python -m bench sensors --setup --devices 10000 --gateways 100
    python -m bench sensors --http --rate 5000 --duration 120 [--faults] [--server [--one-pool]]
    python -m bench sensors --mqtt --rate 2000 --duration 120 [--faults] [--server]
                            [--own-broker] [--subscribers 2]

`--setup` creates (once; again only with more devices) the fleet on the city already in the
database: `--devices` things spread over its grids — manhole-cover tilt sensors, water-level
gauges, bin fill sensors, street lamps, electricity meters — each with one datastream, owned by
`--gateways` devices (credentials; a gateway forwards many sensors, as LoRaWAN/NB-IoT gateways
do; `--gateways` equal to `--devices` gives every sensor its own credential). The tokens go to
var/bench/sensors.json (they are stored hashed: shown once).

Publishing: `--rate` readings a second in total, spread over all sensors, with realistic
values; `--http` posts each gateway's readings of the last second as one CreateObservations
request, `--mqtt` publishes one SensorThings Observation per message (QoS 1) to
`v1.1/Datastreams(<id>)/Observations` on MQTT_URL. `--faults`: a tenth of the tilt sensors
flap around 10°, one gateway goes silent after a third of the run, 0.5 % of readings are bad
(NaN, a time a day ahead, text in a number stream) and must be refused.

`--server` starts the production server (gunicorn + uvicorn, `config.serve`) itself, and for
`--http` the ingest pool beside it as deployed (the same server at Nice=10, which the readings
go to; `--one-pool`: to the web server); `--url` names one already running. `--own-broker`
starts a Mosquitto with deploy/mosquitto.conf, `--subscribers N` N subscriber processes as
deployed (`--ack-after-commit`, a client id each); the MQTT devices publish from a process of
their own at Nice=10 (they are not on the server). While publishing, a side thread files cases
over the API and opens a grid's sensing page and a day's chart, once a second each: their p95
is reported beside the ingest figures (accepted readings a second, counted in the database).
`--trip-probe N` meanwhile trips N covers of the bench's own over MQTT, spread over the run,
and times each reading until its case (`bench.case_latency`): reading → case under ingest.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import secrets
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

KINDS = [
    # (kind, share, observed property, unit symbol, unit name)
    ("manhole-tilt", 0.30, "manhole cover tilt", "°", "degree"),
    ("water-level", 0.10, "water level", "m", "metre"),
    ("bin-fill", 0.25, "bin fill level", "%", "percent"),
    ("lamp-power", 0.20, "street lamp power", "W", "watt"),
    ("electricity-meter", 0.15, "electricity consumption", "kWh", "kilowatt hour"),
]
FLEET_FILE = Path("var/bench/sensors.json")
PREFIX = "sim-"


# --- the fleet ----------------------------------------------------------------------------


def setup(devices: int, gateways: int) -> dict[str, Any]:
    """Create the simulated fleet (idempotent per name) and write its tokens."""
    from django.db import transaction

    from governance.models import Area
    from governance.routing import route_point
    from sensing import directory
    from sensing.models import (
        Datastream,
        Device,
        Location,
        ObservedProperty,
        Sensor,
        Thing,
    )

    rng = random.Random(15)
    grids = list(Area.objects.active().grids().exclude(min_lon=None).order_by("code"))
    if not grids:
        raise SystemExit("No grids in the database: seed the city first (manage.py seed_demo).")
    started = time.monotonic()
    with transaction.atomic():
        Thing.objects.filter(name__startswith=PREFIX).delete()
        Device.objects.filter(name__startswith=PREFIX).delete()
        sensor = Sensor.objects.get_or_create(name=f"{PREFIX}generic sensor")[0]
        properties = {
            kind: ObservedProperty.objects.get_or_create(name=name, defaults={"definition": kind})[
                0
            ]
            for kind, _s, name, _u, _n in KINDS
        }
        tokens = [secrets.token_urlsafe(32) for _ in range(gateways)]
        owners = Device.objects.bulk_create(
            [
                Device(name=f"{PREFIX}gw-{i:05d}", token_hash=Device.hash_token(t))
                for i, t in enumerate(tokens)
            ]
        )
        kinds: list[str] = []
        for kind, share, *_rest in KINDS:
            kinds += [kind] * round(share * devices)
        kinds = (kinds + [KINDS[0][0]] * devices)[:devices]
        rng.shuffle(kinds)
        locations, things = [], []
        for i in range(devices):
            grid = grids[i % len(grids)]
            lon = rng.uniform(grid.min_lon, grid.max_lon)
            lat = rng.uniform(grid.min_lat, grid.max_lat)
            area = route_point(lon, lat)
            locations.append(Location(name=f"{PREFIX}{i:05d}", lon=lon, lat=lat))
            things.append(
                Thing(
                    name=f"{PREFIX}{kinds[i]}-{i:05d}",
                    area=area,
                    device=owners[i % gateways],
                    properties={"kind": kinds[i]},
                )
            )
        Location.objects.bulk_create(locations, batch_size=2000)
        for thing, location in zip(things, locations, strict=True):
            thing.location = location
        Thing.objects.bulk_create(things, batch_size=2000)
        units = {kind: (symbol, name) for kind, _s, _p, symbol, name in KINDS}
        streams = Datastream.objects.bulk_create(
            [
                Datastream(
                    name=thing.properties["kind"],
                    thing=thing,
                    sensor=sensor,
                    observed_property=properties[thing.properties["kind"]],
                    unit_symbol=units[thing.properties["kind"]][0],
                    unit_name=units[thing.properties["kind"]][1],
                )
                for thing in things
            ],
            batch_size=2000,
        )
    directory.forget()
    fleet = {
        "gateways": tokens,
        "sensors": [
            [s.pk, i % gateways, things[i].properties["kind"]] for i, s in enumerate(streams)
        ],
    }
    FLEET_FILE.parent.mkdir(parents=True, exist_ok=True)
    FLEET_FILE.write_text(json.dumps(fleet))
    return {
        "devices": devices,
        "gateways": gateways,
        "grids": len(grids),
        "seconds": round(time.monotonic() - started, 1),
    }


# --- realistic values ---------------------------------------------------------------------


class Readings:
    """Values per sensor kind that move as the real things do."""

    def __init__(self, sensors: list[list[Any]], *, faults: bool, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.sensors = sensors
        self.faults = faults
        self.state: dict[int, float] = {}
        self.flapping = {s[0] for s in sensors[::10] if s[2] == "manhole-tilt"} if faults else set()

    def value(self, stream_id: int, kind: str, moment: datetime) -> Any:
        rng = self.rng
        if self.faults and rng.random() < 0.005:
            return rng.choice([float("nan"), "12", None])  # bad: refused
        hour = moment.hour + moment.minute / 60
        if kind == "manhole-tilt":
            if stream_id in self.flapping:
                return 10.0 + rng.choice([-0.5, 0.5]) + rng.gauss(0, 0.2)
            return abs(rng.gauss(0.8, 0.3))
        if kind == "water-level":
            return round(1.2 + 0.3 * math.sin(hour / 24 * 2 * math.pi) + rng.gauss(0, 0.01), 3)
        if kind == "bin-fill":
            level = self.state.get(stream_id, rng.uniform(0, 60)) + rng.uniform(0, 0.05)
            self.state[stream_id] = 5.0 if level > 100 else level
            return round(self.state[stream_id], 1)
        if kind == "lamp-power":
            on = hour >= 18 or hour < 6
            return round(rng.gauss(80, 2), 1) if on else 0.0
        total = self.state.get(stream_id, rng.uniform(1000, 50000)) + rng.uniform(0, 0.02)
        self.state[stream_id] = total
        return round(total, 3)

    def time(self, moment: datetime) -> str:
        if self.faults and self.rng.random() < 0.001:
            moment = moment + timedelta(days=1)  # a clock far ahead: refused
        return moment.isoformat().replace("+00:00", "Z")


# --- publishing ---------------------------------------------------------------------------


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.errors = 0
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = defaultdict(int)


def _schedule(sensors: list[list[Any]], rate: float, duration: float):
    """Per second of the run: which sensors read (each sensor every N/rate seconds, offset)."""
    n = len(sensors)
    per_second = max(1, int(rate))
    for second in range(int(duration)):
        start = (second * per_second) % n
        picked = [sensors[(start + k) % n] for k in range(per_second)]
        yield second, picked


def publish_http(
    url: str,
    fleet: dict,
    *,
    rate: float,
    duration: float,
    faults: bool,
    interval: int = 5,
    threads: int = 8,
) -> dict[str, Any]:
    parts = urlsplit(url)
    tokens = fleet["gateways"]
    readings = Readings(fleet["sensors"], faults=faults)
    silent = 0 if faults else None
    counter = Counter()
    work: list[list[tuple[int, list]]] = [[] for _ in range(threads)]
    lock = threading.Condition()
    done = threading.Event()

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while not done.is_set() or work[index]:
            with lock:
                while not work[index] and not done.is_set():
                    lock.wait(0.5)
                if not work[index]:
                    continue
                gateway, rows = work[index].pop(0)
            body = json.dumps(rows)
            started = time.monotonic()
            try:
                conn.request(
                    "POST",
                    "/sta/v1.1/CreateObservations",
                    body=body,
                    headers={
                        "Authorization": f"Bearer {tokens[gateway]}",
                        "Content-Type": "application/json",
                        "Host": "127.0.0.1",
                    },
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                status = 0
            with counter.lock:
                counter.latencies.append(time.monotonic() - started)
                counter.statuses[status] += 1

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in pool:
        thread.start()
    began = time.monotonic()
    by_gateway: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for second, picked in _schedule(fleet["sensors"], rate, duration):
        now = datetime.now(UTC)
        for stream_id, gateway, kind in picked:
            if silent is not None and gateway == silent and second > duration / 3:
                continue
            by_gateway[gateway][stream_id].append(
                [readings.time(now), readings.value(stream_id, kind, now)]
            )
        # Each gateway uploads what it collected every `interval` seconds (gateways staggered).
        due = [
            g
            for g in by_gateway
            if (g + second) % interval == interval - 1 or second == int(duration) - 1
        ]
        with lock:
            for k, gateway in enumerate(due):
                streams = by_gateway.pop(gateway)
                rows = [
                    {
                        "Datastream": {"@iot.id": stream_id},
                        "components": ["phenomenonTime", "result"],
                        "dataArray": values,
                    }
                    for stream_id, values in streams.items()
                ]
                work[k % threads].append((gateway, rows))
                counter.sent += sum(len(v) for v in streams.values())
            lock.notify_all()
        sleep = began + second + 1 - time.monotonic()
        if sleep > 0:
            time.sleep(sleep)
    done.set()
    with lock:
        lock.notify_all()
    for thread in pool:
        thread.join(60)
    from bench.stats import summary

    return {
        "sent": counter.sent,
        "wall_s": time.monotonic() - began,
        "requests": summary(counter.latencies),
        "statuses": dict(counter.statuses),
    }


def publish_mqtt(
    broker_url: str, fleet: dict, *, rate: float, duration: float, faults: bool, clients: int = 2
) -> dict[str, Any]:
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from sensing.mqtt import parse_url

    where = parse_url(broker_url)
    tokens = fleet["gateways"]
    props = []
    for token in tokens:
        p = Properties(PacketTypes.PUBLISH)
        p.UserProperty = ("token", token)
        props.append(p)
    pubs = []
    for i in range(clients):
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-sim-{i}", protocol=mqtt.MQTTv5
        )
        client.max_inflight_messages_set(5000)
        client.max_queued_messages_set(0)
        client.connect(where["host"], where["port"])
        client.loop_start()
        pubs.append(client)
    readings = Readings(fleet["sensors"], faults=faults)
    silent = 0 if faults else None
    sent = 0
    began = time.monotonic()
    last = None
    for second, picked in _schedule(fleet["sensors"], rate, duration):
        now = datetime.now(UTC)
        for k, (stream_id, gateway, kind) in enumerate(picked):
            if silent is not None and gateway == silent and second > duration / 3:
                continue
            body = {
                "phenomenonTime": readings.time(now),
                "result": readings.value(stream_id, kind, now),
            }
            last = pubs[k % clients].publish(
                f"v1.1/Datastreams({stream_id})/Observations",
                json.dumps(body),
                qos=1,
                properties=props[gateway],
            )
            sent += 1
        sleep = began + second + 1 - time.monotonic()
        if sleep > 0:
            time.sleep(sleep)
    if last is not None:
        last.wait_for_publish(30)
    for client in pubs:
        client.loop_stop()
        client.disconnect()
    return {"sent": sent, "wall_s": time.monotonic() - began}


def _publish_niced(broker_url: str, fleet: dict, rate: float, duration: float, faults: bool):
    os.nice(10)
    import django

    django.setup()
    return publish_mqtt(broker_url, fleet, rate=rate, duration=duration, faults=faults)


def publish_mqtt_elsewhere(
    broker_url: str, fleet: dict, *, rate: float, duration: float, faults: bool
) -> dict[str, Any]:
    """`publish_mqtt` from a process of its own at Nice=10: the devices are not on the
    server, so their side yields the CPU to the server's (as the patrol benchmark's phones)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_publish_niced, broker_url, fleet, rate, duration, faults).result()


# --- what else answers meanwhile ------------------------------------------------------------


class SideLoad(threading.Thread):
    """Files a case over the API and opens a sensing page and a chart, once a second each."""

    def __init__(self, url: str, token: str, session: str, area_id: int, stream_id: int, body):
        super().__init__(daemon=True)
        self.url = urlsplit(url)
        self.token, self.session = token, session
        self.area_id, self.stream_id, self.body = area_id, stream_id, body
        self.stop = threading.Event()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.redirects: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def _call(self, name: str, method: str, path: str, body: Any = None, headers=None) -> None:
        conn = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=30)
        started = time.monotonic()
        try:
            conn.request(
                method,
                path,
                body=json.dumps(body) if body is not None else None,
                headers={"Host": "127.0.0.1", **(headers or {})},
            )
            response = conn.getresponse()
            response.read()
            status = response.status
            if 300 <= status < 400:  # where to: a sign-in page means the session was lost
                self.redirects[name][response.getheader("Location", "")] += 1
        except OSError:
            status = 0
        finally:
            conn.close()
        self.times[name].append(time.monotonic() - started)
        self.statuses[name][status] += 1

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            started = time.monotonic()
            self._call(
                "filing",
                "POST",
                "/api/v1/cases/",
                self.body(i),
                {"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            )
            cookie = {"Cookie": f"sessionid={self.session}"}
            self._call("grid_page", "GET", f"/sensing/areas/{self.area_id}/", headers=cookie)
            self._call(
                "day_chart", "GET", f"/sensing/datastreams/{self.stream_id}/", headers=cookie
            )
            i += 1
            self.stop.wait(max(0.0, 1.0 - (time.monotonic() - started)))

    def figures(self) -> dict[str, Any]:
        from bench.stats import summary

        return {
            name: {
                **summary(values),
                "statuses": dict(self.statuses[name]),
                **({"redirects": dict(self.redirects[name])} if self.redirects[name] else {}),
            }
            for name, values in self.times.items()
        }


class _TripProbe(threading.Thread):
    """Trips covers of its own while the fleet publishes: reading → case under ingest."""

    def __init__(self, broker_url: str, n: int, duration: float) -> None:
        from bench.case_latency import Covers

        super().__init__(daemon=True)
        self.broker_url, self.pause = broker_url, max(0.3, duration / n - 0.5)
        self.covers = Covers(n)
        self.stop = threading.Event()
        self.times: list[float | None] = []

    def run(self) -> None:
        self.stop.wait(5.0)  # the fleet publishing first
        self.times = self.covers.probe(self.broker_url, self.pause, self.stop)

    def figures(self) -> dict[str, Any]:
        from bench.case_latency import latency_summary

        self.covers.delete()
        return latency_summary(self.times)


def _side_load(url: str, fleet: dict) -> SideLoad:
    from bench.http import api_token, session_cookie
    from citizens.models import User
    from governance.models import Category
    from sensing.models import Datastream

    stream = Datastream.objects.select_related("thing").get(pk=fleet["sensors"][0][0])
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        admin = User.objects.create_superuser("bench-sensors-admin", None, secrets.token_urlsafe())
    citizen = User.objects.filter(is_superuser=False, is_staff=False).order_by("pk").first()
    # A category that asks no required question (the filing is what is timed, not answering).
    category = (
        Category.objects.filter(active=True)
        .exclude(questions__required=True)
        .order_by("family", "code")
        .first()
    )
    lon, lat = stream.thing.location.lon, stream.thing.location.lat

    def body(i: int) -> dict[str, Any]:
        return {
            "service_code": category.code,
            "category": category.code,
            "description": f"井盖松动 — bench sensors {i}",
            "lon": lon,
            "lat": lat,
        }

    return SideLoad(
        url, api_token(citizen), session_cookie(admin), stream.thing.area_id, stream.pk, body
    )


def _observation_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sensing_observation")
        return cursor.fetchone()[0]


def chart_timing(stream_id: int, repeats: int = 50) -> dict[str, Any]:
    """A day's chart of one datastream from rollups, in this process (query + drawing)."""
    from bench.stats import summary, timed
    from sensing.charts import datastream_chart
    from sensing.models import Datastream

    stream = Datastream.objects.get(pk=stream_id)
    samples, _wall = timed(lambda: datastream_chart(stream, span="day"), repeats)
    return summary(samples)


@contextmanager
def own_broker():
    """Mosquitto with deploy/mosquitto.conf on a free port while the block runs; its URL."""
    import socket
    import subprocess
    import tempfile

    from django.conf import settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    conf = Path(settings.BASE_DIR) / "deploy" / "mosquitto.conf"
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as handle:
        handle.write(conf.read_text() + f"\nlistener {port} 127.0.0.1\nallow_anonymous true\n")
    process = subprocess.Popen(["mosquitto", "-c", handle.name])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
        os.unlink(handle.name)


@contextmanager
def subscribers(broker_url: str, n: int):
    """`n` subscriber processes as deployed (deploy/grid-sensing-mqtt@.service)."""
    import subprocess

    from django.conf import settings

    env = {**os.environ, "MQTT_URL": broker_url, "SECRET_KEY": settings.SECRET_KEY}
    processes = [
        subprocess.Popen(
            [
                "nice",  # as deployed: Nice=10
                "-n",
                "10",
                sys.executable,
                "manage.py",
                "run_mqtt_subscriber",
                "--ack-after-commit",
                "--client-id",
                f"bench-sensing-{i}",
            ],
            env=env,
            cwd=str(settings.BASE_DIR),
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(n)
    ]
    try:
        for process in processes:  # set up, warmed up (the grid index), subscribed
            for line in process.stdout:
                if line.startswith("Subscribed"):
                    break
        time.sleep(2)  # each of its connections subscribed
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
            print(process.stdout.read(), end="")  # what it stored, how long batches took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench sensors", description=__doc__)
    parser.add_argument("--setup", action="store_true", help="create the simulated fleet")
    parser.add_argument("--devices", type=int, default=10000)
    parser.add_argument("--gateways", type=int, default=100)
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--http", action="store_true")
    how.add_argument("--mqtt", action="store_true")
    parser.add_argument("--rate", type=float, default=1000, help="readings a second, in all")
    parser.add_argument("--duration", type=float, default=60, help="seconds")
    parser.add_argument("--faults", action="store_true")
    parser.add_argument(
        "--interval", type=int, default=5, help="HTTP: a gateway uploads every N seconds"
    )
    parser.add_argument("--url", help="a running server (default with --server: one started)")
    parser.add_argument("--server", action="store_true", help="start the production server")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-side-load", action="store_true")
    parser.add_argument(
        "--one-pool",
        action="store_true",
        help="HTTP with --server: post the readings to the web server itself, not to an "
        "ingest pool beside it (deploy/grid-ingest@.service)",
    )
    parser.add_argument(
        "--subscribers",
        type=int,
        default=0,
        help="MQTT: start this many run_mqtt_subscriber processes (as deployed: "
        "--ack-after-commit, one client id each); 0: one is already running",
    )
    parser.add_argument(
        "--own-broker",
        action="store_true",
        help="MQTT: start a Mosquitto of the run's own with deploy/mosquitto.conf",
    )
    parser.add_argument(
        "--trip-probe",
        type=int,
        default=0,
        metavar="N",
        help="MQTT: meanwhile trip N covers of the bench's own, spread over the run, and time "
        "each reading until its case (bench.case_latency)",
    )
    parser.add_argument("--output", default="var/bench/sensors-result.json")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    result: dict[str, Any] = {"args": vars(args)}
    if args.setup:
        result["setup"] = setup(args.devices, args.gateways)
        print(json.dumps(result["setup"]))
    if not (args.http or args.mqtt):
        return 0
    fleet = json.loads(FLEET_FILE.read_text())
    if args.http and not (args.url or args.server):
        parser.error("--http needs --url or --server")
    from contextlib import ExitStack, nullcontext

    from bench.http import server

    serving = server(args.workers) if args.server else nullcontext((args.url, None))
    with serving as (url, _process), ExitStack() as around:
        ingest_url = url
        if args.http and args.server and not args.one_pool:
            # As deployed: the readings go to the ingest pool, pages and filing to the web.
            ingest_url, _ = around.enter_context(server(args.workers, nice=10))
        result["pools"] = "web + ingest (nice 10)" if ingest_url != url else "one"
        broker_url = None
        if args.mqtt:
            from django.conf import settings

            broker_url = settings.MQTT_URL
            if args.own_broker:
                broker_url = around.enter_context(own_broker())
            if args.subscribers:
                around.enter_context(subscribers(broker_url, args.subscribers))
            if not broker_url:
                parser.error("--mqtt needs MQTT_URL or --own-broker (and subscribers running)")
        side = None
        if url and not args.no_side_load:
            side = _side_load(url, fleet)
            side.start()
        probe = None
        if args.mqtt and args.trip_probe:
            probe = _TripProbe(broker_url, args.trip_probe, args.duration)
            probe.start()
        before, began = _observation_count(), time.monotonic()
        counts: list[tuple[float, int]] = []
        sampling = threading.Event()

        def sample() -> None:  # the stored count every 5 s: the sustained rate, not a burst
            from django.db import connection

            while not sampling.wait(5.0):
                counts.append((time.monotonic() - began, _observation_count() - before))
            connection.close()

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        if args.http:
            result["publish"] = publish_http(
                ingest_url,
                fleet,
                rate=args.rate,
                duration=args.duration,
                faults=args.faults,
                interval=args.interval,
            )
        else:
            result["publish"] = publish_mqtt_elsewhere(
                broker_url, fleet, rate=args.rate, duration=args.duration, faults=args.faults
            )
        published_at = time.monotonic() - began
        stored_when_published = _observation_count() - before
        previous = -1
        for _ in range(300):  # until the last readings are stored
            now_count = _observation_count()
            if now_count == previous:
                break
            previous = now_count
            time.sleep(1.0)
        stored = _observation_count() - before
        finished = time.monotonic() - began - 1.0
        sampling.set()
        if side is not None:
            side.stop.set()
            side.join(30)
            result["during"] = side.figures()
        if probe is not None:
            probe.stop.set()
            probe.join(30)
            result["reading_to_case"] = probe.figures()
    result["stored"] = stored
    result["publish_seconds"] = round(published_at, 1)
    result["stored_while_publishing_per_s"] = round(stored_when_published / published_at)
    result["all_stored_after_s"] = round(finished, 1)
    result["stored_per_s"] = round(stored / max(finished, published_at))
    result["samples"] = counts
    result["chart_day_in_process"] = chart_timing(fleet["sensors"][0][0])
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
