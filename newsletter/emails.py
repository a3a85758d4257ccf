"""The newsletter's emails. Each one carries its reader's signed one-click unsubscribe link,
in the body and in the List-Unsubscribe headers (RFC 8058)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


def absolute(base_url, path):
    return base_url.rstrip("/") + path


def unsubscribe_url(subscriber, base_url):
    return absolute(
        base_url, reverse("newsletter:unsubscribe", args=[subscriber.unsubscribe_token()])
    )


def build_message(subscriber, *, template, subject, base_url, context=None, connection=None):
    """An HTML and plain-text email from templates/newsletter/email/<template>.{txt,html}."""
    unsubscribe = unsubscribe_url(subscriber, base_url)
    context = {
        "subscriber": subscriber,
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_url": base_url.rstrip("/"),
        "unsubscribe_url": unsubscribe,
        **(context or {}),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletter/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        connection=connection,
    )
    message.attach_alternative(
        render_to_string(f"newsletter/email/{template}.html", context), "text/html"
    )
    return message


def confirmation_message(subscriber, base_url):
    confirm = absolute(
        base_url, reverse("newsletter:confirm", args=[subscriber.confirmation_token()])
    )
    return build_message(
        subscriber,
        template="confirm",
        subject=f"Confirm your subscription to the {settings.NEWSROOM_SITE_NAME} newsletter",
        base_url=base_url,
        context={"confirm_url": confirm},
    )


def already_subscribed_message(subscriber, base_url):
    return build_message(
        subscriber,
        template="already_subscribed",
        subject=f"You already get the {settings.NEWSROOM_SITE_NAME} newsletter",
        base_url=base_url,
    )


def digest_message(subscriber, digest, stories, base_url, connection=None):
    return build_message(
        subscriber,
        template="digest",
        subject=digest.subject,
        base_url=base_url,
        context={"stories": stories},
        connection=connection,
    )
