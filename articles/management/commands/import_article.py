from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.ingest import IngestError, decode_upload
from articles.models import Section
from articles.services.importing import import_story


class Command(BaseCommand):
    help = "Import a scraped or pasted news page (a text file) as a draft story."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username of the importer (owner).")
        parser.add_argument("--section", help="Section slug (default: the first section).")

    def handle(self, *args, file, user, section, **options):
        try:
            importer = get_user_model().objects.get(username=user)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user called “{user}”.") from None
        chosen = None
        if section:
            chosen = Section.objects.filter(slug=section).first()
            if chosen is None:
                raise CommandError(f"No section with the slug “{section}”.")
        try:
            text = decode_upload(file.read_bytes())
            result = import_story(text, user=importer, section=chosen)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except IngestError as error:
            raise CommandError(f"{file}: {error}") from None

        article = result.article
        self.stdout.write(
            self.style.SUCCESS(f"Draft #{article.pk} “{article.headline}” created for {user}.")
        )
        for author in result.new_authors:
            self.stdout.write(f"New author: {author}")
        self.stdout.write(f"Dropped {len(result.dropped)} lines:")
        for reason, line in result.dropped:
            self.stdout.write(f"  [{reason}] {line}")
