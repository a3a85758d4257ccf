from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


def lock_lifetime():
    return timedelta(seconds=settings.NEWSROOM_EDIT_LOCK_SECONDS)


class EditLockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(expires_at__gt=timezone.now())

    def open(self, article, user):
        """Note that `user` has the story open, unless someone else already has.

        Returns the lock in force: the user's own, or the other person's (not taken over).
        """
        with transaction.atomic():
            now = timezone.now()
            lock = self.select_for_update().filter(article=article).first()
            if lock and lock.user_id != user.pk and lock.expires_at > now:
                return lock
            if lock is None:
                lock = self.model(article=article, user=user, since=now)
            elif lock.user_id != user.pk or lock.expires_at <= now:
                lock.user, lock.since = user, now
            lock.expires_at = now + lock_lifetime()
            lock.save()
            return lock

    def take_over(self, article, user):
        now = timezone.now()
        lock, _ = self.update_or_create(
            article=article,
            defaults={"user": user, "since": now, "expires_at": now + lock_lifetime()},
        )
        return lock

    def keep_alive(self, article, user):
        """Extend the user's own lock, or take it again if it lapsed and nobody else holds it
        (a laptop that slept); returns the lock in force, maybe someone else's."""
        return self.open(article, user)

    def release(self, article, user):
        self.filter(article=article, user=user).delete()


class EditLock(models.Model):
    """A soft lock: who has a story open in the desk, and since when. It warns, never blocks
    (the stale-save check does that), and lapses by itself when nobody keeps it alive."""

    article = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="edit_lock"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    expires_at = models.DateTimeField()

    objects = EditLockQuerySet.as_manager()

    def __str__(self):
        return f"{self.user} has “{self.article}” open"

    @property
    def is_active(self):
        return self.expires_at > timezone.now()
