"""Reading → case latency through the production MQTT subscriber.

    DATABASE_URL=postgresql://… REDIS_URL=redis://… MQTT_URL=mqtt://127.0.0.1:1883 \\
        python -m bench.case_latency [--covers 30] [--flush-seconds 0.5]

On a migrated database with the demo city (`manage.py seed_demo`): makes `--covers` manhole
covers with tilt sensors (one device) in a demo grid and a tilt rule, starts
`manage.py run_mqtt_subscriber` as production runs it (its own process, `config.settings`),
publishes one tripping reading per cover, one every 300 ms, and times from the publish until the
cover's alarm has its case (polled every 5 ms). Prints p50, p95 and max; deletes what it made.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.case_latency", description=__doc__)
    parser.add_argument("--covers", type=int, default=30)
    parser.add_argument("--flush-seconds", type=float, default=None)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import paho.mqtt.client as mqtt
    from django.conf import settings
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from governance.models import Area, Case, Category, Level
    from sensing.models import Alarm, Datastream, Location, ObservedProperty, Rule, Sensor, Thing
    from sensing.mqtt import parse_url
    from sensing.things import new_device

    if not settings.MQTT_URL:
        print("set MQTT_URL (and DATABASE_URL, REDIS_URL as production does)", file=sys.stderr)
        return 2
    grid = Area.objects.filter(level=Level.GRID, min_lon__isnull=False).order_by("code").first()
    category = Category.objects.filter(code="component-0102").first()
    if grid is None or category is None:
        print("load the demo city first: manage.py seed_demo", file=sys.stderr)
        return 2
    tag = uuid.uuid4().hex[:6]
    device, token = new_device(name=f"bench-latency-{tag}")
    prop = ObservedProperty.objects.create(name=f"bench tilt {tag}")
    sensor = Sensor.objects.create(name=f"bench {tag}")
    rule = Rule.objects.create(
        name=f"bench tilt {tag}",
        kind="threshold",
        observed_property=prop,
        trip_at=15.0,
        clear_at=5.0,
        category=category,
        answers={"damage": ["loose"]},
    )
    lon = (grid.min_lon + grid.max_lon) / 2
    lat = (grid.min_lat + grid.max_lat) / 2
    streams = []
    for i in range(options.covers):
        location = Location.objects.create(name=f"bench {tag} {i}", lon=lon, lat=lat)
        thing = Thing.objects.create(
            name=f"bench cover {tag}-{i}", location=location, area=grid, device=device
        )
        streams.append(
            Datastream.objects.create(
                name="tilt", thing=thing, sensor=sensor, observed_property=prop, unit_symbol="°"
            )
        )
    # As deployed (deploy/grid-sensing-mqtt@.service): Nice=10, acknowledged after commit.
    command = [
        *("nice", "-n", "10", sys.executable, "manage.py", "run_mqtt_subscriber"),
        *("--ack-after-commit", "--client-id", f"bench-{tag}"),
    ]
    if options.flush_seconds is not None:
        command += ["--flush-seconds", str(options.flush_seconds)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    log = open(ROOT / "var" / f"bench-latency-{tag}.log", "w")  # noqa: SIM115 (closed below)
    subscriber = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    times: list[float] = []
    try:
        time.sleep(5.0)  # connected and subscribed
        if subscriber.poll() is not None:
            print("the subscriber did not start: see", log.name, file=sys.stderr)
            return 1
        broker = parse_url(settings.MQTT_URL)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.connect(broker["host"], broker["port"])
        client.loop_start()
        properties = Properties(PacketTypes.PUBLISH)
        properties.UserProperty = ("token", token)
        for stream in streams:
            body = json.dumps({"phenomenonTime": datetime.now(UTC).isoformat(), "result": 40.0})
            started = time.monotonic()
            client.publish(
                f"v1.1/Datastreams({stream.pk})/Observations", body, qos=1, properties=properties
            )
            while time.monotonic() - started < 10:
                if Alarm.objects.filter(thing_id=stream.thing_id, case__isnull=False).exists():
                    times.append(time.monotonic() - started)
                    break
                time.sleep(0.005)
            time.sleep(0.3)
        client.loop_stop()
        client.disconnect()
    finally:
        subscriber.terminate()
        subscriber.wait(10)
        log.close()
        case_ids = list(Alarm.objects.filter(rule=rule).values_list("case_id", flat=True))
        Alarm.objects.filter(rule=rule).delete()
        Case.objects.filter(pk__in=[c for c in case_ids if c]).delete()  # the bench's own
        rule.delete()
        Thing.objects.filter(device=device).delete()
    if not times:
        print("no case appeared", file=sys.stderr)
        return 1
    times.sort()
    p95 = times[round(0.95 * (len(times) - 1))]
    print(
        f"reading → case over MQTT (production subscriber): n={len(times)}/{len(streams)}, "
        f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {times[-1] * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
