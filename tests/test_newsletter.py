"""The newsletter: double opt-in, one-click unsubscribe, a quiet rate-limited form, the admin,
and the digest that never sends a story twice. Emails are read from Django's mail outbox."""

import csv
import io
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail, signing
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Status
from articles.roles import EDITORS
from newsletter.models import CONFIRM_SALT, Digest, Subscriber, SubscriberStatus
from tests.factories import ArticleFactory, ReporterFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE_URL = reverse("newsletter:subscribe")
LINK = re.compile(r"https?://testserver(/newsletter/(?:confirm|unsubscribe)/[^/\s\"]+/)")


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    """Send the subscribe form as a reader would, running the emails queued for the commit."""

    def post(email, source="header /", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SUBSCRIBE_URL, {"email": email, "source": source}, **extra)

    return post


def links(message, kind):
    return [path for path in LINK.findall(message.body) if f"/{kind}/" in path]


def confirmed_subscriber(email, **fields):
    return Subscriber.objects.create(
        email=email, status=SubscriberStatus.CONFIRMED, confirmed_at=timezone.now(), **fields
    )


# The forms


def test_the_header_of_every_page_and_the_end_of_every_story_offer_the_form(client):
    article = ArticleFactory(published=True)
    home = client.get(reverse("articles:home")).content.decode()
    assert 'class="subscribe subscribe--header"' in home
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count(f'action="{SUBSCRIBE_URL}"') == 2
    assert page.index("Third paragraph.") < page.index('class="subscribe subscribe--article"')
    assert page.index('class="subscribe subscribe--article"') < page.index("Post a Comment")


def test_the_newsletter_pages_carry_one_sign_up_form_not_a_second_in_the_header(client):
    subscriber = Subscriber.objects.create(email="reader@example.com")
    unsubscribe = reverse("newsletter:unsubscribe", args=[subscriber.unsubscribe_token()])
    pages = {
        SUBSCRIBE_URL: client.get(SUBSCRIBE_URL),
        "refused": client.post(SUBSCRIBE_URL, {"email": "reader@example"}),
        "broken link": client.get(reverse("newsletter:confirm", args=["not-a-token"])),
        "unsubscribed": client.post(unsubscribe),
    }
    for name, response in pages.items():
        page = response.content.decode()
        assert page.count(f'action="{SUBSCRIBE_URL}"') == 1, name
        assert "subscribe--header" not in page, name


def test_subscribing_stores_a_pending_address_with_consent_and_sends_a_confirmation(subscribe):
    before = timezone.now()
    response = subscribe("  Reader@Example.COM ", source="article /articles/1/story/")
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check_inbox")

    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.com"
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.source == "article /articles/1/story/"
    assert subscriber.consented_at >= before
    assert subscriber.confirmed_at is None

    [message] = mail.outbox
    assert message.to == ["reader@example.com"]
    assert "Confirm your subscription" in message.subject
    assert len(links(message, "confirm")) == 1
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Confirm my subscription" in html


def test_every_email_carries_a_one_click_unsubscribe_link_and_headers(subscribe):
    subscribe("reader@example.com")
    [message] = mail.outbox
    [unsubscribe] = links(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://testserver{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.alternatives[0][0]


def test_the_link_confirms_the_subscription(client, subscribe):
    subscribe("reader@example.com")
    [confirm] = links(mail.outbox[0], "confirm")
    response = client.get(confirm)
    assert response.status_code == 200
    assert "You are subscribed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at is not None
    # Opening the link again changes nothing and still says so.
    assert "You are subscribed" in client.get(confirm).content.decode()


def test_a_confirmation_link_expires_after_seven_days(client, subscribe, monkeypatch):
    subscribe("reader@example.com")
    [confirm] = links(mail.outbox[0], "confirm")
    now = time.time()
    monkeypatch.setattr(
        signing.time, "time", lambda: now + timedelta(days=7, minutes=1).total_seconds()
    )
    response = client.get(confirm)
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING

    monkeypatch.setattr(
        signing.time, "time", lambda: now + timedelta(days=6, hours=23).total_seconds()
    )
    assert client.get(confirm).status_code == 200


def test_a_forged_link_confirms_nobody(client):
    subscriber = Subscriber.objects.create(email="reader@example.com")
    forged = signing.dumps(subscriber.pk, salt=CONFIRM_SALT, key="not-our-secret")
    assert client.get(reverse("newsletter:confirm", args=[forged])).status_code == 400
    wrong_salt = signing.dumps(subscriber.pk, salt="newsletter.unsubscribe")
    assert client.get(reverse("newsletter:confirm", args=[wrong_salt])).status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


def test_unsubscribing_takes_one_click_and_a_mail_scanner_cannot_do_it(subscribe):
    subscribe("reader@example.com")
    [unsubscribe] = links(mail.outbox[0], "unsubscribe")
    reader = Client(enforce_csrf_checks=True)  # as from an email: no CSRF cookie, no token

    page = reader.get(unsubscribe)
    assert page.status_code == 200
    assert "reader@example.com" in page.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING

    response = reader.post(unsubscribe)
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None


def test_mail_providers_unsubscribe_with_the_rfc_8058_post(subscribe):
    subscribe("reader@example.com")
    header = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = Client(enforce_csrf_checks=True).post(
        header, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED


def test_a_broken_unsubscribe_link_is_refused(client):
    response = client.post(reverse("newsletter:unsubscribe", args=["nonsense"]))
    assert response.status_code == 400


def test_subscribing_again_after_unsubscribing_works(client, subscribe, settings):
    settings.NEWSLETTER_EMAIL_INTERVAL = 0  # no pause between emails to one address
    subscribe("reader@example.com", source="header /")
    [first_confirm] = links(mail.outbox[0], "confirm")
    client.get(first_confirm)
    client.post(links(mail.outbox[0], "unsubscribe")[0])
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
    # An old confirmation link does not undo the unsubscribe.
    assert client.get(first_confirm).status_code == 400
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED

    subscribe("reader@example.com", source="article /articles/9/x/")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.source == "article /articles/9/x/"
    assert subscriber.unsubscribed_at is None
    assert len(mail.outbox) == 2
    client.get(links(mail.outbox[1], "confirm")[0])
    assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED


@pytest.mark.parametrize("state", ["new", "pending", "confirmed", "unsubscribed"])
def test_the_form_does_not_reveal_whether_an_address_is_subscribed(client, subscribe, state):
    if state == "pending":
        Subscriber.objects.create(email="reader@example.com")
    elif state == "confirmed":
        confirmed_subscriber("reader@example.com")
    elif state == "unsubscribed":
        Subscriber.objects.create(
            email="reader@example.com",
            status=SubscriberStatus.UNSUBSCRIBED,
            unsubscribed_at=timezone.now(),
        )
    response = subscribe("reader@example.com")
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletter:check_inbox")
    page = client.get(response["Location"]).content.decode()
    assert "If that address can receive our newsletter, we have sent it an email." in page
    assert "already" not in page.lower()
    # Only the owner of the inbox learns the state: a confirmed reader gets a reminder.
    [message] = mail.outbox
    if state == "confirmed":
        assert "already get" in message.subject
        assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED
    else:
        assert links(message, "confirm")


def test_a_long_page_address_as_source_is_cut_not_refused(subscribe):
    long_source = "article /articles/7/" + "a-very-long-slug-" * 20 + "/"
    assert subscribe("reader@example.com", source=long_source).status_code == 302
    assert Subscriber.objects.get().source == long_source[:200]


def test_a_nul_in_the_hidden_source_is_dropped_not_refused_unseen(subscribe):
    assert subscribe("reader@example.com", source="header \x00/").status_code == 302
    assert Subscriber.objects.get().source == "header /"


@pytest.mark.parametrize(
    "address",
    [
        # Lower case makes İ two characters: the stored address would be far too long.
        "reader@" + ".".join(["İ" * 60] * 4) + ".com",
        # Valid to Django's validator, but too long a domain label for mail to be sent to it.
        "reader@" + "0" * 40 + "¡¢£¤¤«İİ.com",
    ],
)
def test_an_address_our_mail_cannot_reach_once_stored_is_refused_at_once(subscribe, address):
    response = subscribe(address)
    assert response.status_code == 400
    assert "This does not look like an email address" in response.content.decode()
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def test_an_invalid_address_keeps_what_was_typed_with_a_clear_error(subscribe):
    response = subscribe("reader@example", source="header /articles/3/x/")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="reader@example"' in page
    assert "This does not look like an email address" in page
    assert 'aria-invalid="true"' in page
    assert 'value="header /articles/3/x/"' in page  # the source survives too
    assert not Subscriber.objects.exists()
    assert not mail.outbox


def test_the_form_is_rate_limited_per_connection_and_keeps_the_address(subscribe, settings):
    settings.NEWSLETTER_SUBSCRIBE_LIMIT = 3
    for n in range(3):
        assert subscribe(f"reader{n}@example.com").status_code == 302
    response = subscribe("reader9@example.com")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-ups from your connection" in page
    assert 'value="reader9@example.com"' in page
    assert not Subscriber.objects.filter(email="reader9@example.com").exists()
    # Another connection is not affected.
    assert subscribe("reader9@example.com", REMOTE_ADDR="10.0.0.9").status_code == 302


def test_one_address_gets_one_confirmation_per_interval_however_often_it_is_entered(subscribe):
    for _ in range(3):
        subscribe("reader@example.com")
    assert len(mail.outbox) == 1


def test_the_form_takes_posts_from_our_pages_only(subscribe):
    # No CSRF token, so pages with the form stay fit for shared caches; the browser's own
    # Origin and Sec-Fetch-Site headers say where the form was sent from.
    reader = Client(enforce_csrf_checks=True)
    ours = reader.post(
        SUBSCRIBE_URL,
        {"email": "a@example.com"},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert ours.status_code == 302
    for headers in (
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        response = reader.post(SUBSCRIBE_URL, {"email": "b@example.com"}, headers=headers)
        assert response.status_code == 403, headers
    assert not Subscriber.objects.filter(email="b@example.com").exists()


def test_pages_with_the_form_carry_no_csrf_token_of_their_own(client):
    home = client.get(reverse("articles:home"))
    assert 'class="subscribe subscribe--header"' in home.content.decode()
    assert "csrfmiddlewaretoken" not in home.content.decode()


# The admin


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_editors_find_subscribers_by_status_and_address(editor_client):
    confirmed_subscriber("olga@example.com", source="header /")
    Subscriber.objects.create(email="pending@example.com")
    url = reverse("admin:newsletter_subscriber_changelist")
    page = editor_client.get(url, {"status__exact": "confirmed"}).content.decode()
    assert "olga@example.com" in page and "pending@example.com" not in page
    page = editor_client.get(url, {"q": "pending"}).content.decode()
    assert "pending@example.com" in page and "olga@example.com" not in page


def test_editors_export_subscribers_as_csv_with_consent(editor_client):
    olga = confirmed_subscriber("olga@example.com", source="article /articles/1/x/")
    trap = Subscriber.objects.create(email="=cmd@example.com", source="=HYPERLINK()")
    response = editor_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": [olga.pk, trap.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["email"] for row in rows] == ["'=cmd@example.com", "olga@example.com"]
    assert rows[1]["status"] == "confirmed"
    assert rows[1]["source"] == "article /articles/1/x/"
    assert rows[1]["consented_at"].startswith(str(olga.consented_at.year))
    assert rows[0]["source"] == "'=HYPERLINK()"


def test_editors_unsubscribe_a_reader_on_request(editor_client):
    olga = confirmed_subscriber("olga@example.com")
    editor_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "unsubscribe_selected", "_selected_action": [olga.pk]},
    )
    olga.refresh_from_db()
    assert olga.status == SubscriberStatus.UNSUBSCRIBED


def test_editors_get_the_newsletter_permissions_from_the_migration(client):
    editors = Group.objects.get(name=EDITORS)
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"view_subscriber", "change_subscriber", "view_digest"} <= codenames
    client.force_login(ReporterFactory())
    url = reverse("admin:newsletter_subscriber_changelist")
    assert client.get(url).status_code == 403


# The digest


def send(base_url="https://news.example"):
    out = io.StringIO()
    call_command("send_newsletter", base_url=base_url, stdout=out)
    return out.getvalue()


def test_the_digest_goes_to_confirmed_readers_in_html_and_text():
    olga = confirmed_subscriber("olga@example.com")
    Subscriber.objects.create(email="pending@example.com")
    Subscriber.objects.create(
        email="gone@example.com",
        status=SubscriberStatus.UNSUBSCRIBED,
        unsubscribed_at=timezone.now(),
    )
    story = ArticleFactory(published=True, headline="Border defences strengthened")
    ArticleFactory(headline="A draft")
    ArticleFactory(
        status=Status.PUBLISHED,
        headline="Scheduled",
        publish_at=timezone.now() + timedelta(hours=1),
    )

    output = send()
    assert "1/1 readers" in output
    assert "Sent digest" in output
    [message] = mail.outbox
    assert message.to == ["olga@example.com"]
    assert "Border defences strengthened" in message.subject
    assert f"https://news.example{story.get_absolute_url()}" in message.body
    assert "A draft" not in message.body and "Scheduled" not in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="https://news.example{story.get_absolute_url()}"' in html
    unsubscribe = reverse("newsletter:unsubscribe", args=[olga.unsubscribe_token()])
    assert message.extra_headers["List-Unsubscribe"] == f"<https://news.example{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body


def test_a_story_is_never_sent_twice():
    confirmed_subscriber("olga@example.com")
    first = ArticleFactory(published=True, headline="First story")
    send()
    assert "Nothing to send" in send()
    assert len(mail.outbox) == 1

    second = ArticleFactory(published=True, headline="Second story", publish_at=timezone.now())
    # A story republished after the last send is still not news.
    first.publish_at = timezone.now()
    first.save(update_fields=["publish_at"])
    send()
    assert len(mail.outbox) == 2
    assert second.headline in mail.outbox[1].body
    assert first.headline not in mail.outbox[1].body
    assert [set(d.articles.all()) for d in Digest.objects.order_by("created_at")] == [
        {first},
        {second},
    ]


def test_the_first_digest_carries_the_last_day_not_the_archive():
    confirmed_subscriber("olga@example.com")
    ArticleFactory(
        published=True, headline="Old news", publish_at=timezone.now() - timedelta(days=3)
    )
    ArticleFactory(published=True, headline="Fresh news")
    send()
    [message] = mail.outbox
    assert "Fresh news" in message.body and "Old news" not in message.body


class FailingForOneReader(EmailBackend):
    """Django's test outbox, with one mailbox that refuses mail."""

    def send_messages(self, messages):
        if any("bounce@" in address for message in messages for address in message.to):
            raise ConnectionError("mail server refused")
        return super().send_messages(messages)


def test_an_interrupted_send_resumes_without_sending_anyone_twice(settings):
    for name in ["anna", "bounce", "olga"]:
        confirmed_subscriber(f"{name}@example.com")
    ArticleFactory(published=True, headline="The story")
    settings.EMAIL_BACKEND = "tests.test_newsletter.FailingForOneReader"
    with pytest.raises(CommandError, match="Sent 2, failed 1"):
        send()
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.com", "olga@example.com"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    output = send()
    assert "1/1 readers" in output
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.com",
        "bounce@example.com",
        "olga@example.com",
    ]
    assert Digest.objects.get().finished_at is not None
    assert "Nothing to send" in send()


def test_nothing_is_sent_or_recorded_without_confirmed_readers():
    Subscriber.objects.create(email="pending@example.com")
    ArticleFactory(published=True)
    assert "Nothing to send" in send()
    assert not mail.outbox and not Digest.objects.exists()


def test_the_email_backend_comes_from_settings(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    confirmed_subscriber("olga@example.com")
    ArticleFactory(published=True, headline="Printed to the console")
    send()
    assert "Printed to the console" in capsys.readouterr().out
    assert not mail.outbox
