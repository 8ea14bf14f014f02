"""`manage.py seed_demo`: load the demo city (idempotent: a second run changes nothing)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.seeding import SeedError, demo_loaded, seed_demo


class Command(BaseCommand):
    help = (
        "Load the demo city Minghu from seeds/: areas, departments, categories, calendar, "
        "people and cases. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-cases", action="store_true", help="load the reference data and people only"
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="do nothing when the demo city is already there (keeps administrators' edits)",
        )

    def handle(self, *args, no_cases: bool, once: bool, **options) -> None:
        started = time.monotonic()
        if once and demo_loaded():
            self.stdout.write("demo city already loaded; run without --once to restore it")
            return
        try:
            summary = seed_demo(with_cases=not no_cases)
        except SeedError as error:
            raise CommandError(str(error)) from None
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"demo city loaded in {time.monotonic() - started:.1f} s")
        )
