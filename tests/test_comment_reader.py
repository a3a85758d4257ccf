"""What the reader sees: their own held comment, counts without extra queries, no emails."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, Comment
from tests.factories import ArticleFactory, CommentFactory, comment_form_data

pytestmark = pytest.mark.django_db


def post(client, article, **fields):
    url = reverse("articles:post_comment", args=[article.pk, article.slug])
    return client.post(url, comment_form_data(article, **fields))


def test_the_reader_sees_their_own_held_comment_marked_awaiting_moderation(client):
    article = ArticleFactory(published=True)
    parent = CommentFactory(article=article, status="approved")
    post(client, article, body="My own words")
    post(client, article, body="My own reply", reply_to=str(parent.pk))
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("Your comment is awaiting moderation.") == 2
    assert "My own words" in page and "My own reply" in page
    assert 'class="comment comment--held"' in page
    # Held comments are not counted, and nobody else sees them.
    assert "Comments (1)" in page
    other = Client().get(article.get_absolute_url()).content.decode()
    assert "My own words" not in other and "awaiting moderation" not in other


def test_a_held_comment_disappears_for_its_writer_once_rejected(client, editor):
    article = ArticleFactory(published=True)
    post(client, article, body="Soon rejected")
    Comment.objects.all().moderate("rejected", by=editor)
    assert "Soon rejected" not in client.get(article.get_absolute_url()).content.decode()


def test_the_own_comments_of_one_story_do_not_show_on_another(client):
    article, other = ArticleFactory(published=True), ArticleFactory(published=True)
    post(client, article, body="Only here")
    assert "Only here" not in client.get(other.get_absolute_url()).content.decode()


def test_a_reader_with_held_comments_costs_a_fixed_number_of_extra_queries(
    client, django_assert_max_num_queries, settings
):
    settings.NEWSROOM_COMMENTS_RATE_LIMIT = 100
    article = ArticleFactory(published=True)
    post(client, article, body="First")
    with django_assert_max_num_queries(20) as one:
        client.get(article.get_absolute_url())
    for n in range(4):
        post(Client(), article, body=f"Someone else {n}")
        post(client, article, body=f"Mine {n}")
    with django_assert_max_num_queries(20) as five:
        page = client.get(article.get_absolute_url()).content.decode()
    assert page.count("Your comment is awaiting moderation.") == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_lists_get_comment_counts_in_the_listing_query(django_assert_num_queries):
    quiet = ArticleFactory(published=True)
    busy = ArticleFactory(published=True, comments=3)
    CommentFactory(article=busy, status="pending")
    CommentFactory(article=busy, status="spam")
    with django_assert_num_queries(1):
        counts = dict(
            Article.objects.published().with_comment_count().values_list("pk", "comment_count")
        )
    assert counts == {quiet.pk: 0, busy.pk: 3}


def test_the_home_page_shows_comment_counts(client):
    ArticleFactory(published=True, comments=3, headline="Much discussed")
    page = client.get(reverse("articles:home")).content.decode()
    assert "3 comments" in page


def test_the_email_is_never_shown(client):
    article = ArticleFactory(published=True)
    CommentFactory(article=article, status="approved", email="secret.reader@example.com")
    post(client, article, email="held.reader@example.com", body="Held, mine")
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Held, mine" in page
    assert "secret.reader" not in page and "held.reader" not in page
