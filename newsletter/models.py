from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils import timezone

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
CONFIRM_LINK_MAX_AGE = 60 * 60 * 24 * 7  # a confirmation link works for 7 days


def normalize_email(address):
    """An address as it is stored and compared: trimmed, in lower case."""
    return address.strip().lower()


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Pending confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=SubscriberStatus.CONFIRMED)

    def from_token(self, token, *, salt, max_age=None):
        """The subscriber a signed link names, or None if the link is forged or expired."""
        try:
            pk = signing.loads(token, salt=salt, max_age=max_age)
        except signing.BadSignature:  # also raised, as SignatureExpired, for old links
            return None
        return self.filter(pk=pk).first()


class Subscriber(models.Model):
    email = models.EmailField(unique=True, help_text="Stored in lower case.")
    status = models.CharField(
        max_length=20, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING
    )
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the reader subscribed, e.g. the page."
    )
    consented_at = models.DateTimeField(
        default=timezone.now, help_text="When the reader last asked to subscribe."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-consented_at"]
        indexes = [models.Index(fields=["status", "-consented_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=SubscriberStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="confirmed_subscriber_has_confirmation_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=SubscriberStatus.UNSUBSCRIBED)
                | Q(unsubscribed_at__isnull=False),
                name="unsubscribed_subscriber_has_time",
            ),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    def confirmation_token(self):
        return signing.dumps(self.pk, salt=CONFIRM_SALT)

    def unsubscribe_token(self):
        return signing.dumps(self.pk, salt=UNSUBSCRIBE_SALT)

    def ask_again(self, *, source):
        """A new request to subscribe: record the consent and wait for confirmation."""
        self.status = SubscriberStatus.PENDING
        self.source = source
        self.consented_at = timezone.now()
        self.unsubscribed_at = None
        self.save(update_fields=["status", "source", "consented_at", "unsubscribed_at"])

    def confirm(self):
        """Confirm a pending subscription; True if the reader is now subscribed."""
        if self.status == SubscriberStatus.PENDING:
            self.status = SubscriberStatus.CONFIRMED
            self.confirmed_at = timezone.now()
            self.save(update_fields=["status", "confirmed_at"])
        return self.status == SubscriberStatus.CONFIRMED

    def unsubscribe(self):
        if self.status != SubscriberStatus.UNSUBSCRIBED:
            self.status = SubscriberStatus.UNSUBSCRIBED
            self.unsubscribed_at = timezone.now()
            self.save(update_fields=["status", "unsubscribed_at"])


class Digest(models.Model):
    """One newsletter send: the stories it carried, so no story is ever sent twice."""

    created_at = models.DateTimeField(
        default=timezone.now, help_text="Stories published up to this moment were considered."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=200)
    articles = models.ManyToManyField("articles.Article", related_name="newsletter_digests")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} ({self.created_at:%Y-%m-%d %H:%M})"


class Delivery(models.Model):
    """A digest claimed for (then sent to) one subscriber; the unique pair stops repeats."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["digest", "subscriber"], name="digest_once_per_reader")
        ]

    def __str__(self):
        return f"{self.digest} → {self.subscriber}"
