import random

from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.images import validate_image_file


class AdSlot(models.Model):
    """A place on the page that shows one ad, with its space reserved."""

    key = models.SlugField(
        max_length=40, unique=True, help_text="Used by templates, e.g. “header”."
    )
    name = models.CharField(max_length=80)
    width = models.PositiveSmallIntegerField(default=728)
    height = models.PositiveSmallIntegerField(default=90)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.width}×{self.height})"


class AdQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            is_active=True,
        )

    def pick_for(self, slot_key):
        """One live ad for the slot, chosen at random in proportion to its weight."""
        candidates = list(self.live().filter(slot__key=slot_key).select_related("slot"))
        if not candidates:
            return None
        return random.choices(candidates, weights=[ad.weight for ad in candidates])[0]  # noqa: S311


class Ad(models.Model):
    slot = models.ForeignKey(AdSlot, on_delete=models.CASCADE, related_name="ads")
    name = models.CharField(max_length=120, help_text="For the desk; readers do not see it.")
    text = models.CharField(max_length=200, blank=True, help_text="Shown when there is no image.")
    image = models.ImageField(upload_to="ads/%Y/", blank=True, validators=[validate_image_file])
    image_alt = models.CharField(max_length=200, blank=True)
    target_url = models.URLField(max_length=500)
    is_active = models.BooleanField(default=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    weight = models.PositiveSmallIntegerField(default=1, help_text="Relative share of showings.")

    objects = AdQuerySet.as_manager()

    class Meta:
        ordering = ["slot", "-weight", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="ad_image_has_alt_text"
            ),
            models.CheckConstraint(condition=~Q(image="", text=""), name="ad_has_image_or_text"),
        ]

    def __str__(self):
        return self.name
