"""Create an Open311 API key and print it (only its hash is stored)."""

from django.core.management.base import BaseCommand, CommandParser

from governance.models import ApiKey


class Command(BaseCommand):
    help = "Create an Open311 API key for NAME and print it; it cannot be shown again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args, name: str, **options) -> None:
        _api_key, key = ApiKey.objects.issue(name)
        self.stdout.write(key)
