"""The newsletter in a real browser: a reader signs up, confirms from the email and leaves.

The live server runs in this process with Django's in-memory email backend, so the emails
it sends are read from django.core.mail.outbox and their links opened in the browser.
"""

import re

import pytest
from django.core import mail

from newsletter.models import Subscriber, SubscriberStatus
from tests.browser.support import DESKTOP, PHONE, browser_db
from tests.factories import ArticleFactory

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

pytestmark = browser_db


def link_in(message, kind):
    [url] = re.findall(rf"https?://\S+/newsletter/{kind}/\S+/", message.body)
    return url


def only_email_to(address):
    [message] = [message for message in mail.outbox if message.to == [address]]
    return message


def test_a_reader_subscribes_after_a_story_confirms_and_unsubscribes(open_page):
    article = ArticleFactory(published=True, headline="Belarus border news")
    reader = open_page(PHONE)
    reader.goto(article.get_absolute_url())

    form = reader.locator("form.subscribe--article")
    form.get_by_label("Get our stories by email").fill("olga@example.com")
    form.get_by_role("button", name="Subscribe").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.source == f"article {article.get_absolute_url()}"

    email = only_email_to("olga@example.com")
    assert "Confirm your subscription" in email.subject
    reader.goto(link_in(email, "confirm"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED

    # Every email carries the way out; opening it only asks, the button does it.
    reader.goto(link_in(email, "unsubscribe"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    expect(reader.get_by_role("main")).to_contain_text("olga@example.com")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    reader.get_by_role("main").get_by_role("button", name="Unsubscribe").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


def test_a_reader_subscribes_from_the_page_header_and_a_mistake_keeps_the_address(open_page):
    reader = open_page(DESKTOP)
    reader.goto("/")
    header_form = reader.locator("form.subscribe--header")
    email_field = header_form.get_by_label("Subscribe to the newsletter")
    # The browser itself stops an address without an @; this one only the server refuses.
    email_field.fill("reader@example")
    header_form.get_by_role("button", name="Subscribe").click()
    refused = reader.locator("main form.subscribe")
    expect(refused.locator(".field__error")).to_contain_text("does not look like an email")
    expect(refused.get_by_role("textbox")).to_have_value("reader@example")
    assert not Subscriber.objects.exists()

    refused.get_by_role("textbox").fill("reader@example.com")
    refused.get_by_role("button", name="Subscribe").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    reader.goto(link_in(only_email_to("reader@example.com"), "confirm"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("You are subscribed")
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED
