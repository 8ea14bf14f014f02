"""Store the readings published over MQTT (`MQTT_URL`): run supervised, like the Celery worker
(deploy/grid-sensing-mqtt@.service: one instance per core, each with its own --client-id)."""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from governance import warm
from sensing.mqtt import Subscriber


class Command(BaseCommand):
    help = "Subscribe to v1.1/Datastreams(<id>)/Observations on MQTT_URL and store the readings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--flush-seconds", type=float, default=0.5)
        parser.add_argument("--client-id", default=None)
        parser.add_argument(
            "--connections",
            type=int,
            default=4,
            help="connections sharing the subscription (each has its own in-flight window)",
        )
        parser.add_argument(
            "--ack-after-commit",
            action="store_true",
            help="acknowledge each message only once stored (needs a broker allowing many "
            "unacknowledged messages in flight: see sensing/mqtt.py)",
        )

    def handle(self, *args, **options) -> None:
        if not settings.MQTT_URL:
            raise CommandError("MQTT_URL is not set: there is no broker to subscribe to.")
        # A tripped rule files a case, routed through the grid index: at city scale it takes
        # seconds to build, which the first alarm's case would otherwise wait for.
        warm.warm_up()
        subscriber = Subscriber(
            settings.MQTT_URL,
            client_id=options["client_id"],
            batch_size=options["batch_size"],
            flush_seconds=options["flush_seconds"],
            ack_after_commit=options["ack_after_commit"],
            connections=options["connections"],
        )
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        subscriber.start()
        # "Subscribed" only once the broker has acknowledged every subscription: a supervisor
        # or the benchmark may start publishing as soon as it reads the line. While the broker
        # is unreachable the clients keep retrying; say so every half minute.
        while not (subscriber.subscribed.wait(30) or stop.is_set()):
            self.stderr.write(f"Still waiting for {settings.MQTT_URL} to take the subscription")
        if subscriber.subscribed.is_set():
            self.stdout.write(
                f"Subscribed to {settings.MQTT_URL} (v1.1/Datastreams(<id>)/Observations)"
            )
        try:
            subscriber.run(until=stop)
        finally:
            subscriber.stop()
            s = subscriber.stats
            self.stdout.write(
                f"Stored {s.accepted}, duplicates {s.duplicates}, refused {s.refused}, "
                f"unauthenticated {s.unauthenticated}, malformed {s.malformed}."
            )
            if s.flush_seconds:  # the last 1,000 batches: how long a reading waited to be stored
                took = sorted(s.flush_seconds)
                self.stdout.write(
                    f"Batches {s.batches}; storing one took p50 {took[len(took) // 2]:.2f} s, "
                    f"p95 {took[int(len(took) * 0.95)]:.2f} s, max {took[-1]:.2f} s."
                )
