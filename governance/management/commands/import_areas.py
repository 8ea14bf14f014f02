"""`manage.py import_areas FILE [--dry-run]`: import the area tree from GeoJSON."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.area_import import AreaImportError, import_areas


class Command(BaseCommand):
    help = "Import areas (city → grid) from a GeoJSON FeatureCollection; all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a GeoJSON FeatureCollection")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, change nothing"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            result = import_areas(data, dry_run=dry_run)
        except AreaImportError as error:
            raise CommandError(f"{file}: {error}") from None
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{file}: {len(result.problems)} bad feature(s); nothing was imported."
            )
        prefix = "dry run, nothing saved: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))
