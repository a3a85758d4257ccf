"""Spam defence: honeypot, signed timestamp, rate limit, links, blocklist, duplicates."""

import time

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from articles.models import BlockedWord, Comment, CommentStatus
from articles.services.comments import form_token
from tests.factories import ArticleFactory, CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db

HELD_MESSAGE = "held for moderation"


def post(client, article, **fields):
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    return client.post(url, comment_form_data(article, **fields))


def assert_held_as_spam(response, reason_part):
    assert response.status_code == 302  # the bot is told nothing different
    comment = Comment.objects.get()  # kept, never dropped
    assert comment.status == CommentStatus.SPAM
    assert reason_part in comment.hold_reason


def test_page_serves_a_hidden_honeypot_and_a_signed_timestamp(client):
    article = ArticleFactory(published=True)
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'class="comment-form__trap" aria-hidden="true"' in page
    assert 'name="website"' in page and 'tabindex="-1"' in page
    assert 'name="issued" value="' in page


def test_a_comment_typed_at_human_speed_waits_for_an_editor(client):
    article = ArticleFactory(published=True)
    response = post(client, article)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == CommentStatus.PENDING and comment.hold_reason == ""


def test_a_filled_honeypot_is_held_as_spam(client):
    article = ArticleFactory(published=True)
    response = post(client, article, website="http://pills.example")
    assert_held_as_spam(response, "honeypot")
    assert HELD_MESSAGE in client.get(response["Location"]).content.decode()


def test_a_form_sent_back_faster_than_a_person_types_is_held_as_spam(client):
    article = ArticleFactory(published=True)
    assert_held_as_spam(post(client, article, typed_for=0), "after the form was served")


@pytest.mark.parametrize(
    "issued",
    [
        "",
        "forged",
        signing.dumps({"article": 1, "at": 0}),  # signed, but not by the comment form
        "eyJhcnRpY2xlIjoxLCJhdCI6MH0:1:forged",
    ],
)
def test_a_missing_or_forged_timestamp_is_held_as_spam(client, issued):
    article = ArticleFactory(published=True)
    assert_held_as_spam(post(client, article, issued=issued), "missing or forged")


def test_a_timestamp_from_another_story_is_held_as_spam(client):
    article, other = ArticleFactory(published=True), ArticleFactory(published=True)
    stamp = form_token(other, time.time() - 60)
    assert_held_as_spam(post(client, article, issued=stamp), "missing or forged")


def test_a_form_older_than_a_day_asks_to_send_again_with_the_text_kept(client):
    article = ArticleFactory(published=True)
    text = "Written yesterday, sent today."
    response = post(client, article, body=text, typed_for=2 * 24 * 3600)
    assert response.status_code == 400
    page = response.content.decode()
    assert "opened more than a day ago" in page and "send it again" in page
    assert text in page and 'value="Olga"' in page
    assert not Comment.objects.exists()

    # The page carries a fresh timestamp: sending again at once is accepted, not spam.
    fresh = page.split('name="issued" value="', 1)[1].split('"', 1)[0]
    response = post(client, article, body=text, issued=fresh)
    assert response.status_code == 302
    assert Comment.objects.get().status == CommentStatus.PENDING


def test_rate_limit_answers_429_with_the_text_kept(client, settings):
    settings.NEWSROOM_COMMENTS_RATE_LIMIT = 2
    article = ArticleFactory(published=True)
    for n in range(2):
        assert post(client, article, body=f"Comment number {n}").status_code == 302
    response = post(client, article, body="One too many, but typed with care.")
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    page = response.content.decode()
    assert "several comments in a short time" in page
    assert "One too many, but typed with care." in page
    assert Comment.objects.count() == 2

    # The limit is per address: another reader is not affected.
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert post(other, article, body="From elsewhere").status_code == 302


def test_invalid_and_duplicate_posts_do_not_use_up_the_rate_limit(client, settings):
    settings.NEWSROOM_COMMENTS_RATE_LIMIT = 1
    article = ArticleFactory(published=True)
    assert post(client, article, email="broken").status_code == 400
    assert post(client, article, body="First").status_code == 302
    assert post(client, article, body="First").status_code == 409
    assert post(client, article, body="Second").status_code == 429


@pytest.mark.parametrize(("links", "status"), [(2, "approved"), (3, "pending")])
def test_too_many_links_hold_the_comment(client, settings, links, status):
    settings.NEWSROOM_COMMENTS_TRUSTED_AFTER = 1
    article = ArticleFactory(published=True)
    CommentFactory(email="olga@example.com", status="approved")
    body = "See " + " and ".join(f"https://example.com/{n}" for n in range(links))
    post(client, article, body=body)
    comment = Comment.objects.get(body=body)
    assert comment.status == status
    assert (comment.hold_reason == f"{links} links.") == (status == "pending")


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("body", "Buy CHEAP Pills today"),
        ("body", "cheap\npills for all"),
        ("name", "Cheap Pills Ltd"),
        ("email", "cheap.pills@example.com"),
    ],
)
def test_a_word_from_the_blocklist_holds_the_comment(client, settings, field, text):
    settings.NEWSROOM_COMMENTS_TRUSTED_AFTER = 1
    BlockedWord.objects.create(phrase="  Cheap   pills ")
    BlockedWord.objects.create(phrase="cheap.pills")
    CommentFactory(email="olga@example.com", status="approved")  # even a trusted commenter
    article = ArticleFactory(published=True)
    post(client, article, **{field: text})
    comment = Comment.objects.get(article=article)
    assert comment.status == CommentStatus.PENDING
    assert "Contains the blocked “cheap" in comment.hold_reason


def test_the_blocklist_matches_whole_words_only(client):
    BlockedWord.objects.create(phrase="ass")
    article = ArticleFactory(published=True)
    post(client, article, body="A classic assessment of the class system.")
    assert Comment.objects.get().hold_reason == ""


def test_an_exact_duplicate_is_refused_with_a_clear_message(client):
    article = ArticleFactory(published=True)
    assert post(client, article, body="Same words").status_code == 302
    response = post(client, article, body="  Same words  ", email="OLGA@example.com")
    assert response.status_code == 409
    assert "already posted this comment" in response.content.decode()
    assert Comment.objects.count() == 1
    # Different words, another reader or another story are not duplicates.
    assert post(client, article, body="Other words").status_code == 302
    assert post(client, article, body="Same words", email="ivan@example.com").status_code == 302
    other = ArticleFactory(published=True)
    assert post(client, other, body="Same words").status_code == 302
    assert Comment.objects.count() == 4


def test_the_database_refuses_a_duplicate_that_races_past_the_check():
    comment = CommentFactory(body="Raced")
    with pytest.raises(IntegrityError), transaction.atomic():
        CommentFactory(article=comment.article, email=comment.email.upper(), body="Raced ")


def test_a_held_comment_is_kept_even_when_it_is_spam(client):
    article = ArticleFactory(published=True)
    post(client, article, website="x", body="one")
    post(client, article, typed_for=0, body="two")
    post(client, article, issued="", body="three")
    assert sorted(Comment.objects.values_list("body", flat=True)) == ["one", "three", "two"]
    assert set(Comment.objects.values_list("status", flat=True)) == {CommentStatus.SPAM}
