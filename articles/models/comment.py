import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.signals import comments_moderated
from newsroom.loading import DirectlyLoaded


class CommentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SPAM = "spam", "Spam"


# What a reader still sees of their own comment until an editor has looked at it.
HELD_STATUSES = [CommentStatus.PENDING, CommentStatus.SPAM]


def normalize_email(email):
    return (email or "").strip().lower()


def private_hash(kind, value):
    """A keyed hash of a personal value (an IP address, an email): comparable, not reversible."""
    secret = settings.NEWSROOM_COMMENTS_HASH_SECRET or settings.SECRET_KEY
    return salted_hmac(
        f"newsroom.comments.{kind}", value, secret=secret, algorithm="sha256"
    ).hexdigest()


def comment_fingerprint(email, body):
    """Same commenter, same words: the key of the exact-duplicate rule."""
    return hashlib.sha256(f"{normalize_email(email)}\0{body.strip()}".encode()).hexdigest()


# What readers may see of the comments, written once: as a queryset filter (`approved()`) and
# as the conditions of a story's comment count (`ArticleQuerySet.with_comment_count()`).
APPROVED = {"status": CommentStatus.APPROVED}

# What a reader's page reads of a comment: never the commenter's email, address or the
# moderation record (a page of them in articles.services.comments, or packed in the story's
# row, `ArticleQuerySet.for_page`).
PAGE_COMMENT_FIELDS = ("article", "parent", "name", "body", "status", "created_at")


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(**APPROVED)

    def pending(self):
        return self.filter(status=CommentStatus.PENDING)

    def held(self):
        return self.filter(status__in=HELD_STATUSES)

    def by_commenter(self, email):
        return self.filter(email=normalize_email(email))

    def moderate(self, status, *, by):
        """Set the status of every comment here, recording the moderator. Returns the count."""
        changing = self.exclude(status=status)
        article_ids = set(changing.values_list("article_id", flat=True))
        count = changing.update(status=status, moderated_by=by, moderated_at=timezone.now())
        # update() sends no save signals; caches of the pages still need to hear of it.
        comments_moderated.send(sender=self.model, article_ids=article_ids)
        return count


class Comment(DirectlyLoaded):
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        # Erasing a commenter's data must not take other readers' replies with it.
        on_delete=models.SET_NULL,
        related_name="replies",
        help_text="The comment this one replies to (replies are one level deep).",
    )
    name = models.CharField(max_length=80)
    email = models.EmailField(help_text="Never shown to readers.")
    body = models.TextField(max_length=5000)
    status = models.CharField(
        max_length=20, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    hold_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the spam rules held this comment."
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(
        "IP address (hashed)",
        max_length=64,
        blank=True,
        help_text="A salted hash of the sender's IP address; the address itself is not kept.",
    )
    user_agent = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=64, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["email", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "fingerprint"], name="comment_not_posted_twice"
            ),
        ]

    def __str__(self):
        return f"{self.name} on “{self.article}”"

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        self.fingerprint = comment_fingerprint(self.email, self.body)
        super().save(*args, **kwargs)

    @property
    def is_held(self):
        return self.status in HELD_STATUSES


class BlockedWord(models.Model):
    """A word or phrase that holds a comment for moderation when it appears in it."""

    phrase = models.CharField(
        max_length=100,
        unique=True,
        help_text="Matched as a whole word or phrase, ignoring case, in the name, email "
        "and text of a comment.",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = "blocked word or phrase"
        verbose_name_plural = "comment blocklist"

    def __str__(self):
        return self.phrase

    def save(self, *args, **kwargs):
        self.phrase = " ".join(self.phrase.split()).casefold()
        super().save(*args, **kwargs)


class BannedCommenterQuerySet(models.QuerySet):
    def matching(self, email):
        return self.filter(email_hash=private_hash("email", normalize_email(email)))


class BannedCommenter(models.Model):
    """A commenter whose comments are always held. Kept as a hash: the address is not stored."""

    email_hash = models.CharField(max_length=64, unique=True, editable=False)
    reason = models.CharField(max_length=200, blank=True)
    banned_at = models.DateTimeField(default=timezone.now)
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BannedCommenterQuerySet.as_manager()

    class Meta:
        ordering = ["-banned_at"]

    def __str__(self):
        return f"Banned commenter {self.email_hash[:10]}…"

    @classmethod
    def ban(cls, email, *, by=None, reason=""):
        banned, _ = cls.objects.get_or_create(
            email_hash=private_hash("email", normalize_email(email)),
            defaults={"banned_by": by, "reason": reason},
        )
        return banned
