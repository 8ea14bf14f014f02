"""Deliver what the outbox holds (pushes and tasks held back while Redis was down)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from governance import outbox


class Command(BaseCommand):
    help = "Deliver the outbox's pending pushes and tasks now (after a Redis outage)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--purge", action="store_true", help="also delete messages delivered a day ago"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        relayed = 0
        while batch := outbox.relay():
            relayed += batch
        self.stdout.write(f"relayed {relayed}; still pending {outbox.pending_count()}")
        if options["purge"]:
            self.stdout.write(f"purged {outbox.purge()}")
