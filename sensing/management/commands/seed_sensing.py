"""`manage.py seed_sensing`: add the demo's sensors to a demo city loaded before them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from governance import clock
from governance.seed_cases import seeded as cases_seeded
from sensing.seeding import seed_sensing


class Command(BaseCommand):
    help = (
        "Add the demo's sensors (things, three days of readings, rules, alarms, carbon rows) "
        "to a demo city loaded before the sensing app existed (`seed_demo` adds them itself). "
        "Running it again adds nothing."
    )

    def handle(self, *args, **options) -> None:
        if not cases_seeded():
            raise CommandError("Load the demo city first: manage.py seed_demo")
        added = seed_sensing(now=clock.now())
        self.stdout.write("demo sensors added" if added else "demo sensors already there")
