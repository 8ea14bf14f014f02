"""Reading → case latency through the production MQTT subscriber.

    DATABASE_URL=postgresql://… REDIS_URL=redis://… MQTT_URL=mqtt://127.0.0.1:1883 \\
        python -m bench.case_latency [--covers 30] [--flush-seconds 0.5]

On a migrated database with a city (the demo city, `manage.py seed_demo`, or the benchmark's):
makes `--covers` manhole covers with tilt sensors (one device) in a grid and a tilt rule,
starts `manage.py run_mqtt_subscriber` as production runs it (its own process,
`config.settings`, Nice=10, acknowledged after commit), publishes one tripping reading per
cover, one every 300 ms, and times from the publish until the cover's alarm has its case
(polled every 5 ms). Prints p50, p95 and max; deletes what it made.

`python -m bench sensors --mqtt … --trip-probe N` runs the same probe while the fleet's readings
stream in (the latency under ingest).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


class Covers:
    """The bench's manhole covers, each with a tilt datastream, in one grid, and a tilt rule
    that opens a case (the demo city's manhole-cover category, or any category that asks no
    required question)."""

    def __init__(self, n: int) -> None:
        from governance.models import Area, Category, Level
        from sensing.models import Datastream, Location, ObservedProperty, Rule, Sensor, Thing
        from sensing.things import new_device

        grid = Area.objects.filter(level=Level.GRID, min_lon__isnull=False).order_by("code")
        grid = grid.first()
        category = Category.objects.filter(code="component-0102").first()
        answers: dict[str, Any] = {"damage": ["loose"]}
        if category is None:
            category = (
                Category.objects.filter(active=True)
                .exclude(questions__required=True)
                .order_by("family", "code")
                .first()
            )
            answers = {}
        if grid is None or category is None:
            raise SystemExit("load a city first (manage.py seed_demo, or python -m bench city)")
        tag = uuid.uuid4().hex[:6]
        self.device, self.token = new_device(name=f"bench-latency-{tag}")
        prop = ObservedProperty.objects.create(name=f"bench tilt {tag}")
        sensor = Sensor.objects.create(name=f"bench {tag}")
        self.rule = Rule.objects.create(
            name=f"bench tilt {tag}",
            kind="threshold",
            observed_property=prop,
            trip_at=15.0,
            clear_at=5.0,
            category=category,
            answers=answers,
        )
        lon = (grid.min_lon + grid.max_lon) / 2
        lat = (grid.min_lat + grid.max_lat) / 2
        self.streams = []
        for i in range(n):
            location = Location.objects.create(name=f"bench {tag} {i}", lon=lon, lat=lat)
            thing = Thing.objects.create(
                name=f"bench cover {tag}-{i}", location=location, area=grid, device=self.device
            )
            self.streams.append(
                Datastream.objects.create(
                    name="tilt", thing=thing, sensor=sensor, observed_property=prop, unit_symbol="°"
                )
            )
        self.tag, self.props = tag, (prop, sensor)

    def probe(self, broker_url: str, pause: float, stop: threading.Event | None = None):
        """Trips each cover in turn over MQTT, `pause` seconds apart; the seconds from each
        publish until its alarm had a case (None where none came within 10 s)."""
        import paho.mqtt.client as mqtt
        from django.db import connection
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        from sensing.models import Alarm
        from sensing.mqtt import parse_url

        broker = parse_url(broker_url)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.connect(broker["host"], broker["port"])
        client.loop_start()
        properties = Properties(PacketTypes.PUBLISH)
        properties.UserProperty = ("token", self.token)
        times: list[float | None] = []
        try:
            for stream in self.streams:
                if stop is not None and stop.is_set():
                    break
                body = json.dumps({"phenomenonTime": datetime.now(UTC).isoformat(), "result": 40.0})
                started = time.monotonic()
                client.publish(
                    f"v1.1/Datastreams({stream.pk})/Observations",
                    body,
                    qos=1,
                    properties=properties,
                )
                took = None
                while time.monotonic() - started < 10:
                    if Alarm.objects.filter(thing_id=stream.thing_id, case__isnull=False).exists():
                        took = time.monotonic() - started
                        break
                    time.sleep(0.005)
                times.append(took)
                (stop or threading.Event()).wait(pause)
        finally:
            client.loop_stop()
            client.disconnect()
            connection.close()
        return times

    def delete(self) -> None:
        from governance.models import Case
        from sensing.models import Alarm, Thing

        case_ids = list(Alarm.objects.filter(rule=self.rule).values_list("case_id", flat=True))
        Alarm.objects.filter(rule=self.rule).delete()
        Case.objects.filter(pk__in=[c for c in case_ids if c]).delete()  # the bench's own
        self.rule.delete()
        Thing.objects.filter(device=self.device).delete()
        for made in self.props:
            made.delete()
        self.device.delete()


def latency_summary(times: list[float | None]) -> dict[str, Any]:
    arrived = sorted(t for t in times if t is not None)
    if not arrived:
        return {"n": 0, "tripped": len(times)}
    return {
        "n": len(arrived),
        "tripped": len(times),
        "p50_ms": round(statistics.median(arrived) * 1000),
        "p95_ms": round(arrived[round(0.95 * (len(arrived) - 1))] * 1000),
        "max_ms": round(arrived[-1] * 1000),
        "each_ms": [None if t is None else round(t * 1000) for t in times],  # in trip order
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.case_latency", description=__doc__)
    parser.add_argument("--covers", type=int, default=30)
    parser.add_argument("--flush-seconds", type=float, default=None)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    if not settings.MQTT_URL:
        print("set MQTT_URL (and DATABASE_URL, REDIS_URL as production does)", file=sys.stderr)
        return 2
    covers = Covers(options.covers)
    # As deployed (deploy/grid-sensing-mqtt@.service): Nice=10, acknowledged after commit.
    command = [
        *("nice", "-n", "10", sys.executable, "manage.py", "run_mqtt_subscriber"),
        # A fixed client id: each run takes over the last one's sessions (a new id each run would
        # leave sessions behind in the shared subscription, which the broker keeps sending to).
        *("--ack-after-commit", "--client-id", "bench-latency"),
    ]
    if options.flush_seconds is not None:
        command += ["--flush-seconds", str(options.flush_seconds)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    log = open(ROOT / "var" / f"bench-latency-{covers.tag}.log", "w")  # noqa: SIM115 (closed below)
    subscriber = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(5.0)  # connected and subscribed
        if subscriber.poll() is not None:
            print("the subscriber did not start: see", log.name, file=sys.stderr)
            return 1
        times = covers.probe(settings.MQTT_URL, pause=0.3)
    finally:
        subscriber.terminate()
        subscriber.wait(10)
        log.close()
        covers.delete()
    figures = latency_summary(times)
    if not figures["n"]:
        print("no case appeared", file=sys.stderr)
        return 1
    print(
        f"reading → case over MQTT (production subscriber): n={figures['n']}/{len(times)}, "
        f"p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, max {figures['max_ms']} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
