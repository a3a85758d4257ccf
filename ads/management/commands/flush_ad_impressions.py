from django.core.management.base import BaseCommand

from ads.impressions import flush_impressions


class Command(BaseCommand):
    help = "Write the ad impressions counted in the cache to the database (run it every minute)."

    def handle(self, *args, **options):
        written = flush_impressions()
        self.stdout.write(f"Wrote {written} ad impression(s) to the database.")
