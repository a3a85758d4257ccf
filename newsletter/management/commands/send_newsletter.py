from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsletter.services import prepare_digest, send_digest


class Command(BaseCommand):
    help = (
        "Email confirmed subscribers a digest of the stories published since the last send. "
        "A story is never sent twice; an interrupted send resumes where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default=settings.NEWSROOM_SITE_URL,
            help="The public site's address, for links in the email (default: %(default)s).",
        )

    def handle(self, *args, base_url, **options):
        digest = prepare_digest()
        if digest is None:
            self.stdout.write("Nothing to send: no new stories, or no confirmed subscribers.")
            return
        stories = digest.articles.count()
        self.stdout.write(
            f"Digest #{digest.pk} “{digest.subject}”: {stories} "
            f"{'story' if stories == 1 else 'stories'}."
        )

        def progress(done, total):
            # About twenty lines for a big list, one per reader for a small one.
            if done == total or done % max(total // 20, 1) == 0:
                self.stdout.write(f"  {done}/{total} readers")

        sent, failed = send_digest(digest, base_url=base_url, progress=progress)
        if failed:
            raise CommandError(
                f"Sent {sent}, failed {failed}; run the command again to retry the failures."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent digest #{digest.pk} to {sent} {'reader' if sent == 1 else 'readers'}."
            )
        )
