from django.core.management.base import BaseCommand

from articles.images import make_renditions
from articles.models import Article, Author

IMAGES = [(Article, "hero_image", "hero_renditions"), (Author, "photo", "photo_renditions")]


class Command(BaseCommand):
    help = "Make the renditions of hero images and author photos that have none (or old ones)."

    def handle(self, *args, **options):
        made = 0
        for model, image_field, renditions_field in IMAGES:
            for obj in model.objects.exclude(**{image_field: ""}).iterator():
                field_file = getattr(obj, image_field)
                if getattr(obj, renditions_field).get("source") == field_file.name:
                    continue
                model.objects.filter(pk=obj.pk).update(
                    **{renditions_field: make_renditions(field_file)}
                )
                made += 1
        self.stdout.write(self.style.SUCCESS(f"Made renditions of {made} image(s)."))
