"""`manage.py seed_emergency`: add the demo's emergencies to a demo city loaded before them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from emergency.seeding import seed_emergency
from governance import clock, events
from governance.seed_cases import seeded as cases_seeded


class Command(BaseCommand):
    help = (
        "Add the demo's plans, resources, past drill and open incident to a demo city loaded "
        "before the emergency app existed (`seed_demo` adds them itself). Running it again "
        "changes nothing."
    )

    def handle(self, *args, **options) -> None:
        if not cases_seeded() or not get_user_model().objects.filter(username="dispatcher"):
            raise CommandError("Load the demo city first: manage.py seed_demo")
        with transaction.atomic(), events.muted():
            added = seed_emergency(now=clock.now())
        self.stdout.write(
            "emergency demo added" if added else "the emergency demo is already there"
        )
