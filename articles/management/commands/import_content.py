import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.services.portability import ImportRefusedError, import_content


class Command(BaseCommand):
    help = "Load a file written by export_content into an empty database (users must exist)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The JSON file written by export_content.")

    def handle(self, *args, path, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            count = import_content(data)
        except ImportRefusedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Imported {count} articles from {path}.")
