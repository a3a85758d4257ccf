from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from newsroom.loading import DirectlyLoaded


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    CLARIFICATION = "clarification", "Clarification"
    UPDATE = "update", "Update"


class Correction(DirectlyLoaded):
    """A correction, clarification or update that editors add to a published story."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(max_length=20, choices=CorrectionKind.choices)
    text = models.TextField(help_text="What was wrong or what changed, as readers will see it.")
    at = models.DateTimeField("time", default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["article", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} on “{self.article}”"

    def clean(self):
        # Its time becomes the story's dateModified: a time to come would tell readers and
        # search engines of a change that has not happened.
        if self.at and self.at > timezone.now() + timedelta(minutes=5):
            raise ValidationError(
                {"at": "A correction's time cannot be in the future: use the time it was made."}
            )
