"""Recompute every obligation from the case timeline (the same `derive` the subscriber uses)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from evaluation.facts import Limits, _department_ids, write_cases
from evaluation.models import Obligation
from governance.models import Case


class Command(BaseCommand):
    help = "Recompute the evaluation's obligations from every case's timeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="cases per batch")
        parser.add_argument(
            "--keep", action="store_true", help="upsert over the existing rows (no wipe first)"
        )

    def handle(self, *args, **options) -> None:
        batch = max(1, options["batch"])
        limits = Limits()
        departments = _department_ids()
        if not options["keep"]:
            with transaction.atomic():
                Obligation.objects.all().delete()
        written = cases = 0
        last = 0
        while True:
            ids = list(
                Case.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            written += write_cases(ids, limits=limits, departments=departments)
            cases += len(ids)
            last = ids[-1]
            if options["verbosity"] > 1:
                self.stdout.write(f"{cases} cases, {written} obligations")
        self.stdout.write(f"rebuilt {written} obligations of {cases} cases")
