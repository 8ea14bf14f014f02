"""`manage.py seed_registry`: demo registry records in every grid (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from gridwork.seeding import seed_registry


class Command(BaseCommand):
    help = "Add demo buildings, households and residents (fictitious id numbers) to every grid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--buildings", type=int, default=3, help="buildings per grid")

    def handle(self, *args, buildings: int, **options) -> None:
        grids, residents = seed_registry(buildings=buildings)
        self.stdout.write(f"registry: {residents} residents in {grids} grids")
