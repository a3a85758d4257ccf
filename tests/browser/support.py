"""What the browser tests share: the browser's settings, viewports and desk steps."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from newsletter.models import Subscriber

CHROMIUM = Path(os.environ.get("NEWSROOM_CHROMIUM", "/usr/bin/chromium"))
# Without the network switches Chromium waits on update and sync services a closed network
# never answers.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def newsletter_link(kind):
    """The path of a newsletter email's link (confirm, unsubscribe) for a subscriber made here."""

    def path(article):
        subscriber, _ = Subscriber.objects.get_or_create(email="reader@example.com")
        tokens = {
            "confirm": subscriber.confirmation_token,
            "unsubscribe": subscriber.unsubscribe_token,
        }
        return reverse(f"newsletter:{kind}", args=[tokens[kind]()])

    return path


# Every public page a reader can land on, as a path for the demo story (see demo_pages).
PUBLIC_PAGES = {
    "home": lambda article: "/",
    "article": lambda article: article.get_absolute_url(),
    "section": lambda article: article.section.get_absolute_url(),
    "author": lambda article: article.byline[0].get_absolute_url(),
    "tag": lambda article: "/tags/belarus/",
    "search": lambda article: "/search/?q=border+troops",
    "search-no-results": lambda article: "/search/?q=zanzibar",
    "newsletter": lambda article: "/newsletter/subscribe/",
    "newsletter-check-inbox": lambda article: "/newsletter/subscribe/check-your-inbox/",
    "newsletter-confirmed": newsletter_link("confirm"),
    "newsletter-unsubscribe": newsletter_link("unsubscribe"),
    "404": lambda article: "/no-such-page/",
}

# The live server and the browser share the database, and the DB is emptied after each test:
# serialized_rollback brings back what migrations made (the Reporters and Editors groups).
browser_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# tests.factories.UserFactory's password.
PASSWORD = "correct-horse-battery"


def log_in(page, username, password=PASSWORD):
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#user-tools")


def choose_autocomplete(page, field, text):
    """Pick `text` in the admin's autocomplete (Select2) widget inside `field`."""
    field.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).click()


def png_upload(name="photo.png", size=(640, 360)):
    """An image file as Playwright's set_input_files takes it."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, (40, 90, 140)).save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}
