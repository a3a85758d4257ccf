import random

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.images import validate_image_file


class SlotKind(models.TextChoices):
    HEADER = "header", "Header"
    IN_ARTICLE = "in-article", "In article"
    SIDEBAR = "sidebar", "Sidebar"


class SlotSize(models.TextChoices):
    """Standard ad sizes; each has a CSS class that reserves its space before the ad loads."""

    LEADERBOARD = "728x90", "Leaderboard 728×90"
    BILLBOARD = "970x250", "Billboard 970×250"
    MEDIUM_RECTANGLE = "300x250", "Medium rectangle 300×250"
    HALF_PAGE = "300x600", "Half page 300×600"
    MOBILE_BANNER = "320x100", "Large mobile banner 320×100"


class AdSlot(models.Model):
    """A place on the page that shows one ad, with its space reserved."""

    key = models.SlugField(
        max_length=40, unique=True, help_text="Used by templates, e.g. “header”."
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=SlotKind.choices, default=SlotKind.HEADER)
    size = models.CharField(max_length=20, choices=SlotSize.choices, default=SlotSize.LEADERBOARD)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.width}×{self.height})"

    @property
    def width(self):
        return int(self.size.split("x")[0])

    @property
    def height(self):
        return int(self.size.split("x")[1])


class AdQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            is_active=True,
        )

    def not_ended(self, now=None):
        """Active ads that are live now or will start later (the page cache keeps these)."""
        now = now or timezone.now()
        return self.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), is_active=True)

    def pick_for(self, slot_key):
        """One live ad for the slot, chosen at random in proportion to its weight."""
        return pick_weighted(list(self.live().filter(slot__key=slot_key).select_related("slot")))


def pick_weighted(ads):
    """One of `ads` at random in proportion to its weight (at least 1: ad_weight_positive),
    or None."""
    if len(ads) < 2:  # the page cache fills an ad slot on every response: no draw for one
        return ads[0] if ads else None
    return random.choices(ads, weights=[ad.weight for ad in ads])[0]


class Ad(models.Model):
    slot = models.ForeignKey(AdSlot, on_delete=models.CASCADE, related_name="ads")
    name = models.CharField(max_length=120, help_text="For the desk; readers do not see it.")
    text = models.CharField(max_length=200, blank=True, help_text="Shown when there is no image.")
    image = models.ImageField(upload_to="ads/%Y/", blank=True, validators=[validate_image_file])
    image_alt = models.CharField(max_length=200, blank=True)
    target_url = models.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where a click goes. Readers reach it through our click counter.",
    )
    is_active = models.BooleanField(default=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    weight = models.PositiveSmallIntegerField(default=1, help_text="Relative share of showings.")
    impressions = models.PositiveBigIntegerField(default=0, editable=False)
    clicks = models.PositiveBigIntegerField(default=0, editable=False)

    objects = AdQuerySet.as_manager()

    class Meta:
        ordering = ["slot", "-weight", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="ad_image_has_alt_text"
            ),
            models.CheckConstraint(condition=~Q(image="", text=""), name="ad_has_image_or_text"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="ad_ends_after_it_starts",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="ad_weight_positive"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """The click-counting redirect that readers follow, never the target itself."""
        return reverse("ads:click", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = "Describe the image for readers who cannot see it."
        if not self.image and not self.text.strip():
            errors["text"] = "Give the ad some text, or an image."
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The ad must end after it starts."
        if errors:
            raise ValidationError(errors)

    def is_live(self, now=None):
        """The per-object twin of AdQuerySet.live()."""
        now = now or timezone.now()
        return (
            self.is_active
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or self.ends_at > now)
        )

    def record_click(self):
        """Count a click in one atomic UPDATE, safe when many readers click at once."""
        type(self).objects.filter(pk=self.pk).update(clicks=models.F("clicks") + 1)

    def click_through_rate(self, impressions=None):
        """Clicks per impression, as a fraction; None before the first impression."""
        shown = self.impressions if impressions is None else impressions
        return self.clicks / shown if shown else None
