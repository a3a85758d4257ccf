import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from articles.services.portability import export_content


class Command(BaseCommand):
    help = (
        "Write all sections, authors, articles (bylines, analysis boxes, tags, history) and "
        "comments as JSON, to a file or to standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, output=None, **options):
        data = export_content()
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as file:  # noqa: PTH123
                file.write(text + "\n")
            self.stderr.write(f"Exported {len(data['articles'])} articles to {output}.")
        else:
            self.stdout.write(text)
