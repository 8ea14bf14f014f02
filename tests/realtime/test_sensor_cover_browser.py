"""Done when: a tilt sensor on a manhole cover trips over MQTT (the real Mosquitto on
127.0.0.1:1883), one case appears in the grid officer's queue live (a real browser on the real
pages served by daphne, a real Celery worker, real Redis and PostgreSQL), repeated trips add to
it, the cover is fixed (the reading back to normal) and the alarm clears on the case; a street's
carbon page shows this month against last. Also times reading → case over MQTT.
"""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from governance.models import Case, Channel
from sensing.models import Alarm, Meter
from tests.realtime.stack import requirements
from tests.realtime.test_browser import LIVE_QUEUE, chromium, queue_row, sign_in, wait_live
from tests.sensing.fleet import make_fleet
from tests.sensing.rules_helpers import make_rule, make_stream

BROKER = ("127.0.0.1", 1883)
QUEUE = "/work/queue/"


def _broker_up() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.skipif(requirements() is not None, reason=requirements() or ""),
    pytest.mark.skipif(
        not _broker_up(), reason="Mosquitto is not running on 127.0.0.1:1883 (.ci/run starts it)"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_available():
    import shutil

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("needs chromium (CI installs it)")


@pytest.fixture
def subscriber():
    """The MQTT subscriber as production runs it (its own thread and database connection)."""
    from sensing.mqtt import Subscriber

    sub = Subscriber(
        f"mqtt://{BROKER[0]}:{BROKER[1]}",
        client_id=f"scenario-{uuid.uuid4().hex[:8]}",
        batch_size=2000,
        flush_seconds=0.1,
        group=f"scenario-{uuid.uuid4().hex[:8]}",  # no other subscriber shares its messages
        session_expiry=0,
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


class Publisher:
    def __init__(self) -> None:
        import paho.mqtt.client as mqtt

        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.connect(*BROKER)
        self.client.loop_start()

    def tilt(self, stream_id: int, token: str, value: float, at: datetime) -> None:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        properties = Properties(PacketTypes.PUBLISH)
        properties.UserProperty = ("token", token)
        body = {"phenomenonTime": at.isoformat(), "result": value}
        topic = f"v1.1/Datastreams({stream_id})/Observations"
        self.client.publish(topic, json.dumps(body), qos=1, properties=properties).wait_for_publish(
            5
        )

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def off_loop(fn):
    """Run `fn` (database work) in a thread of its own: Playwright's loop runs in this one."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def wait_for(condition, seconds: float = 10.0, step: float = 0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(step)
    return None


def test_a_tilted_cover_opens_one_case_live_and_clears_on_it(
    city, people, stack, browser_available, subscriber
):
    fleet = make_fleet(city)
    make_rule(fleet.tilt, name="井盖倾斜", trip_at=15.0, clear_at=5.0, answers={})
    publisher = Publisher()
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    try:
        with chromium() as context:
            page = context.new_page()
            sign_in(page, stack, "officer_a", QUEUE)
            wait_live(page, LIVE_QUEUE)
            page.evaluate("window.__notReloaded = true")
            assert page.locator(f"{LIVE_QUEUE} a.case-link").count() == 0

            publisher.tilt(fleet.tilt.pk, fleet.cover_token, 2.0, now)
            publisher.tilt(fleet.tilt.pk, fleet.cover_token, 32.0, now + timedelta(seconds=10))
            case = off_loop(
                lambda: wait_for(lambda: Case.objects.filter(channel=Channel.SENSOR).first())
            )
            assert case is not None, (
                "no case from the tilted cover",
                subscriber.stats,
                off_loop(lambda: list(Alarm.objects.values())),
            )
            assert case.grid_id == city.grid_a.pk
            page.wait_for_selector(queue_row(case.tracking_id), timeout=10_000)
            assert page.evaluate("window.__notReloaded") is True

            # Repeated trips (through the hysteresis band and back) add to the one case.
            for i, value in enumerate([10.0, 30.0, 9.0, 35.0]):
                publisher.tilt(
                    fleet.tilt.pk, fleet.cover_token, value, now + timedelta(seconds=20 + 10 * i)
                )
            alarm = off_loop(lambda: wait_for(lambda: Alarm.objects.filter(trip_count=3).first()))
            assert alarm is not None and alarm.case_id == case.pk

            def one_case_with_notes() -> tuple[int, int]:
                return (
                    Case.objects.filter(channel=Channel.SENSOR).count(),
                    case.events.filter(data__sensing="tripped").count(),
                )

            assert off_loop(one_case_with_notes) == (1, 2)

            # The cover is fixed: back to normal, the alarm clears on the case.
            publisher.tilt(fleet.tilt.pk, fleet.cover_token, 1.0, now + timedelta(seconds=90))

            def cleared() -> bool:
                return (
                    bool(wait_for(lambda: Alarm.objects.filter(pk=alarm.pk, active=False).exists()))
                    and case.events.filter(data__sensing="cleared").exists()
                )

            assert off_loop(cleared)
            assert off_loop(lambda: Case.objects.filter(channel=Channel.SENSOR).count()) == 1

            # The officer's case page shows the clearing on the timeline.
            page.goto(f"{stack.http}/work/cases/{case.tracking_id}/")
            assert "告警已解除" in page.inner_text("main")
    finally:
        publisher.close()


def test_reading_to_case_latency_over_mqtt(city, subscriber):
    """Each of 20 covers trips once; the time from publishing to the case existing."""
    fleet = make_fleet(city)
    make_rule(observed_property=fleet.tilt.observed_property, name="井盖倾斜", trip_at=15.0)
    streams = [fleet.tilt]
    for i in range(19):
        stream = make_stream(city, name=f"井盖 L-{i}", prop="tilt", component=fleet.cover.component)
        stream.thing.device = fleet.cover_device
        stream.thing.save(update_fields=["device"])
        streams.append(stream)
    from sensing import directory

    directory.forget()
    publisher = Publisher()
    times = []
    try:
        for i, stream in enumerate(streams):
            at = datetime.now(UTC)
            started = time.monotonic()
            publisher.tilt(stream.pk, fleet.cover_token, 40.0, at)
            found = wait_for(
                lambda s=stream: Alarm.objects.filter(
                    thing_id=s.thing_id, case__isnull=False
                ).exists(),
                step=0.005,
            )
            assert found, f"no case for cover {i}"
            times.append(time.monotonic() - started)
            time.sleep(0.2)
    finally:
        publisher.close()
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"reading → case over MQTT: p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms (n={len(times)})"
    )
    # The target (p95 ≤ 1 s) is measured against the production subscriber by
    # `python -m bench.case_latency` (BENCHMARKS.md); here, on a shared CI machine running other
    # suites beside this one, a loose bound that still catches a case filed late by seconds.
    assert p95 <= 2.5


def test_a_streets_carbon_page_shows_this_month_against_last(
    city, people, stack, browser_available
):
    from sensing import carbon
    from tests.sensing.test_alarm_carbon_pages import hourly

    carbon.seed_factors()
    meter = Meter.objects.create(
        datastream=make_stream(city, name="街道办 电表", prop="electricity", unit="kWh"),
        kind="electricity",
    )
    today = datetime.now(UTC).astimezone().date()
    for n in range(45):
        day = today - timedelta(days=n)
        hourly(meter, day, 10.0)
        carbon.roll_up_day(day)
    with chromium() as context:
        page = context.new_page()
        sign_in(page, stack, "street_leader", f"/work/sensing/carbon/{city.street_a.code}/")
        text = page.inner_text("main")
        assert "本月与上月对比" in text
        this_month = page.inner_text("[data-this-month]")
        assert this_month.strip() not in ("", "0 千克")
        assert page.inner_text("[data-same-days]").strip() not in ("", "0 千克")
