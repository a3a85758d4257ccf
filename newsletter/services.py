"""Subscribing (double opt-in) and sending the digest: the newsletter's multi-model work."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article
from newsletter import emails, throttle
from newsletter.models import Delivery, Digest, Subscriber, SubscriberStatus, normalize_email

logger = logging.getLogger(__name__)

# The very first digest carries the stories of the past day, not the whole archive.
FIRST_DIGEST_LOOKBACK = timedelta(days=1)


def request_subscription(email, *, source, base_url):
    """Keep the address pending and email it a confirmation link.

    Whatever the address's state, the reader is told the same thing, so the form never
    reveals who subscribes; a confirmed reader gets a reminder instead of a new link.
    """
    email = normalize_email(email)
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            email=email, defaults={"source": source}
        )
        if created or subscriber.status != SubscriberStatus.CONFIRMED:
            if not created:
                subscriber.ask_again(source=source)
            message = emails.confirmation_message(subscriber, base_url)
        else:
            message = emails.already_subscribed_message(subscriber, base_url)
        transaction.on_commit(lambda: _send_at_most_every_interval(email, message))


def _send_at_most_every_interval(email, message):
    # However often the form is sent, an address gets one email per interval.
    if not throttle.hit(
        "newsletter-email", email, limit=1, window=settings.NEWSLETTER_EMAIL_INTERVAL
    ):
        return
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the newsletter confirmation email")


def stories_for_next_digest(now=None):
    """Stories published since the last digest that no digest has carried yet."""
    now = now or timezone.now()
    last = Digest.objects.order_by("-created_at").first()
    since = last.created_at if last else now - FIRST_DIGEST_LOOKBACK
    return (
        Article.objects.published()
        .filter(publish_at__gt=since, publish_at__lte=now)
        .exclude(newsletter_digests__isnull=False)
        .latest_first()
        .for_listing()
    )


def digest_subject(stories):
    site = settings.NEWSROOM_SITE_NAME
    if len(stories) == 1:
        return f"{site}: {stories[0].headline}"
    return f"{site}: {stories[0].headline}, and {len(stories) - 1} more stories"


def prepare_digest():
    """The digest to send: an interrupted one first, else a new one; None if nothing is new."""
    unfinished = Digest.objects.filter(finished_at__isnull=True).order_by("created_at").first()
    if unfinished:
        return unfinished
    with transaction.atomic():
        now = timezone.now()
        stories = list(stories_for_next_digest(now))
        if not stories or not Subscriber.objects.confirmed().exists():
            return None
        digest = Digest.objects.create(created_at=now, subject=digest_subject(stories))
        digest.articles.set(stories)
    return digest


def send_digest(digest, *, base_url, progress=None):
    """Email the digest to every confirmed reader who has not had it; returns (sent, failed).

    Each reader is claimed (a unique Delivery row) before the email goes, so a second run,
    or two runs at once, never send anyone the same digest twice.
    """
    # Stories withdrawn since the digest was made are left out.
    stories = list(digest.articles.published().latest_first().for_listing())
    recipients = Subscriber.objects.confirmed().exclude(deliveries__digest=digest).order_by("pk")
    total = recipients.count()
    sent = failed = 0
    with get_connection() as connection:
        for subscriber in recipients.iterator():
            try:
                with transaction.atomic():
                    delivery = Delivery.objects.create(digest=digest, subscriber=subscriber)
            except IntegrityError:  # another run has this reader
                continue
            try:
                emails.digest_message(
                    subscriber, digest, stories, base_url, connection=connection
                ).send()
            except Exception:
                logger.exception(
                    "Could not send digest %s to subscriber %s", digest.pk, subscriber.pk
                )
                delivery.delete()  # unclaimed, so the next run tries this reader again
                failed += 1
            else:
                delivery.sent_at = timezone.now()
                delivery.save(update_fields=["sent_at"])
                sent += 1
            if progress:
                progress(sent + failed, total)
    if not failed:
        digest.finished_at = timezone.now()
        digest.save(update_fields=["finished_at"])
    return sent, failed
