"""Recompute every obligation from the case timeline (the same `derive` the subscriber uses)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from evaluation.facts import UPDATED_FIELDS, derive_all
from evaluation.models import Obligation


class Command(BaseCommand):
    help = "Recompute the evaluation's obligations from every case's timeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="cases read per batch")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="upsert over the existing rows instead of replacing them all (no moment "
            "without facts, slower)",
        )

    def handle(self, *args, **options) -> None:
        batch = max(1, options["batch"])
        keep = options["keep"]
        written = 0
        pending: list[Obligation] = []

        def flush() -> None:
            if keep:
                Obligation.objects.bulk_create(
                    pending,
                    update_conflicts=True,
                    unique_fields=["start_event_id", "kind"],
                    update_fields=UPDATED_FIELDS,
                )
            else:
                Obligation.objects.bulk_create(pending)
            pending.clear()

        # One transaction: readers see the old facts until the new ones are all there.
        with transaction.atomic():
            if not keep:
                Obligation.objects.all().delete()
            for obligation in derive_all(batch=batch):
                pending.append(obligation)
                written += 1
                if len(pending) >= 5000:
                    flush()
            flush()
        self.stdout.write(f"rebuilt {written} obligations")
