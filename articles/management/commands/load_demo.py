from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ads.models import Ad, AdSlot, SlotKind, SlotSize
from articles.ingest import paragraphs_html, parse_story
from articles.models import (
    AnalysisBox,
    Article,
    Author,
    Byline,
    Comment,
    CommentStatus,
    Correction,
    CorrectionKind,
    Section,
    Status,
)
from articles.roles import EDITORS, REPORTERS

DEMO_STORY = Path(__file__).resolve().parents[2] / "demo" / "minsk-article.txt"
DEMO_SLUG = "ukraine-boost-belarus-border-defenses-putin-meets-lukashenko"

# The passwords are for development only: with DEBUG off the users get no usable password.
DEMO_USERS = [
    ("reporter", "reporter-demo-2026", REPORTERS, "Anna", "Petrenko"),
    ("editor", "editor-demo-2026", EDITORS, "Martin", "Hale"),
]
DEMO_COMMENTS = [
    (
        "Olga K.",
        "olga@example.com",
        "A clear account of a tense week. Thank you for the analysis box.",
    ),
    (
        "David M.",
        "david@example.com",
        "The joint exercises last February were the warning sign many missed.",
    ),
    ("Irina", "irina@example.com", "Good to see the Kremlin's denial quoted alongside the claims."),
]


class Command(BaseCommand):
    help = "Load the demo story, its section, authors, house ad, comments and demo logins."

    @transaction.atomic
    def handle(self, *args, **options):
        users = self.create_users()
        story = parse_story(DEMO_STORY.read_text(encoding="utf-8"))

        section, _ = Section.objects.update_or_create(
            slug="world", defaults={"name": "World", "position": 1}
        )
        Section.objects.get_or_create(slug="europe", defaults={"name": "Europe", "position": 2})
        reporter_author, _ = Author.objects.update_or_create(
            slug="anna-petrenko",
            defaults={
                "name": "Anna Petrenko",
                "job_title": "Ukraine correspondent",
                "bio": "Anna Petrenko reports on Ukraine and its neighbours from Kyiv.",
                "user": users["reporter"],
            },
        )
        article, created = Article.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={
                "headline": story.headline,
                "standfirst": story.standfirst,
                "body": paragraphs_html(story.paragraphs),
                "section": section,
                "created_by": users["reporter"],
                "comments_open": True,
            },
        )
        if article.status == Status.DRAFT:
            article.submit(by=users["reporter"])
        if article.status == Status.REVIEW:
            # Backdated on purpose, so the demo has a story that has been out for a while.
            article.publish(
                by=users["editor"], at=timezone.now() - timedelta(hours=2), confirmed=True
            )
        Byline.objects.update_or_create(
            article=article, author=reporter_author, defaults={"position": 0}
        )
        article.tags.set(["Ukraine", "Belarus", "Russia"])

        article.analysis_boxes.all().delete()
        for box in story.boxes:
            author, _ = Author.objects.update_or_create(
                slug=box.author_name.lower().replace(" ", "-"),
                defaults={"name": box.author_name, "job_title": box.job_title},
            )
            AnalysisBox.objects.create(
                article=article,
                author=author,
                heading="Why did Putin go to Minsk, and why now?",
                body=paragraphs_html(box.paragraphs),
                after_paragraph=box.after_paragraph,
            )

        if not article.corrections.exists():
            Correction.objects.create(
                article=article,
                kind=CorrectionKind.UPDATE,
                text="This story was updated with the Kremlin's response to the reports.",
                at=article.publish_at + timedelta(hours=1),
                author=users["editor"],
            )

        if not article.comments.exists():
            now = timezone.now()
            for minutes, (name, email, body) in enumerate(DEMO_COMMENTS, start=1):
                Comment.objects.create(
                    article=article,
                    name=name,
                    email=email,
                    body=body,
                    status=CommentStatus.APPROVED,
                    created_at=now - timedelta(minutes=90 - 20 * minutes),
                )

        header, _ = AdSlot.objects.update_or_create(
            key="header",
            defaults={"name": "Header", "kind": SlotKind.HEADER, "size": SlotSize.LEADERBOARD},
        )
        in_article, _ = AdSlot.objects.update_or_create(
            key="in-article",
            defaults={
                "name": "In article",
                "kind": SlotKind.IN_ARTICLE,
                "size": SlotSize.MEDIUM_RECTANGLE,
            },
        )
        for slot, name, text in [
            (
                header,
                "House ad: the Newsroom morning briefing",
                "Start the day informed: read the Newsroom morning briefing.",
            ),
            (in_article, "House ad: the weekend edition", "The weekend edition: long reads."),
        ]:
            Ad.objects.update_or_create(
                slot=slot,
                name=name,
                defaults={
                    "text": text,
                    "target_url": "https://newsroom.example/briefing",
                    "is_active": True,
                    "weight": 1,
                },
            )

        self.stdout.write(
            self.style.SUCCESS(
                f"{'Loaded' if created else 'Refreshed'} the demo story: "
                f"{article.get_absolute_url()} "
                f"({len(story.dropped)} lines of site chrome or repeats dropped)."
            )
        )

    def create_users(self):
        user_model = get_user_model()
        users = {}
        for username, password, group_name, first, last in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "first_name": first, "last_name": last},
            )
            if created:
                if settings.DEBUG:
                    user.set_password(password)
                else:
                    user.set_unusable_password()
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
            users[username] = user
        return users
