"""Fill the database with a newsroom's worth of realistic stories and comments, fast.

python manage.py generate_news --articles 100000 --comments 1000000
"""

import random
from datetime import timedelta
from itertools import accumulate
from math import sqrt

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from faker import Faker
from taggit.models import Tag, TaggedItem
from tqdm import tqdm

from articles.models import Article, Author, Byline, Comment, CommentStatus, Section, Status
from articles.models.comment import comment_fingerprint
from delivery.pagecache import bump_content_version
from newsroom.dbstats import analyze

SECTIONS = ["World", "Europe", "Politics", "Business", "Science", "Culture", "Sport", "Opinion"]
# Text is drawn from pools that Faker fills once: realistic, and fast at a million rows.
POOL_SIZE = 3000


class Command(BaseCommand):
    help = "Generate stories, bylines, tags and comments in bulk (for load tests and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=1000)
        parser.add_argument("--comments", type=int, default=10000)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *, articles, comments, batch_size, seed, no_progress, **options):
        self.random = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.batch_size = batch_size
        self.quiet = no_progress
        self.now = timezone.now()
        self.sentences = [self.fake.sentence(nb_words=14) for _ in range(POOL_SIZE)]
        self.headlines = [self.fake.sentence(nb_words=9).rstrip(".") for _ in range(POOL_SIZE)]
        self.names = [self.fake.name() for _ in range(POOL_SIZE)]

        sections = [
            Section.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "position": position}
            )[0]
            for position, name in enumerate(SECTIONS)
        ]
        authors = self.make_authors(200)
        tags = self.make_tags(400)
        article_ids = self.make_articles(articles, sections, authors, tags)
        self.make_comments(comments, article_ids)
        # Planner statistics, as after any bulk load (newsroom/dbstats.py).
        analyze([Section, Author, Tag, Article, Byline, TaggedItem, Comment])
        bump_content_version()  # bulk inserts send no signals
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {articles} articles ({len(article_ids)} published) "
                f"and {comments} comments."
            )
        )

    def progress(self, total, unit):
        return tqdm(total=total, unit=unit, disable=self.quiet or total == 0, mininterval=1)

    def paragraphs(self, count):
        return "".join(
            "<p>{}</p>".format(escape(" ".join(self.random.sample(self.sentences, 4))))
            for _ in range(count)
        )

    def make_authors(self, count):
        start = Author.objects.count()
        new = [
            Author(
                name=self.names[i % POOL_SIZE],
                slug=f"generated-author-{start + i}",
                job_title=self.random.choice(["Correspondent", "Reporter", "Editor"]),
            )
            for i in range(count)
        ]
        return Author.objects.bulk_create(new)

    def make_tags(self, count):
        words = sorted({self.fake.word().capitalize() for _ in range(count * 2)})[:count]
        Tag.objects.bulk_create(
            [Tag(name=f"{word} news", slug=f"{slugify(word)}-news") for word in words],
            ignore_conflicts=True,
        )
        return list(Tag.objects.filter(slug__in=[f"{slugify(w)}-news" for w in words]))

    def make_articles(self, count, sections, authors, tags):
        article_type = ContentType.objects.get_for_model(Article)
        ids = []
        with self.progress(count, "articles") as bar:
            for start in range(0, count, self.batch_size):
                size = min(self.batch_size, count - start)
                batch = [self.article(sections) for _ in range(size)]
                with transaction.atomic():
                    created = Article.objects.bulk_create(batch)
                    Byline.objects.bulk_create(
                        Byline(article=article, author=author, position=position)
                        for article in created
                        for position, author in enumerate(
                            self.random.sample(authors, self.random.choice([1, 1, 1, 2]))
                        )
                    )
                    TaggedItem.objects.bulk_create(
                        TaggedItem(content_type=article_type, object_id=article.pk, tag=tag)
                        for article in created
                        for tag in self.random.sample(tags, self.random.randint(0, 3))
                    )
                ids.extend(article.pk for article in created if article.status == Status.PUBLISHED)
                bar.update(size)
        return ids

    def article(self, sections):
        headline = self.random.choice(self.headlines)
        published = self.random.random() < 0.95
        publish_at = self.now - timedelta(minutes=self.random.randint(1, 3 * 365 * 24 * 60))
        return Article(
            headline=headline,
            slug=slugify(headline)[:200],
            standfirst=" ".join(self.random.sample(self.sentences, 2)),
            body=self.paragraphs(self.random.randint(4, 9)),
            section=self.random.choice(sections),
            status=Status.PUBLISHED if published else Status.DRAFT,
            publish_at=publish_at if published else None,
            first_published_at=publish_at if published else None,
        )

    def make_comments(self, count, article_ids):
        if not article_ids:
            return
        statuses = [CommentStatus.APPROVED] * 17 + [CommentStatus.PENDING, CommentStatus.SPAM]
        # Comments cluster on popular stories, as they do (a long tail, not a single thread).
        cum_weights = list(accumulate(1 / sqrt(rank + 1) for rank in range(len(article_ids))))
        with self.progress(count, "comments") as bar:
            for start in range(0, count, self.batch_size):
                size = min(self.batch_size, count - start)
                targets = self.random.choices(article_ids, cum_weights=cum_weights, k=size)
                batch = [
                    self.comment(article_id, f"reader{start + offset}@example.com", statuses)
                    for offset, article_id in enumerate(targets)
                ]
                Comment.objects.bulk_create(batch)
                bar.update(size)

    def comment(self, article_id, email, statuses):
        body = " ".join(self.random.sample(self.sentences, 2))
        return Comment(
            article_id=article_id,
            name=self.random.choice(self.names),
            email=email,
            body=body,
            # bulk_create skips save(), which computes the duplicate-rule key.
            fingerprint=comment_fingerprint(email, body),
            status=self.random.choice(statuses),
            created_at=self.now - timedelta(minutes=self.random.randint(1, 10**6)),
        )
