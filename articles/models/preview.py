import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

SIGNING_SALT = "articles.preview-link"


def new_token():
    return secrets.token_urlsafe(32)


def default_expiry():
    return timezone.now() + timedelta(hours=settings.NEWSROOM_PREVIEW_HOURS)


class PreviewLinkQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def from_signed(self, value):
        """The link a signed URL token names, or None for a forged or unknown one."""
        try:
            token = signing.Signer(salt=SIGNING_SALT).unsign(value)
        except signing.BadSignature:
            return None
        return self.select_related("article").filter(token=token).first()


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows a story to someone without a login."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="preview_links"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Preview of “{self.article}”"

    def get_absolute_url(self):
        signed = signing.Signer(salt=SIGNING_SALT).sign(self.token)
        return reverse("articles:preview", kwargs={"signed": signed})

    @property
    def is_valid(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
