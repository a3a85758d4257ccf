from django.core.management.base import BaseCommand

from articles.services.comments import notify_moderators


class Command(BaseCommand):
    help = (
        "Email the moderators one digest of the comments waiting that they have not heard of. "
        "Run it from cron when NEWSROOM_COMMENTS_NOTIFY=digest (e.g. hourly)."
    )

    def handle(self, *args, **options):
        count = notify_moderators()
        if count:
            self.stdout.write(f"Told the moderators about {count} waiting comment(s).")
        else:
            self.stdout.write("No new comments are waiting.")
