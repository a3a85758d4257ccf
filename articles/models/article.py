from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Exists, Max, OuterRef, Q, Subquery, When
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItem

from articles import search
from articles.images import Picture, validate_image_file
from articles.models.comment import APPROVED, PAGE_COMMENT_FIELDS, Comment
from articles.models.expressions import RowCount
from articles.models.prefetch import (
    fill_prefetches,
    filled_reverse,
    packed_reverse,
    packed_tags,
    related_all,
)
from articles.models.related import RelatedCandidates
from articles.paths import public_path
from articles.richtext import RichTextField, sanitize_html, sanitized_for_page
from articles.story import split_story
from newsroom.loading import DirectlyLoaded
from newsroom.packed import PackedRows
from newsroom.precompiled import Precompiled


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Workflow actions, in the order the desk sees them; each is a method of Article.
WORKFLOW_ACTIONS = ["submit", "publish", "return_to_draft", "withdraw"]

# An unhurried adult reading speed, for the "n min read" line.
WORDS_PER_MINUTE = 230


@lru_cache(maxsize=256)  # per text, so a story's words are not counted on every page view
def word_count(html):
    return len(strip_tags(html or "").split())


class WorkflowError(Exception):
    """A transition that the article's current state does not allow."""


class PrepublicationError(WorkflowError):
    """Pre-publication checks found errors, or warnings nobody confirmed."""

    def __init__(self, findings):
        self.findings = findings
        super().__init__(" ".join(finding.message for finding in findings))


class Section(DirectlyLoaded):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order in the site navigation, smallest first."
    )

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return public_path("articles:section", slug=self.slug)


class Author(DirectlyLoaded):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    job_title = models.CharField(max_length=120, blank=True, help_text="e.g. “Russia editor”")
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="authors/%Y/", blank=True, validators=[validate_image_file])
    # Made from the photo when it is saved (articles.images.make_renditions).
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.job_title}" if self.job_title else self.name

    def get_absolute_url(self):
        return public_path("articles:author", slug=self.slug)

    @property
    def photo_picture(self):
        return Picture.for_field(self.photo, self.photo_renditions)


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """What the public may see now (or at `now`). Scheduled stories appear when their time
        comes."""
        return self.filter(
            status=Status.PUBLISHED, publish_at__lte=timezone.now() if now is None else now
        )

    def latest_first(self):
        return self.order_by("-publish_at", "-pk")

    def by_author(self, author):
        # An author appears once per byline (a constraint), so this never repeats a story.
        return self.filter(bylines__author=author)

    def tagged(self, tag):
        return self.filter(tags=tag)

    def with_comment_count(self):
        """Annotate `comment_count`: approved comments, counted in the same query."""
        return self.annotate(comment_count=RowCount(Comment, "article", **APPROVED))

    def top_per_section(self, per_section, section_ids):
        """The newest `per_section` stories of each section, sections in navigation order."""
        # One short index walk per section, newest first, joined into one set of ids: ranking
        # every published story with a window function took a third of a second at 100k.
        # Each part is wrapped because SQLite takes no LIMIT inside a part of a UNION.
        parts = [
            self.model.objects.filter(
                pk__in=self.filter(section_id=section_id)
                .order_by("-publish_at", "-pk")
                .values("pk")[:per_section]
            )
            .order_by()
            .values("pk")
            for section_id in section_ids
        ]
        if not parts:
            return self.none()
        winners = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
        return self.filter(pk__in=winners).order_by(
            "section__position", "section__name", "section_id", "-publish_at", "-pk"
        )

    def related_to(self, article, limit):
        """Up to `limit` stories sharing the most tags with `article` first, then the rest of
        its section, newest first within each.

        Reads the article's tags from its prefetch, so it costs one query.
        """
        tag_ids = [tag.pk for tag in article.tag_list]
        return self.related_to_story(
            article.pk, section_id=article.section_id, tag_ids=tag_ids, limit=limit
        )

    def related_to_story(self, pk, *, section_id, tag_ids, limit):
        """`related_to` for the story `pk` in section `section_id` with tags `tag_ids`."""
        # Teasers do not show the body, the largest column they would read.
        others = self.exclude(pk=pk).defer("body")
        if not tag_ids:
            return others.filter(section_id=section_id).latest_first()[:limit]
        content_type = ContentType.objects.get_for_model(self.model).pk
        candidates = RelatedCandidates(
            others,
            tag_ids=tag_ids,
            content_type=content_type,
            section_id=section_id,
            limit=limit,
        )
        # The few candidates' shared tags are counted again, one by one, for the ranking.
        shared = RowCount(TaggedItem, "object_id", content_type=content_type, tag=tag_ids)
        return (
            others.filter(pk__in=candidates)
            .annotate(shared_tags=shared)
            .order_by("-shared_tags", "-publish_at", "-pk")[:limit]
        )

    def with_last_modified(self):
        """Annotate the time of each story's latest correction, so that `last_modified` costs
        no query per story in feeds and sitemaps."""
        from articles.models.correction import Correction

        latest = Correction.objects.filter(article=OuterRef("pk")).order_by("-at").values("at")
        return self.annotate(latest_correction_at=Subquery(latest[:1]))

    def latest_modified(self):
        """The latest `Article.last_modified` among these stories, in one query."""
        times = self.aggregate(published=Max("publish_at"), corrected=Max("corrections__at"))
        return max(filter(None, times.values()), default=None)

    def search(self, text):
        """Stories matching `text`, best first (see articles.search)."""
        return search.search(self, text)

    def for_listing(self, *, packed=False):
        """What a story teaser shows, in a fixed number of queries: never the body.

        `packed`: each story's bylines read in its own row, no query of their own; cheaper for
        a few teasers (related stories), dearer for a list page's dozens, where the database
        runs one query for all of them for less than a subquery per story.
        """
        # The body is the largest column a teaser would read (2.6 kB a story at scale), and
        # a list page reads fifty teasers.
        return self._with_bylines_and_counts(packed=packed).defer("search_vector", "body")

    def _with_bylines_and_counts(self, *, packed):
        stories = self.select_related("section").with_comment_count()
        bylines = Byline.objects.select_related("author")  # what a further filter reads
        if not packed:
            return stories.prefetch_related(filled_reverse("bylines", BYLINES, bylines))
        return stories.annotate(
            packed_bylines=BYLINE_ROWS.column(_of_story(Byline), "article")
        ).prefetch_related(packed_reverse("bylines", BYLINE_ROWS, "packed_bylines", bylines))

    def for_page(self, *, first_comments=None):
        """Everything the article page shows in one query, but its comments: a page of them at
        a time (articles.services.comments.comment_page).

        `first_comments`: also read up to this many of the story's approved comments in its
        row (`Article.read_approved_comments`): a story whose comments fit on a page then
        needs no query of its own for them.
        """
        from articles.models.correction import Correction

        content_type = ContentType.objects.get_for_model(self.model)
        tagged = TaggedItem.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
        stories = (
            # The search document is the largest column, and no page shows it.
            self._with_bylines_and_counts(packed=True)
            .defer("search_vector")
            .annotate(
                packed_tags=TAG_ROWS.column(tagged, "object_id"),
                packed_analysis_boxes=ANALYSIS_BOX_ROWS.column(_of_story(AnalysisBox), "article"),
                packed_corrections=CORRECTION_ROWS.column(_of_story(Correction), "article"),
            )
            .prefetch_related(
                packed_tags(TAG_ROWS, "packed_tags"),
                packed_reverse(
                    "analysis_boxes",
                    ANALYSIS_BOX_ROWS,
                    "packed_analysis_boxes",
                    AnalysisBox.objects.select_related("author"),
                ),
                packed_reverse("corrections", CORRECTION_ROWS, "packed_corrections"),
            )
        )
        if first_comments is None:
            return stories
        approved = _of_story(Comment).approved()
        # Packed only when there is no comment past `first_comments`: the database looks at
        # no more than that many and one however busy the story is, and a busy story's page
        # reads its page of threads without a page of bodies read for nothing first.
        more = Exists(approved.order_by()[first_comments : first_comments + 1])
        packed = PAGE_COMMENT_ROWS.column(approved, "article")
        return stories.annotate(
            packed_comments=Case(When(~more, then=packed), output_field=models.TextField())
        )

    def _prefetch_related_objects(self):
        # Django's hook between fetching the rows and prefetching: what is filled here for
        # less (articles.models.prefetch), prefetch_related skips.
        stories = [obj for obj in self._result_cache if isinstance(obj, Article)]
        complete = fill_prefetches(stories, self._prefetch_related_lookups)
        if complete and len(stories) == len(self._result_cache):
            # Django's own pass would find each relation filled: ~0.1 ms for nothing.
            self._prefetch_done = True
            return
        super()._prefetch_related_objects()


class Article(DirectlyLoaded):
    headline = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200, blank=True, help_text="Made from the headline when left empty."
    )
    standfirst = models.TextField(
        max_length=600, blank=True, help_text="The summary lead under the headline."
    )
    body = RichTextField(blank=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    hero_image = models.ImageField(
        upload_to="heroes/%Y/%m/", blank=True, validators=[validate_image_file]
    )
    hero_alt = models.CharField(
        "hero image alt text",
        max_length=250,
        blank=True,
        help_text="What the image shows, for readers who cannot see it. Required with an image.",
    )
    hero_caption = models.CharField(max_length=300, blank=True)
    hero_credit = models.CharField(max_length=120, blank=True)
    # Made from the hero image when it is saved (articles.images.make_renditions).
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)
    tags = TaggableManager(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles_created",
    )
    comments_open = models.BooleanField(default=True)
    suppress_ads = models.BooleanField(
        "no ads on this story",
        default=False,
        help_text="For sensitive stories: the page shows no advertising at all.",
    )
    # PostgreSQL full-text document (weighted headline, standfirst, body), kept up to date on
    # save by articles.search.update_search_vector; its GIN index is made by a migration.
    # Unused on SQLite, where the column is an empty placeholder.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-created_at"]
        permissions = [("publish_article", "Can publish, schedule and withdraw articles")]
        indexes = [
            models.Index(fields=["status", "-publish_at"]),
            # A section page's stories and its capped count, read from the index alone.
            models.Index(
                fields=["section", "status", "-publish_at", "-id"], name="article_section_latest"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=Status.PUBLISHED) | Q(publish_at__isnull=False),
                name="published_article_has_publish_time",
            ),
            models.CheckConstraint(
                condition=Q(hero_image="") | ~Q(hero_alt=""),
                name="hero_image_has_alt_text",
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.headline)[:200] or "story"
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return public_path("articles:article_detail", pk=self.pk, slug=self.slug)

    def clean(self):
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError({"hero_alt": "Describe the image for readers who cannot see it."})

    @property
    def is_public(self):
        return (
            self.status == Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def hero_picture(self):
        return Picture.for_field(self.hero_image, self.hero_renditions)

    @property
    def reading_minutes(self):
        words = word_count(self.body)
        words += sum(word_count(box.body) for box in related_all(self, "analysis_boxes"))
        return max(1, round(words / WORDS_PER_MINUTE))

    @property
    def comments_close_at(self):
        """When comments close by themselves, or None when they never do."""
        days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
        if days <= 0 or self.first_published_at is None:
            return None
        return self.first_published_at + timedelta(days=days)

    @property
    def comments_closed_reason(self):
        """Why readers cannot comment on the story now; "" while they can."""
        if not self.comments_open:
            return "Comments on this story are closed."
        close_at = self.comments_close_at
        if close_at is not None and close_at <= timezone.now():
            days = settings.NEWSROOM_COMMENTS_CLOSE_AFTER_DAYS
            closed_on = timezone.localtime(close_at)
            return (
                "Comments on this story are closed: stories take comments for "
                f"{days} days after publication, until {closed_on.day} {closed_on:%B %Y}."
            )
        return ""

    @property
    def accepts_comments(self):
        return not self.comments_closed_reason

    def read_approved_comments(self):
        """Every approved comment of the story, oldest first, when its row says what they are:
        none when it counted none (`comment_count`), or those `for_page(first_comments=…)` read
        in it when they are all of them; otherwise None, and they are for a query to read."""
        row = vars(self)
        if row.get("comment_count") == 0:
            return []
        if "packed_comments" not in row:
            return None
        comments = PAGE_COMMENT_ROWS.unpack(row["packed_comments"], self._state.db)
        return comments if len(comments) == row["comment_count"] else None

    @property
    def last_modified(self):
        """When readers last saw the story change: publication or its latest correction.

        The one modification time of JSON-LD dateModified, the page's "updated" line, feeds
        and sitemaps. Uses `with_last_modified()` or the prefetched corrections.
        """
        if hasattr(self, "latest_correction_at"):
            times = [self.publish_at, self.latest_correction_at]
        else:
            times = [self.publish_at] + [c.at for c in related_all(self, "corrections")]
        times = [t for t in times if t is not None]
        return max(times) if times else None

    @property
    def tag_list(self):
        """`tags.all()`: the prefetched tags without making django-taggit's manager each time, 2%
        of a story page's instructions for the four times it reads them."""
        return related_all(self, "tags")

    @property
    def byline(self):
        """Authors in byline order (uses the prefetched bylines)."""
        return [line.author for line in related_all(self, "bylines")]

    def story_parts(self):
        """The body, cleaned again, cut into runs of HTML with the analysis boxes placed."""
        return split_story(sanitized_for_page(self.body or ""), related_all(self, "analysis_boxes"))

    def can_be_edited_by(self, user):
        if self.pk is None:
            return user.has_perm("articles.add_article")
        if not user.has_perm("articles.change_article"):
            return False
        if user.has_perm("articles.publish_article"):
            return True
        return self.status == Status.DRAFT and self.created_by_id == user.pk

    # Workflow: every status change goes through these methods.

    def _sources(self, action):
        """The states an action may start from; a scheduled story can still be moved."""
        scheduled = {Status.PUBLISHED} if self.is_scheduled else set()
        return {
            "submit": {Status.DRAFT},
            "publish": {Status.DRAFT, Status.REVIEW} | scheduled,
            "return_to_draft": {Status.REVIEW, Status.WITHDRAWN} | scheduled,
            "withdraw": {Status.PUBLISHED},
        }[action]

    def _may(self, action, user):
        if action == "submit":
            return self.can_be_edited_by(user)
        return user.has_perm("articles.publish_article")

    def allowed_actions(self, user):
        """The workflow actions this user may take on the story now, in display order."""
        return [
            action
            for action in WORKFLOW_ACTIONS
            if self.status in self._sources(action) and self._may(action, user)
        ]

    def prepublication_findings(self, *, publish_at=None):
        from articles.checks import run_checks

        return run_checks(self, publish_at=publish_at)

    def _require_checks(self, *, publish_at=None, confirmed=False):
        """Refuse the step on errors, and on warnings unless the desk confirmed them."""
        findings = self.prepublication_findings(publish_at=publish_at)
        blocking = [f for f in findings if f.is_error or not confirmed]
        if blocking:
            raise PrepublicationError(blocking)

    def submit(self, *, by, note="", confirmed=False):
        if not self._may("submit", by):
            raise PermissionDenied("You can submit only your own drafts.")
        self._require_checks(confirmed=confirmed)
        self._move(Status.REVIEW, by=by, allowed_from=self._sources("submit"), note=note)

    def publish(self, *, by, at=None, note="", confirmed=False):
        if not self._may("publish", by):
            raise PermissionDenied("Only editors publish.")
        self._require_checks(publish_at=at, confirmed=confirmed)
        now = timezone.now()
        publish_at = at or now

        def schedule():
            self.publish_at = publish_at
            if self.first_published_at is None or self.first_published_at > now:
                self.first_published_at = publish_at

        self._move(
            Status.PUBLISHED,
            by=by,
            allowed_from=self._sources("publish"),
            note=note,
            apply=schedule,
            fields=["publish_at", "first_published_at"],
        )

    def return_to_draft(self, *, by, note):
        if not self._may("return_to_draft", by):
            raise PermissionDenied("Only editors return stories to draft.")
        if not (note or "").strip():
            raise WorkflowError("Say what needs to change, so the reporter knows.")

        def unschedule():
            if self.first_published_at and self.first_published_at > timezone.now():
                self.first_published_at = None
            self.publish_at = None

        self._move(
            Status.DRAFT,
            by=by,
            allowed_from=self._sources("return_to_draft"),
            note=note,
            apply=unschedule,
            fields=["publish_at", "first_published_at"],
        )

    def withdraw(self, *, by, note):
        if not self._may("withdraw", by):
            raise PermissionDenied("Only editors withdraw stories.")
        if not (note or "").strip():
            raise WorkflowError("Give the reason for withdrawing the story.")
        self._move(Status.WITHDRAWN, by=by, allowed_from=self._sources("withdraw"), note=note)

    def _move(self, to, *, by, allowed_from, note="", apply=None, fields=()):
        with transaction.atomic():
            # Lock the row so that two editors cannot move the same story at once.
            current = (
                type(self)
                .objects.select_for_update()
                .values_list("status", flat=True)
                .get(pk=self.pk)
            )
            if current not in allowed_from:
                raise WorkflowError(
                    f"A story that is {Status(current).label.lower()} cannot become "
                    f"{Status(to).label.lower()}."
                )
            self.status = to
            if apply:
                apply()
            self.save(update_fields=["status", "updated_at", *fields])
            ArticleTransition.objects.create(
                article=self, actor=by, from_status=current, to_status=to, note=note or ""
            )


class Byline(DirectlyLoaded):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="author_once_per_byline")
        ]

    def __str__(self):
        return str(self.author)


class AnalysisBox(DirectlyLoaded):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="analysis_boxes")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="analysis_boxes")
    heading = models.CharField(max_length=200, blank=True)
    body = RichTextField()
    after_paragraph = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Place the box after this paragraph of the story; leave empty for the end.",
    )

    class Meta:
        ordering = ["after_paragraph", "pk"]
        verbose_name_plural = "analysis boxes"

    def __str__(self):
        return self.heading or f"Analysis by {self.author.name}"

    def save(self, *args, **kwargs):
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)


class ArticleTransition(models.Model):
    """One step of the workflow: who moved the story, when, from where to where, and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["article", "-at"])]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


# A list page's bylines in one query, compiled once per process (articles.models.prefetch).
BYLINES = Precompiled(
    lambda ids: Byline.objects.select_related("author").filter(article_id__in=ids)
)


def _of_story(model):
    """The rows of `model` of the story of the outer query."""
    return model.objects.filter(article=OuterRef("pk"))


# What story pages and teasers read of the related rows packed in a story's own row
# (newsroom/packed.py): what the templates show, in the models' own order. An author's bio
# and portrait renditions are read by the author's page, not here.
AUTHOR_FIELDS = ["id", "name", "slug", "job_title", "photo", "user_id"]
BYLINE_ROWS = PackedRows(
    Byline,
    ["id", "article_id", "author_id", "position"],
    related={"author": AUTHOR_FIELDS},
    order_by=["position", "pk"],
)
ANALYSIS_BOX_ROWS = PackedRows(
    AnalysisBox,
    ["id", "article_id", "author_id", "heading", "body", "after_paragraph"],
    related={"author": AUTHOR_FIELDS},
    order_by=["after_paragraph", "pk"],
)
TAG_ROWS = PackedRows(
    TaggedItem,
    ["id", "object_id", "content_type_id", "tag_id"],
    related={"tag": ["id", "name", "slug"]},
    order_by=["pk"],  # the order of `tags.all()`
)
CORRECTION_ROWS = PackedRows(
    "articles.Correction",
    ["id", "article_id", "kind", "text", "at", "author_id"],
    order_by=["at", "pk"],
)
# A comment as a reader's page shows it (articles.models.comment.PAGE_COMMENT_FIELDS).
PAGE_COMMENT_ROWS = PackedRows(
    "articles.Comment", ["id", *PAGE_COMMENT_FIELDS], order_by=["created_at", "pk"]
)
